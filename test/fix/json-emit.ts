import fc from "fast-check";
import { isRecord, type FieldPath } from "../../src/k8s/types.js";

/**
 * JSON as people and tools write it by hand: indented, with some objects and lists kept on
 * one line (`"resources": {"limits": {"cpu": "1"}}`), in one of several house styles. The
 * emitter says, line by line, which containers an added entry would touch there, so a test
 * can tell which lines an edit may change and which must stay byte for byte.
 */

export interface JsonStyle {
  /** One indent step: spaces or a tab. */
  unit: string;
  /** Which containers are written on one line (a hash of their path against it). */
  seed: number;
  /** The whole document on one line. */
  oneLine: boolean;
  colon: string;
  comma: string;
  pad: string;
}

export const jsonStyle: fc.Arbitrary<JsonStyle> = fc
  .record({
    unit: fc.constantFrom("  ", "    ", "\t"),
    seed: fc.nat(),
    oneLine: fc.constantFrom(false, false, false, true),
    compact: fc.boolean(),
    pad: fc.constantFrom("", " "),
  })
  .map(({ compact, ...s }) => ({ ...s, colon: compact ? ":" : ": ", comma: compact ? "," : ", ", pad: compact ? "" : s.pad }));

/** Where an added entry goes for a container: after its last entry on that line (`tail`, `inline`), or the container opened over lines (`empty`). */
export interface Owner {
  path: FieldPath;
  kind: "tail" | "inline" | "empty";
}

export interface EmittedJson {
  text: string;
  /** Per line of `text`, the containers an added entry would change on that line. */
  owners: Owner[][];
}

function hash(seed: number, path: FieldPath): number {
  let h = seed >>> 0;
  for (const ch of JSON.stringify(path)) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return h;
}

export function emitJson(value: unknown, s: JsonStyle): EmittedJson {
  const lines = [""];
  const owners: Owner[][] = [[]];
  const write = (t: string): void => {
    lines[lines.length - 1] += t;
  };
  const newline = (depth: number) => {
    lines.push(s.unit.repeat(depth));
    owners.push([]);
  };
  const own = (path: FieldPath, kind: Owner["kind"]): void => {
    owners[owners.length - 1]!.push({ path, kind });
  };
  const emit = (v: unknown, path: FieldPath, depth: number, inlineParent: boolean): void => {
    if (!Array.isArray(v) && !isRecord(v)) return write(JSON.stringify(v));
    const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
    const keyText = (k: string | number, colon: string) => (typeof k === "number" ? "" : `${JSON.stringify(k)}${colon}`);
    if (entries.length === 0) {
      write(`${open}${close}`);
      return own(path, inlineParent ? "inline" : "empty");
    }
    const inline = inlineParent || (path.length === 0 ? s.oneLine : hash(s.seed, path) % 3 === 0);
    if (inline) {
      write(open + s.pad);
      entries.forEach(([k, x], i) => {
        write(keyText(k, s.colon));
        emit(x, [...path, k], depth, true);
        if (i < entries.length - 1) write(s.comma);
      });
      write(s.pad + close);
      return own(path, "inline");
    }
    write(open);
    entries.forEach(([k, x], i) => {
      newline(depth + 1);
      write(keyText(k, ": "));
      emit(x, [...path, k], depth + 1, false);
      if (i < entries.length - 1) write(",");
      else own(path, "tail");
    });
    newline(depth);
    write(close);
  };
  emit(value, [], 0, false);
  return { text: lines.join("\n"), owners };
}

/** Whether `small`'s characters all appear in `big`, in order: `big` only added to it. */
export function isSubsequence(small: string, big: string): boolean {
  let at = 0;
  for (const ch of small) {
    at = big.indexOf(ch, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}
