import { isAlias, isMap, isScalar, isSeq, visit, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { formatFieldPath, type FieldPath } from "../k8s/types.js";
import { nest, type Edit } from "./edits.js";
import { blockItemLines, blockPairLines, flowText, type Layout } from "./yaml-render.js";

/**
 * One edit written into a YAML document's text as a splice: the lines an edit does not
 * touch keep every byte (indentation, comments, quoting, flow style). The `yaml` package's
 * parse gives each node's offsets; nothing is re-printed. The caller checks what the new
 * text reads as (document-editor.ts).
 */

export type TextEdit = { text: string; model: Edit } | { refused: string };

type Collection = YAMLMap | YAMLSeq;

export interface Step {
  node: Node;
  /** The pair holding it when its parent is a map. */
  pair?: Pair;
}

/** Anchors some alias in the document refers to: editing the anchored node edits the aliases too. */
export function aliasedAnchors(doc: Document): Set<string> {
  const names = new Set<string>();
  visit(doc, { Alias: (_key, node) => void names.add(node.source) });
  return names;
}

function refusal(path: FieldPath, why: string): { refused: string } {
  return { refused: `${formatFieldPath(path) || "the document"} ${why}` };
}

function keyText(pair: Pair): string | undefined {
  const key = pair.key;
  if (!isScalar(key)) return undefined;
  return key.type === "PLAIN" && key.source !== undefined ? key.source : String(key.value);
}

/**
 * Where a walk starts: `node` stands for the first `depth` parts of the path (a list item
 * edited as its own text, yaml-item-editor.ts), so refusals still name the whole path.
 */
export interface WalkStart {
  node: Node;
  depth: number;
}

/**
 * The nodes along `path` that exist (the last one may be an empty value), refusing any way
 * through an alias, a shared anchor or a merge. Steps are indexed by depth in `path`; the
 * ones above a `from` start all hold its node (nothing reads them: edits are below it).
 */
export function walk(doc: Document, path: FieldPath, shared: ReadonlySet<string>, from?: WalkStart): Step[] | { refused: string } {
  if (!from && !doc.contents) return refusal([], "is empty");
  const start = from ?? { node: doc.contents as Node, depth: 0 };
  const steps: Step[] = Array.from({ length: start.depth + 1 }, () => ({ node: start.node }));
  for (let i = start.depth; i <= path.length; i++) {
    const node = (steps[i] as Step).node as Node;
    const here = path.slice(0, i);
    if (isAlias(node)) return refusal(here, `is a YAML alias (*${node.source}): editing it would change every place that uses the anchor`);
    if (node.anchor && shared.has(node.anchor)) return refusal(here, `carries the YAML anchor &${node.anchor} that aliases use: editing it would change them too`);
    if (i === path.length) break;
    const part = path[i] as string | number;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p) === String(part));
      if (!pair && node.items.some((p) => keyText(p) === "<<")) return refusal(here, "takes fields from a YAML merge (<<): editing it would change what the merge means");
      if (!pair?.value) break;
      steps.push({ node: pair.value as Node, pair });
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      steps.push({ node: item });
    } else if (isScalar(node) && (node.value === null || node.value === undefined)) {
      break;
    } else return refusal(here, "is not a map or list, so nothing can be written under it");
  }
  return steps;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/**
 * Where a node's text ends: its last item's end for a block collection, whose range takes in
 * the blank lines and comments after it, even comments indented as an outer key's (which
 * are that key's: what is added goes before them, and what is removed leaves them).
 */
