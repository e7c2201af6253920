/**
 * Text edits shared by the two passes that rewrite mapping keys before js-yaml reads a
 * document (go-map-keys.ts: keys kubectl reads as numbers; go-merge-keys.ts: merge keys).
 *
 * A rewritten key loses its properties (`&anchor`, `!tag`) with it: a tag would make js-yaml
 * read the new text as something else (`!!merge` makes js-yaml merge whatever the key says),
 * and an anchor would hand the new text to every alias of it. Yet go-yaml v2 gives an alias
 * of a key the key's own node, read where the alias stands: `&k 1.5: x` then `b: *k` is the
 * number 1.5, and an alias of `<<` is the text "<<" (an alias is never a merge key). So each
 * alias of a rewritten key is rewritten too, to the text kubectl reads there.
 */
import type * as YamlLibrary from "yaml";
import type { Alias, Document, Node as YamlNode } from "yaml";

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** What ends a plain property token: whitespace and the flow indicators. */
const TOKEN_END = /[\s,{}[\]]/;

/**
 * Where a node's properties (`&anchor`, `!tag`, in either order; at most one of each) start on
 * its line, or the node's own start. Read backwards, token by token, rather than with one
 * regular expression: a pattern that lets a run of properties repeat before the node can take
 * exponential time on a line of many `!<a>` that ends in something else (hostile input).
 */
export function propertiesStart(text: string, nodeStart: number): number {
  const lineStart = text.lastIndexOf("\n", nodeStart - 1) + 1;
  let start = nodeStart;
  for (let properties = 0; properties < 2; properties++) {
    let end = start;
    while (end > lineStart && (text[end - 1] === " " || text[end - 1] === "\t")) end--;
    // A property is separated from what follows it by blanks.
    if (end === start) break;
    const token = propertyTokenStart(text, lineStart, end);
    if (token === undefined) break;
    start = token;
  }
  return start;
}

/** The start of the tag or anchor that ends at `end`, or undefined when the token there is neither. */
function propertyTokenStart(text: string, lineStart: number, end: number): number | undefined {
  let start = end;
  // A verbatim tag (`!<tag:yaml.org,2002:merge>`) may hold what ends any other token (a comma).
  const verbatim = text[end - 1] === ">" ? text.lastIndexOf("!<", end - 2) : -1;
  if (verbatim >= lineStart && text.indexOf(">", verbatim) === end - 1) start = verbatim;
  else while (start > lineStart && !TOKEN_END.test(text[start - 1] as string)) start--;
  if (start === end || (text[start] !== "!" && text[start] !== "&")) return undefined;
  // It must stand alone: at the line's start, or after a blank or a flow indicator.
  return start === lineStart || TOKEN_END.test(text[start - 1] as string) ? start : undefined;
}

/**
 * An edit for each alias of one of `rewritten`'s nodes (its anchor named by the node's
 * `anchor`), to the text the map gives for it; `keys` says whether aliases written as
 * mapping keys are included (go-map-keys.ts rewrites those itself).
 */
export function aliasEdits(lib: typeof YamlLibrary, doc: Document, rewritten: ReadonlyMap<YamlNode, string>, keys: boolean): TextEdit[] {
  const anchors = new Set<string>();
  for (const node of rewritten.keys()) if (node.anchor) anchors.add(node.anchor);
  if (anchors.size === 0) return [];
  const edits: TextEdit[] = [];
  lib.visit(doc, {
    Alias(key, alias: Alias) {
      if ((!keys && key === "key") || !anchors.has(alias.source) || !alias.range) return;
      const target = alias.resolve(doc) as YamlNode | undefined;
      const text = target && rewritten.get(target);
      if (text !== undefined) edits.push({ start: alias.range[0], end: alias.range[1], text });
    },
  });
  return edits;
}

/** The text with the edits (which do not overlap) made. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let rewritten = "";
  let from = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    rewritten += text.slice(from, edit.start) + edit.text;
    from = edit.end;
  }
  return rewritten + text.slice(from);
}

/**
 * The properties (`!!str &a `) written right before an empty key on its line, as in
 * `!!str : x`: go-yaml and js-yaml give them to the empty key, where the `yaml` library
 * gives those of a mapping's first pair to the mapping. "" when there are none or the key
 * is not such an empty plain scalar.
 */
export function emptyKeyProperties(lib: typeof YamlLibrary, text: string, key: unknown): string {
  if (!lib.isScalar(key) || key.tag !== undefined || key.anchor !== undefined || key.source !== "" || key.type !== "PLAIN" || !key.range) return "";
  return text.slice(propertiesStart(text, key.range[0]), key.range[0]);
}
