/**
 * Reading hand-written YAML configuration with positions: every error names
 * file:line:column, what was expected and a hint. Pure: the caller supplies the text.
 */
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from "yaml";
import { UserError } from "../errors.js";
import type { SourcePosition } from "../findings/types.js";
import { isRecord } from "../k8s/types.js";

type Path = (string | number)[];

/** One parsed YAML document and a way back from a path to its place in the text. */
export class ConfigSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly value: unknown,
  ) {}

  /** Parse the first (only) document of `text`; YAML errors become UserErrors with their position. */
  static parse(file: string, text: string): ConfigSource {
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (!Array.isArray(docs)) throw new UserError("expected a YAML document, found an empty stream", { position: { file, line: 1, column: 1 } });
    const content = docs.filter((d) => d.contents !== null);
    if (content.length === 0) throw new UserError("the file is empty; expected a YAML mapping", { position: { file, line: 1, column: 1 } });
    const doc = content[0]!;
    const error = doc.errors[0];
    if (error) {
      const pos = lines.linePos(error.pos[0]);
      const position = { file, line: pos.line, column: pos.col };
      // The parser ran out of stack: the text is no YAML syntax error, and no configuration nests that deep.
      if (error.code === "RESOURCE_EXHAUSTION") throw new UserError("refused: the document nests too deeply to read", { position, hint: TOO_DEEP_HINT });
      throw new UserError(`invalid YAML: ${error.message.split("\n")[0]}`, { position, hint: "fix the YAML syntax at this position" });
    }
    if (content.length > 1) {
      const second = content[1]!.contents!.range[0];
      const pos = lines.linePos(second);
      throw new UserError("expected one YAML document, found several", { position: { file, line: pos.line, column: pos.col }, hint: "keep one document per configuration file" });
    }
    return new ConfigSource(file, doc, lines, plainValue(file, doc));
  }

  /** Position of the node at `path`, or of its deepest existing parent. */
  position(path: Path): SourcePosition {
    let node: unknown = this.doc.contents;
    let offset = (this.doc.contents as { range?: [number] } | null)?.range?.[0] ?? 0;
    for (const part of path) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => (isRecord(p.key) || typeof p.key === "object" ? (p.key as { value?: unknown } | null)?.value : p.key) === part);
        next = pair?.value;
        const keyRange = (pair?.key as { range?: [number] } | undefined)?.range;
        if (keyRange && !(next as { range?: unknown } | undefined)?.range) offset = keyRange[0];
      } else if (isSeq(node) && typeof part === "number") next = node.items[part];
      if (!next || !(next as { range?: [number] }).range) break;
      node = next;
      offset = (next as { range: [number] }).range[0];
    }
    const pos = this.lines.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col };
  }

  /** Position of the key that names the last element of `path` (for unknown-field errors). */
  keyPosition(path: Path): SourcePosition {
    const parent = this.doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === path[path.length - 1]);
      const range = (pair?.key as { range?: [number] } | undefined)?.range;
      if (range) {
        const pos = this.lines.linePos(range[0]);
        return { file: this.file, line: pos.line, column: pos.col };
      }
    }
    return this.position(path);
  }

  fail(path: Path, message: string, hint?: string): never {
    const field = path.length > 0 ? `${path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").replace(/^\./, "")}: ` : "";
    throw new UserError(`${field}${message}`, hint === undefined ? { position: this.position(path) } : { position: this.position(path), hint });
  }

  // Typed accessors over the plain JS value; each fails with the field's position.

  get(path: Path): unknown {
    let node: unknown = this.value;
    for (const part of path) {
      if (Array.isArray(node) && typeof part === "number") node = node[part];
      else if (isRecord(node) && typeof part === "string") node = node[part];
      else return undefined;
    }
    return node;
  }

  map(path: Path, required = false): Record<string, unknown> | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) {
      if (required) this.fail(path, "is required (a mapping)");
      return undefined;
    }
    if (!isRecord(value)) this.fail(path, `expected a mapping, found ${describe(value)}`);
    return value;
  }

  /** Refuse keys we do not know, so a typo is an error rather than a silently ignored setting. */
  onlyKeys(path: Path, allowed: readonly string[]): void {
    const value = this.map(path);
    if (!value) return;
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        throw new UserError(`${[...path, key].join(".")}: unknown field ${JSON.stringify(key)}`, { position: this.keyPosition([...path, key]), hint: `expected one of: ${allowed.join(", ")}` });
      }
    }
  }

  string(path: Path, options: { required?: boolean; oneOf?: readonly string[]; fallback?: string } = {}): string | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) {
      if (options.required) this.fail(path, options.oneOf ? `is required: one of ${options.oneOf.join(", ")}` : "is required (a string)");
      return options.fallback;
    }
    if (typeof value !== "string") this.fail(path, `expected a string, found ${describe(value)}`);
    if (options.oneOf && !options.oneOf.includes(value)) this.fail(path, `invalid value ${JSON.stringify(value)}`, `expected one of: ${options.oneOf.join(", ")}`);
    return value;
  }

  boolean(path: Path, fallback: boolean): boolean {
    const value = this.get(path);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") this.fail(path, `expected true or false, found ${describe(value)}`);
    return value;
  }

  integer(path: Path, fallback: number, range: { min: number; max: number }): number {
    const value = this.get(path);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < range.min || value > range.max) {
      this.fail(path, `expected an integer from ${range.min} to ${range.max}, found ${describe(value)}`);
    }
    return value;
  }

  strings(path: Path): string[] {
    const value = this.get(path);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, `expected a list of strings, found ${describe(value)}`);
    value.forEach((item, i) => {
      if (typeof item !== "string") this.fail([...path, i], `expected a string, found ${describe(item)}`);
    });
    return value as string[];
  }

  list(path: Path): unknown[] {
    const value = this.get(path);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, `expected a list, found ${describe(value)}`);
    return value;
  }
}

const TOO_DEEP_HINT = "configuration files nest a few levels; check that this is the file you meant";

/**
 * The document as plain values. The library refuses an alias bomb (too many aliases) and
 * overflows the stack on very deep nesting by throwing: both are the input's fault, said so.
 */
function plainValue(file: string, doc: Document): unknown {
  const position = { file, line: 1, column: 1 };
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof RangeError) throw new UserError("refused: the document nests too deeply to read", { position, hint: TOO_DEEP_HINT });
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new UserError("refused: the document uses more YAML aliases than a configuration needs (an alias bomb)", { position, hint: "expand the anchors by hand" });
    }
    throw err;
  }
}

/** Longest quoted value an error shows: a whole file read as one string (a binary file) must not flood the terminal. */
const QUOTED_VALUE_LIMIT = 60;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (isRecord(value)) return "a mapping";
  if (typeof value === "string" && value.length > QUOTED_VALUE_LIMIT) {
    return `string ${JSON.stringify(value.slice(0, QUOTED_VALUE_LIMIT)).slice(0, -1)}…" (${value.length} characters)`;
  }
  return `${typeof value} ${JSON.stringify(value)}`;
}