export function contentEnd(text: string, node: Node): number {
  if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) return itemEnd(text, node.items.at(-1) as Pair | Node);
  const end = node.range?.[1] ?? 0;
  if (isScalar(node) && (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED")) return end;
  let i = end;
  while (i > (node.range?.[0] ?? 0) && /\s/.test(text.charAt(i - 1))) i--;
  return i;
}

/** Insert whole lines after the line on which `offset` falls. */
function insertLinesAfter(text: string, offset: number, lines: readonly string[]): string {
  if (offset > 0 && text.charAt(offset - 1) === "\n") return text.slice(0, offset) + lines.join("\n") + "\n" + text.slice(offset);
  const eol = text.indexOf("\n", offset);
  if (eol < 0) return `${text}\n${lines.join("\n")}`;
  return text.slice(0, eol) + "\n" + lines.join("\n") + text.slice(eol);
}

/**
 * Past the comment lines right after `offset`'s line that are indented more than `column`:
 * they are the content's above (a commented-out item, say), so lines added at `column` go
 * after them; a blank line or a comment at or left of `column` is what comes next.
 */
function afterDeeperComments(text: string, offset: number, column: number): number {
  let at = offset > 0 && text.charAt(offset - 1) === "\n" ? offset - 1 : text.indexOf("\n", offset);
  while (at >= 0) {
    const next = text.indexOf("\n", at + 1);
    const line = text.slice(at + 1, next < 0 ? text.length : next);
    const comment = /^( *)#/.exec(line);
    if (!comment || (comment[1]?.length ?? 0) <= column) break;
    if (next < 0) return text.length;
    at = next;
  }
  return at < 0 ? text.length : at;
}

function splice(text: string, from: number, to: number, insert: string): string {
  return text.slice(0, from) + insert + text.slice(to);
}

/** The end of an item: a pair's value (or key), a list item. */
function itemEnd(text: string, item: Pair | Node): number {
  if (isScalar(item) || isMap(item) || isSeq(item) || isAlias(item)) return contentEnd(text, item);
  const pair = item as Pair;
  const value = pair.value as Node | null;
  if (value && value.range && value.range[1] > value.range[0]) return contentEnd(text, value);
  return (pair.key as Node).range?.[1] ?? 0;
}

function itemStart(item: Pair | Node): number {
  return isMap(item) || isSeq(item) || isScalar(item) || isAlias(item) ? (item.range?.[0] ?? 0) : ((item as Pair).key as Node).range?.[0] ?? 0;
}

function addToMap(text: string, map: YAMLMap, key: string, value: unknown, layout: Layout): string {
  if (map.flow) {
    const last = map.items.at(-1);
    if (!last) {
      const open = text.indexOf("{", map.range?.[0] ?? 0);
      return splice(text, open + 1, open + 1, `${flowText({ [key]: value }).slice(1, -1)}`);
    }
    const at = itemEnd(text, last);
    return splice(text, at, at, `, ${flowText({ [key]: value }).slice(1, -1)}`);
  }
  const first = map.items[0] as Pair;
  const column = columnOf(text, itemStart(first));
  return insertLinesAfter(text, afterDeeperComments(text, itemEnd(text, map.items.at(-1) as Pair), column), blockPairLines(key, value, column, layout));
}

function addToSeq(text: string, seq: YAMLSeq, value: unknown, layout: Layout): string {
  if (seq.flow) {
    const last = seq.items.at(-1) as Node | undefined;
    if (!last) {
      const open = text.indexOf("[", seq.range?.[0] ?? 0);
      return splice(text, open + 1, open + 1, flowText(value));
    }
    const at = itemEnd(text, last);
    return splice(text, at, at, `, ${flowText(value)}`);
  }
  const dash = seq.range?.[0] ?? 0;
  const first = seq.items[0] as Node;
  const gap = Math.max(2, (first.range?.[0] ?? dash + 2) - dash);
  return insertLinesAfter(text, afterDeeperComments(text, itemEnd(text, seq.items.at(-1) as Node), columnOf(text, dash)), blockItemLines(value, columnOf(text, dash), gap, layout));
}

/** A value that is empty (`key:`, `key: ~`) given content: flow on the key's line for scalars, block lines below for collections. */
function fillNull(text: string, pair: Pair, node: Node, value: unknown, layout: Layout): string {
  const [start, end] = [node.range?.[0] ?? 0, node.range?.[1] ?? 0];
  if (typeof value !== "object" || value === null || (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0)) {
    return start === end ? splice(text, start, end, ` ${flowText(value)}`) : splice(text, start, end, flowText(value));
  }
  const keyColumn = columnOf(text, (pair.key as Node).range?.[0] ?? 0);
  // `key: null` loses the word and, when nothing follows on its line, the space before it (no trailing blanks).
  const eol = text.indexOf("\n", end);
  const restOfLine = text.slice(end, eol < 0 ? text.length : eol);
  let from = start;
  if (/^[ \t\r]*$/.test(restOfLine)) while (from > 0 && (text.charAt(from - 1) === " " || text.charAt(from - 1) === "\t")) from--;
  const cleared = splice(text, from, end, "");
  const lines = Array.isArray(value)
    ? value.flatMap((item) => blockItemLines(item, keyColumn + (layout.indentSeq ? layout.indent : 0), 2, layout))
    : Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => blockPairLines(k, v, keyColumn + layout.indent, layout));
  return insertLinesAfter(cleared, from, lines);
}

function setText(text: string, steps: Step[], path: FieldPath, value: unknown, layout: Layout): string | { refused: string } {
  const depth = steps.length - 1;
  const deepest = steps[depth] as Step;
  if (depth === path.length) {
    const node = deepest.node as Node;
    if (isScalar(node) && (node.value === null || node.value === undefined) && deepest.pair) return fillNull(text, deepest.pair, node, value, layout);
    const end = isScalar(node) ? (node.range?.[1] ?? 0) : contentEnd(text, node);
    return splice(text, node.range?.[0] ?? 0, end, flowText(value));
  }
  // The deepest node that exists takes the rest of the path as one nested value.
  const holder = deepest.node as Node;
  const rest = path.slice(depth);
  const first = rest[0] as string | number;
  if (isMap(holder) && typeof first === "string") {
    if (holder.items.length === 0 && !holder.flow) return refusal(path.slice(0, depth), "is an empty block map");
    return addToMap(text, holder, first, nest(rest.slice(1), value), layout);
  }
  if (isSeq(holder) && typeof first === "number" && first === holder.items.length && (holder.items.length > 0 || holder.flow)) return addToSeq(text, holder, nest(rest.slice(1), value), layout);
  if (isScalar(holder) && (holder.value === null || holder.value === undefined) && deepest.pair) return fillNull(text, deepest.pair, holder, nest(rest, value), layout);
  return refusal(path.slice(0, depth), "cannot hold the new field");
}

