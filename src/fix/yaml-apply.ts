import { isAlias, isCollection, isMap, isScalar, isSeq, type Document } from "yaml";
import type { FieldPath } from "../k8s/types.js";
import { sortEdits, type Edit } from "./edits.js";

/**
 * Apply edits to a document through the `yaml` package's Document API, touching only the
 * nodes on the edited paths: key order and every other node stay as they were parsed.
 * JSON files are edited so (and written as JSON again, json-out.ts); YAML text is edited
 * as text instead (text-edit.ts), so that no line is re-printed.
 */

/** Make every collection on the way to `path`'s parent exist, replacing an empty (null) value. */
function ensureParents(doc: Document, path: FieldPath): void {
  for (let i = 1; i < path.length; i++) {
    const prefix = path.slice(0, i);
    const node = doc.getIn(prefix, true);
    if (isAlias(node)) throw new Error(`${prefix.join(".")} is a YAML alias (*${node.source}); editing it would change every place that uses the anchor`);
    if (node === undefined || node === null || (isScalar(node) && (node.value === null || node.value === undefined))) {
      doc.setIn(prefix, doc.createNode(typeof path[i] === "number" ? [] : {}));
    } else if (!isCollection(node)) {
      throw new Error(`cannot edit ${path.join(".")}: ${prefix.join(".")} is not a map or list`);
    }
  }
}

export function applyToDocument(doc: Document, prefix: FieldPath, edits: readonly Edit[]): void {
  for (const edit of sortEdits(edits)) {
    const path = [...prefix, ...edit.path];
    const target = doc.getIn(path, true);
    if (isAlias(target)) throw new Error(`${path.join(".")} is a YAML alias (*${target.source}); editing it would change every place that uses the anchor`);
    if (edit.op === "set") {
      ensureParents(doc, path);
      doc.setIn(path, doc.createNode(edit.value));
    } else if (edit.op === "quote") {
      // Quoted as written: `1.0`, `yes`, `0644` become the text they were typed as.
      if (!isScalar(target)) throw new Error(`cannot quote ${path.join(".")}: not a scalar`);
      target.value = target.source ?? String(target.value);
      target.type = "QUOTE_DOUBLE";
    } else if (edit.op === "rename") {
      // The pair keeps its value node and its comments; only the key's text changes.
      const parent = doc.getIn(path.slice(0, -1), true);
      const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]) : undefined;
      if (!pair || !isScalar(pair.key)) throw new Error(`cannot rename ${path.join(".")}: no such key`);
      pair.key.value = edit.to;
    } else if (edit.op === "append") {
      ensureParents(doc, path);
      const list = doc.getIn(path, true);
      if (isSeq(list)) list.add(doc.createNode(edit.value));
      else doc.setIn(path, doc.createNode([edit.value]));
    } else {
      doc.deleteIn(path);
    }
  }
}
