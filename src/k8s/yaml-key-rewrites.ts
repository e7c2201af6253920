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

/** Where a node's properties (`&anchor`, `!tag`, in either order) start on its line, or the node's own start. */
export function propertiesStart(text: string, nodeStart: number): number {
  const lineStart = text.lastIndexOf("\n", nodeStart - 1) + 1;
  const before = text.slice(lineStart, nodeStart);
  // A verbatim tag (`!<tag:yaml.org,2002:merge>`) may hold what ends any other (a comma).
  const properties = /(?:(?:!<[^>]*>|[!&][^\s,{}[\]]*)[ \t]+)+$/.exec(before);
  return properties ? lineStart + properties.index : nodeStart;
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
