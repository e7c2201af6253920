import { Document, isScalar, visit } from "yaml";
import { resolvePlainScalar } from "../k8s/yaml-scalars.js";

/**
 * New values as YAML text, for insertion into a user's file. Kubernetes reads YAML 1.1
 * words (yes, on, 0644): a string that such a reader would take for something else is
 * double-quoted, so the value read back is the value meant.
 */

export interface Layout {
  /** Spaces per nesting level of block maps. */
  indent: number;
  /** Whether a block list under a key is indented past the key (`key:\n  - a`) or not (`key:\n- a`). */
  indentSeq: boolean;
}

function documentOf(value: unknown, flow: boolean): Document {
  const doc = new Document(value, { version: "1.1" });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && typeof resolvePlainScalar(node.value) !== "string") node.type = "QUOTE_DOUBLE";
    },
    Map(_key, node) {
      if (flow) node.flow = true;
    },
    Seq(_key, node) {
      if (flow) node.flow = true;
    },
  });
  if (flow && isScalar(doc.contents) && typeof doc.contents.value === "string" && /\n/.test(doc.contents.value)) doc.contents.type = "QUOTE_DOUBLE";
  return doc;
}

/** The value on one line: `false`, `[ALL]`, `{type: RuntimeDefault}`. */
export function flowText(value: unknown): string {
  return documentOf(value, true).toString({ flowCollectionPadding: false, lineWidth: 0 }).replace(/\n$/, "");
}

/** `key: value` as block lines, each prefixed with `indent` spaces. */
export function blockPairLines(key: string, value: unknown, indent: number, layout: Layout): string[] {
  return prefixLines(documentOf({ [key]: value }, false).toString({ indent: layout.indent, indentSeq: layout.indentSeq, lineWidth: 0 }), " ".repeat(indent));
}

/** `- value` as block lines: the dash at `dashColumn`, the item's own lines `gap` columns after it. */
export function blockItemLines(value: unknown, dashColumn: number, gap: number, layout: Layout): string[] {
  const body = documentOf(value, false).toString({ indent: layout.indent, indentSeq: layout.indentSeq, lineWidth: 0 }).replace(/\n$/, "").split("\n");
  const pad = " ".repeat(dashColumn);
  return body.map((line, i) => (i === 0 ? `${pad}-${" ".repeat(gap - 1)}${line}` : line === "" ? line : `${pad}${" ".repeat(gap)}${line}`));
}

function prefixLines(text: string, pad: string): string[] {
  return text.replace(/\n$/, "").split("\n").map((line) => (line === "" ? line : `${pad}${line}`));
}
