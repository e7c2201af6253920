/**
 * Where the transformers that ran over a rendered object set its fields. kustomize's
 * transformations annotation lists every transformer that ran while the object was in the
 * build, in order, whether or not it changed the object; so a transformer here claims a
 * field only when its configuration sets that field to the value rendered: `namespace:`
 * for a namespace it holds, the `replicas:` entry of the object's name with that count,
 * the `images:` entry that leaves that image, a `commonLabels` or `labels` pair, a
 * `commonAnnotations` pair, `namePrefix` and `nameSuffix` for the name, a patch that writes
 * the field, a replacement's field path. The last transformer to claim a field is the one
 * that set it: the caller asks them last first.
 *
 * A transformer is written as a kustomization's field (configuredIn is the kustomization,
 * configuredBy names no object), as an inline `transformers:` entry (configuredIn is the
 * kustomization, configuredBy names the configuration), or as a configuration file named in
 * `transformers:` (configuredIn is that file). A component's are its kustomization's.
 */
import { resolve } from "node:path";
import type { SourcePosition } from "../findings/types.js";
import { parseImageReference } from "../supplychain/image-reference.js";
import { isKustomizationFile, readYaml, type KustomizeFiles } from "./kustomize-files.js";
import { isScalar, selects, type Claim, type FieldQuery, type TransformerConfig } from "./kustomize-fields.js";
import { patchClaims } from "./kustomize-patch-origins.js";
import { isRecord, valueAt, type FieldPath, type K8sObject } from "./types.js";

/** One transformer that ran over an object: its kind, its configuration's name, and the file that configures it. */
export interface Transformation {
  kind: string;
  name?: string;
  file: string;
}

/**
 * The transformations of an object's annotation, its paths resolved against the wrapper;
 * a run of one kustomization's transformers of one kind (its patches, its two label
 * fields) is one. A remote base's transformers are left out: their files are not here.
 */
export function transformationsOf(annotation: ReadonlyArray<Record<string, unknown>>, wrapper: string): Transformation[] {
  const result: Transformation[] = [];
  for (const entry of annotation) {
    const by = entry.configuredBy;
    if (typeof entry.configuredIn !== "string" || !isRecord(by) || typeof by.kind !== "string" || entry.repo !== undefined) continue;
    const transformation: Transformation = { kind: by.kind, file: resolve(wrapper, entry.configuredIn), ...(typeof by.name === "string" ? { name: by.name } : {}) };
    const last = result[result.length - 1];
    if (last && last.kind === transformation.kind && last.file === transformation.file && last.name === transformation.name) continue;
    result.push(transformation);
  }
  return result;
}

/** Each transformation's configuration, read once for every object it ran over. */
export class TransformerConfigs {
  private readonly cache = new Map<string, TransformerConfig | undefined>();

  constructor(private readonly files: KustomizeFiles) {}

  /** The claims of the transformations on `object`, in the order they ran. */
  claims(transformations: readonly Transformation[], object: K8sObject): Claim[] {
    const claims: Claim[] = [];
    for (const transformation of transformations) {
      const config = this.configOf(transformation);
      if (!config) continue;
      if (transformation.kind.startsWith("Patch")) claims.push(...patchClaims(config, transformation.kind, object, this.files));
      const claim = CLAIMS[transformation.kind];
      if (claim) claims.push((query) => claim(config, query, this.files));
    }
    return claims;
  }

  private configOf(transformation: Transformation): TransformerConfig | undefined {
    const key = `${transformation.file}\u0000${transformation.kind}\u0000${transformation.name ?? ""}`;
    if (!this.cache.has(key)) this.cache.set(key, this.read(transformation));
    return this.cache.get(key);
  }

  private read({ file, kind, name }: Transformation): TransformerConfig | undefined {
    const configures = (value: unknown): value is Record<string, unknown> => isRecord(value) && value.kind === kind && (name === undefined || (isRecord(value.metadata) && value.metadata.name === name));
    if (isKustomizationFile(file)) {
      const kustomization = this.files.kustomization(file);
      if (!kustomization) return undefined;
      const { fields, source, dir } = kustomization;
      if (name === undefined) return { fields, plugin: false, root: dir, locate: (path) => source.locate(path), inline: (path) => this.files.inlineText(file, path) };
      // A configuration written inline in `transformers:`: a string kustomize parses, pointed
      // at inside when it is a literal block, else as a whole.
      const entries = Array.isArray(fields.transformers) ? fields.transformers : [];
      const index = entries.findIndex((entry) => configures(readYaml(entry)));
      const config = readYaml(entries[index]);
      if (index < 0 || !isRecord(config)) return undefined;
      const inside = this.files.inlineText(file, ["transformers", index]);
      return { fields: config, plugin: true, root: dir, locate: (path) => (inside ? inside(path) : source.locate(["transformers", index])) };
    }
    const objects = this.files.objects(file);
    const written = objects.find((loaded) => configures(loaded.object)) ?? (objects.length === 1 ? objects[0] : undefined);
    if (!written) return undefined;
    return { fields: written.object, plugin: true, root: this.files.rootOf(file), locate: (path) => written.source.locate(path) };
  }
}

