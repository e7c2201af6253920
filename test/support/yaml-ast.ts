import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import type { FieldPath } from "../../src/k8s/types.js";

/**
 * An independent answer for positions, straight from the `yaml` library's AST: the key (or
 * item) of the deepest node on the path that exists, 0-based. The text is parsed once.
 */
export function yamlAstLocator(text: string): (path: FieldPath) => { line: number; column: number } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  return (path) => {
    let node = doc.contents as YamlNode | null;
    let offset = node?.range?.[0] ?? 0;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => String((p.key as { value?: unknown }).value) === String(part));
        if (!pair) break;
        offset = (pair.key as YamlNode).range?.[0] ?? offset;
        node = pair.value as YamlNode | null;
      } else if (isSeq(node) && typeof part === "number") {
        const item = node.items[part] as YamlNode | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    const p = lc.linePos(offset);
    return { line: p.line - 1, column: p.col - 1 };
  };
}
