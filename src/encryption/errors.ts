import { UserError } from "../errors.js";

/**
 * A stored value that cannot be read or written: wrong key, corrupted or truncated data,
 * an unreachable KMS plugin. It is a UserError, so shells print it as one line and exit 2.
 * Messages name the provider, key name and byte counts, never key material or plaintext.
 */
export class StoredValueError extends UserError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "StoredValueError";
  }
}

/** Several entries of a provider list matched and all failed: every reason is kept. */
export function aggregate(errors: StoredValueError[]): StoredValueError {
  if (errors.length === 1 && errors[0]) return errors[0];
  return new StoredValueError(`[${errors.map((e) => e.message).join(", ")}]`, {
    hint: errors.find((e) => e.hint)?.hint,
  });
}

/** Wrap anything thrown by a crypto library or plugin without leaking its data. */
export function asStoredValueError(err: unknown, context: string): StoredValueError {
  if (err instanceof StoredValueError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new StoredValueError(`${context}: ${reason}`, { cause: err });
}
