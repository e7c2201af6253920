/**
 * Field paths of a rendered object as paths into what was written: the object's own file,
 * a strategic merge patch, a transformer's configuration.
 */
import type { SourcePosition } from "../findings/types.js";
import { isRecord, type FieldPath, type K8sObject } from "./types.js";

/**
 * `path` of the rendered object as a path into `source`: a list item with a `name` is found
 * by that name (a strategic merge matches containers, volumes and env by name), others by
 * position. `complete` is false when `source` lacks the field; `path` is then its nearest parent.
 */
export function pathIn(rendered: unknown, source: unknown, path: FieldPath): { path: FieldPath; complete: boolean } {
  const mapped: Array<string | number> = [];
  let from = rendered;
  let to = source;
  for (const part of path) {
    if (typeof part === "number") {
      if (!Array.isArray(from) || !Array.isArray(to)) return { path: mapped, complete: false };
      const item: unknown = from[part];
      const name = isRecord(item) ? item.name : undefined;
      const index = name !== undefined ? to.findIndex((candidate) => isRecord(candidate) && candidate.name === name) : part < to.length ? part : -1;
      if (index < 0) return { path: mapped, complete: false };
      mapped.push(index);
      from = item;
      to = to[index];
    } else {
      if (!isRecord(to) || !(part in to)) return { path: mapped, complete: false };
      mapped.push(part);
      from = isRecord(from) ? from[part] : undefined;
      to = to[part];
    }
  }
  return { path: mapped, complete: true };
}

export function startsWith(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => String(part) === String(path[i]));
}

export function isScalar(value: unknown): boolean {
  return value === null || typeof value !== "object";
}

/**
 * The entry whose `name` the rendered name contains, the longest such name first
 * (namePrefix, nameSuffix and a generator's hash add to a name); -1 when none does.
 */
export function bestNameMatch(entries: readonly unknown[], renderedName: string): number {
  let best = -1;
  let bestLength = 0;
  entries.forEach((entry, i) => {
    const name = isRecord(entry) ? entry.name : undefined;
    if (typeof name === "string" && name.length > bestLength && renderedName.includes(name)) {
      best = i;
      bestLength = name.length;
    }
  });
  return best;
}

/**
 * A transformer's configuration as written: a kustomization's own fields (`namespace`,
 * `images`, `patches`...) or, for a `transformers:` entry, a transformer configuration
 * (`kind: NamespaceTransformer`...), the plugin form.
 */
export interface TransformerConfig {
  fields: Record<string, unknown>;
  plugin: boolean;
  /** The directory its relative paths are read from: its kustomization's. */
  root: string;
  /** Where a field of it is written; for a configuration written inline (a string kustomize parses), its entry. */
  locate(path: FieldPath): SourcePosition;
  /** Where the fields of YAML written as text at `path` of it are (an inline patch), when that text is a literal block. */
  inline?(path: FieldPath): ((inner: FieldPath) => SourcePosition) | undefined;
}

/** A field of a rendered object, asked of the transformers that ran over it. */
export interface FieldQuery {
  path: FieldPath;
  /** Its rendered value (never undefined: only fields the object has are asked about). */
  value: unknown;
  object: K8sObject;
}

/** Where a transformer set a field to its rendered value; undefined when it did not. */
export type Claim = (query: FieldQuery) => SourcePosition | undefined;

/** A transformer's selector (`target:`, `select:`) read leniently: kind, and name as kustomize's regular expression, else as text the name contains. */
export function selects(selector: Record<string, unknown>, object: K8sObject): boolean {
  if (typeof selector.kind === "string" && selector.kind !== object.kind) return false;
  if (typeof selector.name !== "string") return true;
  const name = String(object.metadata?.name ?? "");
  try {
    return new RegExp(selector.name).test(name);
  } catch {
    return name.includes(selector.name);
  }
}

/** What a rendered object was made from: its document in a file, or its generator's entry. */
export interface Home {
  file: string;
  documentIndex: number;
  position: SourcePosition;
  /** Whether it writes the field at `path` of the rendered object. */
  writes(path: FieldPath): boolean;
  /** Where it writes the field (or, for a field the object lacks, where it would be added); undefined when the rendered value is not its own. */
  locate(path: FieldPath, value: unknown): SourcePosition | undefined;
}
