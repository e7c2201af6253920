/**
 * ResourceList (resource name -> Quantity) and the list arithmetic upstream's quota and
 * resource helpers use: add, max, and reading one from a manifest with every unreadable
 * quantity reported at its field path instead of silently dropped.
 */
import { addQuantities, formatQuantity, maxQuantity, QuantityParseError, quantityFromManifest, type Quantity } from "../../k8s/quantity.js";
import { isRecord, type FieldPath } from "../../k8s/types.js";

export type ResourceList = Map<string, Quantity>;

export interface QuantityProblem {
  path: FieldPath;
  message: string;
}

/** Reads `requests`/`limits`/`hard`-style maps; bad entries become problems and are skipped. */
export function readResourceList(value: unknown, path: FieldPath, problems: QuantityProblem[]): ResourceList {
  const list: ResourceList = new Map();
  if (value === undefined || value === null) return list;
  if (!isRecord(value)) {
    problems.push({ path, message: "expected a map of resource names to quantities" });
    return list;
  }
  for (const [name, raw] of Object.entries(value)) {
    try {
      list.set(name, quantityFromManifest(raw));
    } catch (err) {
      if (!(err instanceof QuantityParseError)) throw err;
      problems.push({ path: [...path, name], message: `${name}: ${err.message}` });
    }
  }
  return list;
}

/** a += b, entry by entry (upstream addResourceList). */
export function addInto(target: ResourceList, source: ResourceList): void {
  for (const [name, q] of source) {
    const existing = target.get(name);
    target.set(name, existing ? addQuantities(existing, q) : q);
  }
}

/** a = max(a, b), entry by entry (upstream maxResourceList). */
export function maxInto(target: ResourceList, source: ResourceList): void {
  for (const [name, q] of source) {
    const existing = target.get(name);
    target.set(name, existing ? maxQuantity(existing, q) : q);
  }
}

export function sumLists(...lists: ResourceList[]): ResourceList {
  const out: ResourceList = new Map();
  for (const list of lists) addInto(out, list);
  return out;
}

export function formatResourceList(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...list.keys()].sort()) out[name] = formatQuantity(list.get(name) as Quantity);
  return out;
}

export function describeResourceList(list: ResourceList): string {
  return Object.entries(formatResourceList(list))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}
