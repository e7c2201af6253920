import type { SourcePosition } from "./findings/types.js";

/**
 * An error a person can act on: what went wrong, where, and what to do. Shells print
 * `UserError`s as one message and exit 2; anything else is a bug and is only shown in
 * full with --debug.
 */
export class UserError extends Error {
  readonly position: SourcePosition | undefined;
  readonly hint: string | undefined;

  constructor(message: string, options: { position?: SourcePosition; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "UserError";
    this.position = options.position;
    this.hint = options.hint;
  }

  /** `file:line:col: message (hint)` — the one-line form every shell prints. */
  describe(): string {
    const where = this.position ? `${formatPosition(this.position)}: ` : "";
    return `${where}${this.message}${this.hint ? `\n  hint: ${this.hint}` : ""}`;
  }
}

export function formatPosition(position: SourcePosition): string {
  return `${position.file}:${position.line}:${position.column}`;
}