type KindClaim = (config: TransformerConfig, query: FieldQuery, files: KustomizeFiles) => SourcePosition | undefined;

/** A claim found by a field path into the configuration. */
const byPath =
  (find: (config: TransformerConfig, query: FieldQuery) => FieldPath | undefined): KindClaim =>
  (config, query) => {
    const path = find(config, query);
    return path && config.locate(path);
  };

const CLAIMS: Record<string, KindClaim> = {
  NamespaceTransformer: byPath((config, { path, value }) => {
    const field = config.plugin ? ["metadata", "namespace"] : ["namespace"];
    const namespace = valueAt(config.fields, field);
    return path[path.length - 1] === "namespace" && typeof namespace === "string" && namespace === value ? field : undefined;
  }),
  PrefixTransformer: byPath((config, query) => {
    const field = config.plugin ? "prefix" : "namePrefix";
    const prefix = config.fields[field];
    return isName(query) && typeof prefix === "string" && prefix !== "" && String(query.value).startsWith(prefix) ? [field] : undefined;
  }),
  SuffixTransformer: byPath((config, query) => {
    const field = config.plugin ? "suffix" : "nameSuffix";
    const suffix = config.fields[field];
    // A generated object's hash comes after the suffix.
    return isName(query) && typeof suffix === "string" && suffix !== "" && String(query.value).includes(suffix) ? [field] : undefined;
  }),
  LabelTransformer: byPath((config, query) => {
    const maps = config.plugin ? [{ map: config.fields.labels, at: ["labels"] }] : kustomizationLabels(config.fields);
    return pairClaim(maps, ["labels", "matchLabels", "selector"], query);
  }),
  AnnotationsTransformer: byPath((config, query) => {
    const maps = [config.plugin ? { map: config.fields.annotations, at: ["annotations"] } : { map: config.fields.commonAnnotations, at: ["commonAnnotations"] }];
    return pairClaim(maps, ["annotations"], query);
  }),
  ReplicaCountTransformer: byPath((config, { path, value, object }) => {
    if (path.length !== 2 || path[0] !== "spec" || path[1] !== "replicas") return undefined;
    const name = String(object.metadata?.name ?? "");
    return lastEntry(config, "replicas", "replica", (entry) => typeof entry.name === "string" && name.includes(entry.name) && Number(entry.count) === value, "count");
  }),
  ImageTagTransformer: byPath((config, { path, value }) => {
    if (path[path.length - 1] !== "image" || typeof value !== "string") return undefined;
    const rendered = parseImageReference(value);
    if (!rendered.ok) return undefined;
    return lastEntry(config, "images", "imageTag", (entry) => {
      const result = parseImageReference(String(entry.newName ?? entry.name ?? ""));
      if (!result.ok || result.reference.repository !== rendered.reference.repository) return false;
      if (entry.newTag !== undefined && String(entry.newTag) !== rendered.reference.tag) return false;
      return entry.digest === undefined || entry.digest === rendered.reference.digest;
    });
  }),
  ReplacementTransformer: (config, query, files) => {
    const list = config.fields.replacements;
    if (!Array.isArray(list)) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const entry: unknown = list[i];
      // A replacement written in a file of its own (`- path: file.yaml`): one, or a list of them.
      const file = isRecord(entry) && typeof entry.path === "string" ? files.document(resolve(config.root, entry.path)) : undefined;
      const replacements = file ? (Array.isArray(file.value) ? file.value.map((r: unknown, j) => ({ r, at: [j] })) : [{ r: file.value, at: [] }]) : [{ r: entry, at: ["replacements", i] }];
      for (const { r, at: base } of replacements.reverse()) {
        const found = replacementClaim(r, query);
        if (found) return file ? file.source.locate([...base, ...found]) : config.locate([...base, ...found]);
      }
    }
    return undefined;
  },
};

function isName({ path, value }: FieldQuery): boolean {
  return path.length === 2 && path[0] === "metadata" && path[1] === "name" && typeof value === "string";
}

