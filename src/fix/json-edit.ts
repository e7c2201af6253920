import { formatFieldPath, type FieldPath } from "../k8s/types.js";
import { nest, type Edit } from "./edits.js";
import { blockJson, colonOf, inlineJson, inlineStyleOf, isInline, lineIndent, startsLine, type JsonLayout } from "./json-layout.js";
import { entryIndex, readContainer, type JsonContainer, type JsonReader, type JsonValue } from "./json-tree.js";

/**
 * One edit written into a JSON text as a splice, as text-edit.ts does for YAML: every byte
 * outside the edited value stays as it was (an inline object stays inline, a one-line file
 * stays on one line). A member or item that is added takes its container's layout: on its
 * own line at its siblings' indentation in a multi-line container, after a comma in the
 * container's own style in a one-line one. The caller checks what the new text reads as
 * (document-editor.ts).
 */

export type JsonTextEdit =
  | {
      text: string;
      model: Edit;
      /**
       * The container every change is inside, by its path and its text's old span; the text
       * around it is as it was, so it alone needs reading back. Undefined: the whole document.
       */
      anchor?: { path: FieldPath; start: number; end: number };
    }
  | { refused: string };

interface Step {
  value: JsonValue;
  /** Its entries, read when the path goes through it. */
  container?: JsonContainer;
}

function refusal(path: FieldPath, why: string): { refused: string } {
  return { refused: `${formatFieldPath(path) || "the document"} ${why}` };
}

function splice(text: string, from: number, to: number, insert: string): string {
  return text.slice(0, from) + insert + text.slice(to);
}

/** The values along `path` that exist (the last may be a null an edit fills); containers on the way read. */
function walk(reader: JsonReader, path: FieldPath): Step[] | { refused: string } {
  const steps: Step[] = [{ value: reader.rootValue() }];
  for (let i = 0; i < path.length; i++) {
    const step = steps[i]!;
    const part = path[i]!;
    if (step.value.type === "scalar") {
      if (step.value.isNull) break;
      return refusal(path.slice(0, i), "is not a map or list, so nothing can be written under it");
    }
    if ((step.value.type === "object") !== (typeof part === "string")) return refusal(path.slice(0, i), `is ${step.value.type === "object" ? "a map" : "a list"}, so it has no ${typeof part === "string" ? "field" : "item"} ${String(part)}`);
    step.container = reader.container(JSON.stringify(path.slice(0, i)), step.value);
    const index = entryIndex(step.container, part);
    if (index < 0) break;
    steps.push({ value: step.container.entries[index]!.value });
  }
  return steps;
}

/** One indent step inside a multi-line container: its entries' indentation past its own line's, else the file's. */
function unitOf(text: string, node: JsonContainer, layout: JsonLayout): string {
  const first = node.entries[0];
  if (first && startsLine(text, first.keyStart)) {
    const own = lineIndent(text, node.start);
    const inner = lineIndent(text, first.keyStart);
    if (inner.length > own.length && inner.startsWith(own)) return inner.slice(own.length);
  }
  return layout.unit || "  ";
}

function blockColonOf(text: string, node: JsonContainer | undefined, layout: JsonLayout): string {
  return (node && colonOf(text, node)) ?? layout.blockColon;
}

/** A value written where `old` is (a null, a scalar or a container it replaces), in the layout of what it replaces or of its container. */
function valueText(text: string, value: unknown, old: JsonValue, parent: JsonContainer | undefined, layout: JsonLayout): string {
  const own = old.type === "scalar" ? undefined : readContainer(text, old);
  // An empty `{}` or `[]` says nothing of its layout: its container does.
  const around = own && (own.entries.length > 0 || !isInline(text, own)) ? own : parent;
  const block = around ? !isInline(text, around) : layout.unit !== "";
  if (block) return blockJson(value, lineIndent(text, old.start), around ? unitOf(text, around, layout) : layout.unit || "  ", blockColonOf(text, around, layout));
  return inlineJson(value, around ? inlineStyleOf(text, around, layout) : layout.inline);
}

/**
 * A member (`key` given) or an item added at the end of a container. An empty container
 * lays out as its own text says, else as the container around it (or the file, for the root).
 */
