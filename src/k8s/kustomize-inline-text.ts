/**
 * YAML written inside a kustomization as a literal block scalar — an inline patch
 * (`patch: |-`), JSON 6902 operations, an inline `transformers:` entry — is text kustomize
 * parses on its own. Its lines are the file's lines, each indented by the same amount, so
 * a field inside it can be pointed at in the kustomization file itself: the line a user
 * edits, instead of the entry as a whole.
 */
import type { SourcePosition } from "../findings/types.js";
import { DocumentLocator } from "./locate.js";
import type { FieldPath } from "./types.js";

/** A literal block scalar's header at the end of a line (`key: |`, `- |-`, `|+ # comment`); no indentation indicator. */
const LITERAL_HEADER = /(?:^|[\s:-])\|[-+]?[ \t]*(?:#.*)?$/;

/**
 * Where the fields of `value` are in the file, when `value` is written as a literal block
 * scalar whose header is on line `at.line` (1-based, the line of its key or sequence item);
 * undefined when it is written otherwise (quoted, folded, flow) or its lines do not read
 * back as `value`, where the entry's own position is the honest answer.
 */
export function inlineTextLocator(fileText: string, at: SourcePosition, value: string): ((path: FieldPath) => SourcePosition) | undefined {
  const lines = fileText.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  const header = lines[at.line - 1];
  if (header === undefined || !LITERAL_HEADER.test(header.slice(at.column - 1))) return undefined;
  const ownIndent = header.search(/\S/);
  let first = at.line;
  while (first < lines.length && (lines[first] as string).trim() === "") first++;
  const indent = (lines[first] ?? "").search(/\S/);
  if (indent <= ownIndent) return undefined;
  let end = first;
  while (end < lines.length && ((lines[end] as string).trim() === "" || (lines[end] as string).search(/\S/) >= indent)) end++;
  const body = lines.slice(at.line, end).map((line) => line.slice(indent)).join("\n");
  // Chomping (|, |-, |+) only decides the trailing line breaks.
  if (body.replace(/\n+$/, "") !== value.replace(/\n+$/, "")) return undefined;
  const locator = new DocumentLocator(value);
  return (path) => {
    const p = locator.locate(path);
    return { file: at.file, line: at.line + 1 + p.line, column: indent + p.column + 1 };
  };
}
