import { isMap, isNode, isScalar, isSeq, type Node } from "yaml";

/**
 * A JSON document written back as JSON, after edits made through the `yaml` package's
 * Document API (JSON is YAML): keys in their order, numbers and strings as they were
 * written (a 20-digit integer keeps its digits), the file's own indentation. A value
 * the edits made is written as JSON.stringify writes it.
 */

/** The indentation of a JSON text: "" for one line, a tab, or the smallest step of spaces. */
export function jsonIndent(text: string): string {
  if (!/\n\s*\S/.test(text.trimEnd())) return "";
  let smallest = Infinity;
  for (const m of text.matchAll(/\n([ \t]+)\S/g)) {
    const lead = m[1] as string;
    if (lead.startsWith("\t")) return "\t";
    smallest = Math.min(smallest, lead.length);
  }
  return Number.isFinite(smallest) ? " ".repeat(smallest) : "";
}

function scalarText(node: Node, source: string): string {
  const value = isScalar(node) ? node.value : null;
  const range = node.range;
  const written = range ? source.slice(range[0], range[1]) : undefined;
  if (written !== undefined) {
    try {
      // The text as written, when it still reads as the node's value (an edit may have changed it).
      const read: unknown = JSON.parse(written);
      if (read === value) return written;
    } catch {
      // not a JSON token on its own: written anew below
    }
  }
  return JSON.stringify(value ?? null);
}

export function jsonText(root: unknown, source: string, indent: string): string {
  const newline = indent === "" ? "" : "\n";
  const colon = indent === "" ? ":" : ": ";
  const write = (node: unknown, depth: number): string => {
    // A key the edits added is a plain string, not a node.
    if (!isNode(node)) return JSON.stringify(node ?? null);
    const pad = indent.repeat(depth + 1);
    const end = newline + indent.repeat(depth);
    if (isMap(node)) {
      if (node.items.length === 0) return "{}";
      return `{${newline}${node.items.map((p) => `${pad}${write(p.key, depth + 1)}${colon}${write(p.value, depth + 1)}`).join(`,${newline}`)}${end}}`;
    }
    if (isSeq(node)) {
      if (node.items.length === 0) return "[]";
      return `[${newline}${node.items.map((item) => `${pad}${write(item, depth + 1)}`).join(`,${newline}`)}${end}]`;
    }
    return scalarText(node, source);
  };
  return write(root, 0);
}