function removeText(text: string, steps: Step[], path: FieldPath): string | { refused: string } {
  if (steps.length - 1 < path.length) return text;
  const parent = steps[path.length - 1]?.node as Collection;
  const last = path[path.length - 1];
  const items = parent.items as Array<Pair | Node>;
  const index = isMap(parent) ? items.findIndex((p) => keyText(p as Pair) === String(last)) : (last as number);
  const item = items[index] as Pair | Node;
  if (items.length === 1) {
    // The collection stays, empty: `{}` or `[]` where it was.
    const empty = isMap(parent) ? "{}" : "[]";
    if (parent.flow) return splice(text, itemStart(item), itemEnd(text, item), "");
    // On the key's line: below it, a flow collection would need more indentation than the key has.
    const holder = steps[path.length - 1]?.pair;
    const colon = holder ? text.indexOf(":", (holder.key as Node).range?.[1] ?? 0) : -1;
    if (holder && colon >= 0 && colon < (parent.range?.[0] ?? 0)) return splice(text, colon + 1, contentEnd(text, parent), ` ${empty}`);
    return splice(text, parent.range?.[0] ?? 0, contentEnd(text, parent), empty);
  }
  if (parent.flow) {
    const next = items[index + 1];
    if (next) return splice(text, itemStart(item), itemStart(next), "");
    return splice(text, itemEnd(text, items[index - 1] as Pair | Node), itemEnd(text, item), "");
  }
  // A block item: its whole lines, or, when it starts on a line it shares (`- name: x`), up to the next item.
  const dashOf = (node: Pair | Node) => text.lastIndexOf("-", itemStart(node) - 1);
  let start = isSeq(parent) ? dashOf(item) : itemStart(item);
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const next = items[index + 1];
  if (/^\s*$/.test(text.slice(lineStart, start))) start = lineStart;
  else if (next) return splice(text, start, isSeq(parent) ? dashOf(next) : itemStart(next), "");
  else return refusal(path, "shares its line with the item above it");
  const end = itemEnd(text, item);
  const eol = text.charAt(end - 1) === "\n" ? end : text.indexOf("\n", end);
  return splice(text, start, eol < 0 ? text.length : eol + 1, "");
}

/** Write `edit` (its path from the document's root, or from `from`'s node on) into `text`, parsed as `doc`. */
export function editText(text: string, doc: Document, edit: Edit, layout: Layout, shared: ReadonlySet<string>, from?: WalkStart): TextEdit {
  const steps = walk(doc, edit.path, shared, from);
  if (!Array.isArray(steps)) return steps;
  const reached = steps.length - 1 === edit.path.length;
  const target = reached ? (steps[steps.length - 1] as Step).node : undefined;
  let out: string | { refused: string };
  let model: Edit = edit;
  if (edit.op === "set") out = setText(text, steps, edit.path, edit.value, layout);
  else if (edit.op === "append") {
    if (target && isSeq(target) && (target.items.length > 0 || target.flow)) out = addToSeq(text, target, edit.value, layout);
    else if (target && !(isScalar(target) && target.value === null)) out = refusal(edit.path, "is not a list");
    else {
      out = setText(text, steps, edit.path, [edit.value], layout);
      model = { op: "set", path: edit.path, value: [edit.value] };
    }
  } else if (edit.op === "remove") out = removeText(text, steps, edit.path);
  else if (edit.op === "rename") {
    const pair = steps[steps.length - 1]?.pair;
    if (!reached || !pair) return refusal(edit.path, "is not there to rename");
    const key = pair.key as Node;
    out = splice(text, key.range?.[0] ?? 0, key.range?.[1] ?? 0, flowText(edit.to));
  } else {
    if (!target || !isScalar(target) || target.type !== "PLAIN" || !target.range) return refusal(edit.path, "is not a plain scalar to quote");
    // Quoted as written: `1.0`, `yes`, `0644` become the text they were typed as.
    const written = text.slice(target.range[0], target.range[1]);
    out = splice(text, target.range[0], target.range[1], JSON.stringify(written));
    model = { op: "set", path: edit.path, value: written };
  }
  return typeof out === "string" ? { text: out, model } : out;
}