interface PairMap {
  map: unknown;
  at: FieldPath;
  /** Whether it writes the labels at this path (a `labels` entry writes selectors and templates only when it says so). */
  writes?: (labels: FieldPath) => boolean;
}

/** `commonLabels`, which kustomize writes wherever labels are, and `labels` entries, which write metadata's, and templates' and selectors' when they say so. */
function kustomizationLabels(fields: Record<string, unknown>): PairMap[] {
  const maps: PairMap[] = [{ map: fields.commonLabels, at: ["commonLabels"] }];
  if (!Array.isArray(fields.labels)) return maps;
  fields.labels.forEach((entry: unknown, i) => {
    if (!isRecord(entry)) return;
    const writes = (labels: FieldPath): boolean => {
      if (entry.includeSelectors === true) return true;
      if (labels.length === 2 && labels[0] === "metadata") return true;
      return entry.includeTemplates === true && labels[labels.length - 1] === "labels" && labels.includes("template");
    };
    maps.push({ map: entry.pairs, at: ["labels", i, "pairs"], writes });
  });
  return maps;
}

/**
 * A label or annotation the maps set: a key of a map under one of `parents` whose value is
 * the rendered one; or the map itself (asked about only when the object's own file has
 * none), which the transformer then made.
 */
function pairClaim(maps: readonly PairMap[], parents: readonly string[], { path, value }: FieldQuery): FieldPath | undefined {
  const key = path[path.length - 1];
  const parent = path[path.length - 2];
  for (const { map, at: field, writes } of [...maps].reverse()) {
    if (!isRecord(map)) continue;
    if (typeof key === "string" && typeof parent === "string" && parents.includes(parent) && isScalar(value) && key in map && String(map[key]) === String(value) && (writes?.(path.slice(0, -1)) ?? true)) return [...field, key];
    if (typeof key === "string" && parents.includes(key) && isRecord(value) && (writes?.(path) ?? true) && Object.entries(map).some(([k, v]) => value[k] !== undefined && String(value[k]) === String(v))) return field;
  }
  return undefined;
}

/** The last entry of a kustomization's list (`images`), or a configuration's one entry (`imageTag`), that `test` accepts. */
function lastEntry(config: TransformerConfig, listField: string, pluginField: string, test: (entry: Record<string, unknown>) => boolean, within?: string): FieldPath | undefined {
  const list = config.plugin ? [config.fields[pluginField]] : config.fields[listField];
  if (!Array.isArray(list)) return undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    const entry: unknown = list[i];
    if (!isRecord(entry) || !test(entry)) continue;
    const field = config.plugin ? [pluginField] : [listField, i];
    return within !== undefined && within in entry ? [...field, within] : field;
  }
  return undefined;
}

/** The field path (in the replacement) of a target's field path that writes the queried field. */
function replacementClaim(replacement: unknown, query: FieldQuery): FieldPath | undefined {
  const targets = isRecord(replacement) ? replacement.targets : undefined;
  if (!Array.isArray(targets)) return undefined;
  for (let t = targets.length - 1; t >= 0; t--) {
    const target: unknown = targets[t];
    if (!isRecord(target) || !isRecord(target.select) || !selects(target.select, query.object)) continue;
    if (Array.isArray(target.reject) && target.reject.some((reject) => isRecord(reject) && Object.keys(reject).length > 0 && selects(reject, query.object))) continue;
    const fieldPaths = Array.isArray(target.fieldPaths) ? target.fieldPaths : [];
    const k = fieldPaths.findLastIndex((fieldPath) => typeof fieldPath === "string" && writes(fieldPath, query));
    if (k >= 0) return ["targets", t, "fieldPaths", k];
  }
  return undefined;
}

/** Whether a replacement's field path (`spec.template.spec.containers.[name=app].image`) is the queried field or one of its parents. */
function writes(fieldPath: string, { path, object }: FieldQuery): boolean {
  const parts = fieldPath.match(/(?:\[[^\]]*\]|[^.[])+/g) ?? [];
  if (parts.length === 0 || parts.length > path.length) return false;
  return parts.every((part, i) => {
    const at = path[i];
    if (part === "*") return true;
    const selector = /^\[([^=\]]+)=([^\]]*)\]$/.exec(part);
    if (selector) {
      const item = valueAt(object, path.slice(0, i + 1));
      return typeof at === "number" && isRecord(item) && String(item[selector[1] as string]) === selector[2];
    }
    const key = /^\[([^\]]*)\]$/.exec(part)?.[1] ?? part;
    return String(at) === key;
  });
}
