import { isRecord, type FieldPath } from "../k8s/types.js";

/**
 * The small edits `palisade fix` makes, as data: set a field (creating the maps on the
 * way), append to a list, remove a list item, rename a key (a misspelt field, its value
 * and comments kept), or quote a scalar as written (`version: 1.0` → `version: "1.0"`).
 * The same edits apply to plain JSON (the value an edited text must read as), to a YAML
 * document's text (text-edit.ts) and to a JSON document's text (json-edit.ts).
 */
export type Edit =
  | { op: "set"; path: FieldPath; value: unknown }
  | { op: "append"; path: FieldPath; value: unknown }
  | { op: "remove"; path: FieldPath }
  | { op: "rename"; path: FieldPath; to: string }
  | { op: "quote"; path: FieldPath };

/** A nested value holding `value` at `rest` (["securityContext", "runAsNonRoot"] → {securityContext: {runAsNonRoot: v}}). */
export function nest(rest: FieldPath, value: unknown): unknown {
  return rest.reduceRight<unknown>((inner, part) => (typeof part === "number" ? [inner] : { [part]: inner }), value);
}

function parentOf(root: unknown, path: FieldPath, create: boolean): Record<string | number, unknown> | unknown[] | undefined {
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string | number;
    const container = node as Record<string | number, unknown>;
    let next = container[key];
    if ((next === undefined || next === null) && create) {
      next = typeof path[i + 1] === "number" ? [] : {};
      container[key] = next;
    }
    if (!isRecord(next) && !Array.isArray(next)) return undefined;
    node = next;
  }
  return node as Record<string | number, unknown>;
}

/** Apply edits to a JSON value in place. Removals must come last, highest index first (see `sortEdits`). */
export function applyToJson(root: unknown, edits: readonly Edit[]): void {
  for (const edit of sortEdits(edits)) {
    const last = edit.path[edit.path.length - 1] as string | number;
    if (edit.op === "set") {
      // A parent of another type (a string where a map belongs) takes no edit: such objects are refused before (undecodable.ts).
      const parent = parentOf(root, edit.path, true) as Record<string | number, unknown> | undefined;
      if (parent) parent[last] = structuredClone(edit.value);
    } else if (edit.op === "append") {
      const parent = parentOf(root, edit.path, true) as Record<string | number, unknown> | undefined;
      if (!parent) continue;
      const list = parent[last];
      if (Array.isArray(list)) list.push(structuredClone(edit.value));
      else parent[last] = [structuredClone(edit.value)];
    } else if (edit.op === "quote") {
      // The YAML side keeps the scalar's text as written (1.0 stays "1.0"); plain JSON has
      // only the value read, whose text form is what the checks that follow can see.
      const parent = parentOf(root, edit.path, false);
      if (isRecord(parent) && typeof last === "string" && last in parent) parent[last] = String(parent[last]);
      else if (Array.isArray(parent) && typeof last === "number" && last < parent.length) parent[last] = String(parent[last]);
    } else if (edit.op === "rename") {
      const parent = parentOf(root, edit.path, false);
      if (isRecord(parent) && typeof last === "string" && last in parent) {
        parent[edit.to] = parent[last];
        delete parent[last];
      }
    } else {
      const parent = parentOf(root, edit.path, false);
      if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
      else if (isRecord(parent)) delete parent[last as string];
    }
  }
}

/** Sets and appends first (they never shift indices), then removals from the highest index down. */
export function sortEdits(edits: readonly Edit[]): Edit[] {
  const removals = edits.filter((e) => e.op === "remove");
  removals.sort((a, b) => {
    const ia = a.path[a.path.length - 1];
    const ib = b.path[b.path.length - 1];
    return typeof ia === "number" && typeof ib === "number" ? ib - ia : 0;
  });
  return [...edits.filter((e) => e.op !== "remove"), ...removals];
}