function addEntry(text: string, node: JsonContainer, parent: JsonContainer | undefined, key: string | undefined, value: unknown, layout: JsonLayout): string {
  const last = node.entries.at(-1);
  const block = !isInline(text, node) || (!last && (parent ? !isInline(text, parent) : layout.unit !== ""));
  if (block) {
    const colon = blockColonOf(text, node.entries.length > 0 ? node : parent, layout);
    const unit = last || !parent ? unitOf(text, node, layout) : unitOf(text, parent, layout);
    const indent = last && startsLine(text, last.keyStart) ? lineIndent(text, last.keyStart) : lineIndent(text, node.start) + unit;
    const entry = `${key === undefined ? "" : `${JSON.stringify(key)}${colon}`}${blockJson(value, indent, unit, colon)}`;
    if (last) return splice(text, last.value.end, last.value.end, `,\n${indent}${entry}`);
    // An empty container opens over lines, its closing bracket under its own line's start.
    return splice(text, node.start + 1, node.end - 1, `\n${indent}${entry}\n${lineIndent(text, node.start)}`);
  }
  const style = inlineStyleOf(text, node, layout);
  const entry = `${key === undefined ? "" : `${JSON.stringify(key)}${style.colon}`}${inlineJson(value, style)}`;
  if (last) return splice(text, last.value.end, last.value.end, `${style.comma}${entry}`);
  return splice(text, node.start + 1, node.end - 1, `${style.pad}${entry}${style.pad}`);
}

function setText(text: string, steps: Step[], path: FieldPath, value: unknown, layout: JsonLayout): string | { refused: string } {
  const depth = steps.length - 1;
  const { value: here } = steps[depth]!;
  const parent = steps[depth - 1]?.container;
  if (depth === path.length) return splice(text, here.start, here.end, valueText(text, value, here, parent, layout));
  // The deepest value that exists takes the rest of the path as one nested value.
  const rest = path.slice(depth);
  if (here.type === "scalar") return splice(text, here.start, here.end, valueText(text, nest(rest, value), here, parent, layout));
  const node = steps[depth]!.container ?? readContainer(text, here);
  if (node.type === "array" && rest[0] !== node.entries.length) return refusal(path.slice(0, depth + 1), "is past the end of the list");
  return addEntry(text, node, parent, node.type === "object" ? String(rest[0]) : undefined, nest(rest.slice(1), value), layout);
}

function removeText(text: string, steps: Step[], path: FieldPath): string {
  // Nothing there: nothing to remove.
  if (steps.length - 1 < path.length || path.length === 0) return text;
  const parent = steps[path.length - 1]!.container!;
  const { entries } = parent;
  const index = entryIndex(parent, path[path.length - 1]!);
  // The only entry: the container stays, empty, as `{}` or `[]`.
  if (entries.length === 1) return splice(text, parent.start + 1, parent.end - 1, "");
  // Up to the next entry, so the next one takes this one's place and indentation; the last from the comma after the one before it.
  if (index < entries.length - 1) return splice(text, entries[index]!.keyStart, entries[index + 1]!.keyStart, "");
  return splice(text, entries[index - 1]!.value.end, entries[index]!.value.end, "");
}

/** The container every change of the edit is inside: the target's parent, or the deepest container on the way to a target not there yet. */
function anchorOf(steps: Step[], path: FieldPath): { path: FieldPath; start: number; end: number } | undefined {
  let index = Math.min(steps.length - 1, path.length - 1);
  if (index >= 0 && steps[index]!.value.type === "scalar") index--;
  if (index < 0) return undefined;
  const { start, end } = steps[index]!.value;
  return { path: path.slice(0, index), start, end };
}

/** Write `edit` (its path from the document's root) into the reader's text. */
export function editJsonText(reader: JsonReader, edit: Edit, layout: JsonLayout): JsonTextEdit {
  const { text } = reader;
  const steps = walk(reader, edit.path);
  if (!Array.isArray(steps)) return steps;
  const reached = steps.length - 1 === edit.path.length;
  const target = reached ? steps.at(-1)!.value : undefined;
  const holder = steps[edit.path.length - 1]?.container;
  let out: string | { refused: string };
  let model: Edit = edit;
  if (edit.op === "set") out = setText(text, steps, edit.path, edit.value, layout);
  else if (edit.op === "append") {
    if (target?.type === "array") out = addEntry(text, readContainer(text, target), holder, undefined, edit.value, layout);
    else if (target && !target.isNull) out = refusal(edit.path, "is not a list");
    else {
      model = { op: "set", path: edit.path, value: [edit.value] };
      out = setText(text, steps, edit.path, [edit.value], layout);
    }
  } else if (edit.op === "remove") out = removeText(text, steps, edit.path);
  else if (edit.op === "rename") {
    if (!reached || holder?.type !== "object") return refusal(edit.path, "is not there to rename");
    const member = holder.entries[entryIndex(holder, edit.path.at(-1)!)]!;
    out = splice(text, member.keyStart, member.keyEnd, JSON.stringify(edit.to));
  } else {
    if (!target || target.type !== "scalar" || text.charCodeAt(target.start) === 34) return refusal(edit.path, "is not a number, boolean or null to quote");
    // Quoted as written: 1.0 stays "1.0", not "1".
    const written = text.slice(target.start, target.end);
    model = { op: "set", path: edit.path, value: written };
    out = splice(text, target.start, target.end, JSON.stringify(written));
  }
  if (typeof out !== "string") return out;
  const anchor = anchorOf(steps, edit.path);
  return anchor ? { text: out, model, anchor } : { text: out, model };
}
