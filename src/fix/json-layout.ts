import { readContainer, type JsonContainer, type JsonValue } from "./json-tree.js";

/**
 * How a JSON text lays itself out, so that what an edit inserts looks like its neighbours:
 * the indent step of its multi-line containers, and the separators and padding of the
 * containers written on one line. A container is judged by its own text first (its
 * members' indentation, its own commas); the file's habits fill in what it cannot say
 * (a container with a single member shows no comma, an empty one nothing at all).
 */

export interface InlineStyle {
  /** After a key's colon: `"a": 1` or `"a":1`. */
  colon: string;
  /** Between entries, comma included: `, ` or `,`. */
  comma: string;
  /** Inside the brackets of a non-empty container: `{ "a": 1 }` or `{"a": 1}`. */
  pad: string;
}

export interface JsonLayout {
  /** One indent step of multi-line containers (spaces or a tab); "" for a file on one line. */
  unit: string;
  /** The colon of multi-line containers' members. */
  blockColon: string;
  inline: InlineStyle;
}

/** A container written on one line (an empty one too). */
export function isInline(text: string, node: JsonValue): boolean {
  const newline = text.indexOf("\n", node.start);
  return newline < 0 || newline >= node.end;
}

/** The whitespace a line starts with, for the line that holds `offset`. */
export function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))?.[0] ?? "";
}

/** Whether only whitespace precedes `offset` on its line. */
export function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(text.lastIndexOf("\n", offset - 1) + 1, offset));
}

/** The text between a member's key and its value, colon included: `: `. */
export function colonOf(text: string, node: JsonContainer): string | undefined {
  const first = node.type === "object" ? node.entries[0] : undefined;
  const between = first ? text.slice(first.keyEnd, first.value.start) : undefined;
  // A value on the line after its key says nothing about the colon's spacing.
  return between?.includes("\n") ? undefined : between;
}

function commaOf(text: string, node: JsonContainer): string | undefined {
  return node.entries.length > 1 ? text.slice(node.entries[0]!.value.end, node.entries[1]!.keyStart) : undefined;
}

function padOf(text: string, node: JsonContainer): string | undefined {
  return node.entries.length > 0 ? text.slice(node.start + 1, node.entries[0]!.keyStart) : undefined;
}

/** The file's layout, from the first containers that show each habit. */
export function detectJsonLayout(text: string, root: JsonValue): JsonLayout {
  let unit: string | undefined;
  let blockColon: string | undefined;
  let colon: string | undefined;
  let comma: string | undefined;
  let pad: string | undefined;
  const stack: JsonValue[] = [root];
  while (stack.length > 0 && (unit === undefined || blockColon === undefined || colon === undefined || comma === undefined || pad === undefined)) {
    const value = stack.pop()!;
    if (value.type === "scalar") continue;
    const node = readContainer(text, value);
    if (isInline(text, node)) {
      if (node.type === "object") colon ??= colonOf(text, node);
      comma ??= commaOf(text, node);
      pad ??= padOf(text, node);
    } else {
      if (node.type === "object") blockColon ??= colonOf(text, node);
      const first = node.entries[0];
      if (first && startsLine(text, first.keyStart)) {
        const own = lineIndent(text, node.start);
        const inner = lineIndent(text, first.keyStart);
        if (inner.length > own.length && inner.startsWith(own)) unit ??= inner.slice(own.length);
      }
    }
    for (let i = node.entries.length - 1; i >= 0; i--) stack.push(node.entries[i]!.value);
  }
  const multiLine = text.trim().includes("\n");
  unit ??= multiLine ? "  " : "";
  blockColon ??= ": ";
  // A file of one line is compact JSON unless its containers say otherwise.
  colon ??= multiLine ? ": " : ":";
  comma ??= colon === ":" ? "," : ", ";
  return { unit, blockColon, inline: { colon, comma, pad: pad ?? "" } };
}

/** A container's own one-line style where it shows one, else the file's. */
export function inlineStyleOf(text: string, node: JsonContainer, layout: JsonLayout): InlineStyle {
  return {
    colon: colonOf(text, node) ?? layout.inline.colon,
    comma: commaOf(text, node) ?? layout.inline.comma,
    pad: padOf(text, node) ?? layout.inline.pad,
  };
}

/** A new value on one line. */
export function inlineJson(value: unknown, style: InlineStyle): string {
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[${style.pad}${value.map((v) => inlineJson(v, style)).join(style.comma)}${style.pad}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    return `{${style.pad}${entries.map(([k, v]) => `${JSON.stringify(k)}${style.colon}${inlineJson(v, style)}`).join(style.comma)}${style.pad}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A new value over lines: its inner lines indented one `unit` past `base`, its closing bracket at `base`. */
export function blockJson(value: unknown, base: string, unit: string, colon: string): string {
  const inner = base + unit;
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[\n${value.map((v) => inner + blockJson(v, inner, unit, colon)).join(",\n")}\n${base}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}${colon}${blockJson(v, inner, unit, colon)}`).join(",\n")}\n${base}}`;
  }
  return JSON.stringify(value) ?? "null";
}
