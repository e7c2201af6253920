/**
 * A generated ConfigMap or Secret: made by a `configMapGenerator` or `secretGenerator` entry
 * of a kustomization or a component (its origin's configuredIn). A key of its data points
 * at the literal, file or env file line that gives it, in the entry or in a generator of the
 * same name that an overlay merges into it (`behavior: merge`); its labels, annotations and
 * `immutable` at the entry's `options` or the kustomization's `generatorOptions`; its `type`
 * and name at the entry's; anything else at the entry.
 */
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { SourcePosition } from "../findings/types.js";
import { displayName, type Kustomization, type KustomizationTree, type KustomizeFiles } from "./kustomize-files.js";
import { bestNameMatch, type Home } from "./kustomize-fields.js";
import { isRecord, valueAt, type FieldPath, type K8sObject } from "./types.js";

const GENERATOR_FIELDS: Record<string, string> = { ConfigMapGenerator: "configMapGenerator", SecretGenerator: "secretGenerator" };

/** A generator entry, where it is written. */
interface Generator {
  kustomization: Kustomization;
  at: FieldPath;
  fields: Record<string, unknown>;
}

/** The home of an object a generator made; undefined when its origin names none we can read. */
export function generatorHome(origin: Record<string, unknown>, object: K8sObject, wrapper: string, files: KustomizeFiles, tree: () => KustomizationTree): Home | undefined {
  const by = origin.configuredBy;
  const field = isRecord(by) && typeof by.kind === "string" ? GENERATOR_FIELDS[by.kind] : undefined;
  if (field === undefined || typeof origin.configuredIn !== "string") return undefined;
  const kustomization = files.kustomization(resolve(wrapper, origin.configuredIn));
  const list = kustomization?.fields[field];
  if (!kustomization || !Array.isArray(list)) return undefined;
  const index = bestNameMatch(list, String(object.metadata?.name ?? ""));
  const entry: unknown = list[index];
  if (!isRecord(entry)) return undefined;
  return new GeneratorHome({ kustomization, at: [field, index], fields: entry }, () => mergesInto(kustomization, field, entry.name, tree()));
}

/**
 * The generators of the same name with `behavior: merge` or `replace` in the kustomizations
 * above the generator's, the nearest first: the order kustomize applies them in.
 */
function mergesInto(kustomization: Kustomization, field: string, name: unknown, tree: KustomizationTree): Generator[] {
  const merges: Generator[] = [];
  const seen = new Set([kustomization.file]);
  let level = [...(tree.get(kustomization.file)?.parents ?? [])];
  while (level.length > 0) {
    const next: string[] = [];
    for (const file of level) {
      if (seen.has(file)) continue;
      seen.add(file);
      const node = tree.get(file);
      if (!node) continue;
      const list = node.kustomization.fields[field];
      if (Array.isArray(list)) list.forEach((entry: unknown, i) => isRecord(entry) && entry.name === name && (entry.behavior === "merge" || entry.behavior === "replace") && merges.push({ kustomization: node.kustomization, at: [field, i], fields: entry }));
      next.push(...node.parents);
    }
    level = next;
  }
  return merges;
}

class GeneratorHome implements Home {
  private merges: Generator[] | undefined;

  constructor(
    private readonly generator: Generator,
    private readonly findMerges: () => Generator[],
  ) {}

  get file(): string {
    return this.generator.kustomization.source.file;
  }

  get documentIndex(): number {
    return this.generator.kustomization.source.documentIndex;
  }

  get position(): SourcePosition {
    return this.at(this.generator, []);
  }

  writes(path: FieldPath): boolean {
    return this.option(path) !== undefined;
  }

  locate(path: FieldPath): SourcePosition {
    const key = (path[0] === "data" || path[0] === "stringData" || path[0] === "binaryData") && typeof path[1] === "string" ? path[1] : undefined;
    if (key !== undefined) {
      // The last generator to give the key: an overlay's merge, else the entry itself.
      const generators = [this.generator, ...(this.merges ??= this.findMerges())];
      for (let i = generators.length - 1; i >= 0; i--) {
        const found = this.keyIn(generators[i] as Generator, key);
        if (found) return found;
      }
    }
    if (path.length === 2 && path[0] === "metadata" && path[1] === "name") return this.at(this.generator, ["name"]);
    if (path.length === 1 && path[0] === "type" && "type" in this.generator.fields) return this.at(this.generator, ["type"]);
    return this.option(path) ?? this.at(this.generator, []);
  }

  private at(generator: Generator, path: FieldPath): SourcePosition {
    return generator.kustomization.source.locate([...generator.at, ...path]);
  }

  /** Labels, annotations and `immutable`: the entry's options, else the kustomization's generatorOptions. */
  private option(path: FieldPath): SourcePosition | undefined {
    const field = path.length === 1 && path[0] === "immutable" ? ["immutable"] : path[0] === "metadata" && (path[1] === "labels" || path[1] === "annotations") ? path.slice(1, 3) : undefined;
    if (field === undefined) return undefined;
    if (valueAt(this.generator.fields, ["options", ...field]) !== undefined) return this.at(this.generator, ["options", ...field]);
    const { fields, source } = this.generator.kustomization;
    return valueAt(fields, ["generatorOptions", ...field]) !== undefined ? source.locate(["generatorOptions", ...field]) : undefined;
  }

  /** Where a generator gives a data key: a literal (`key=value`), a file (`key=path`, or the file's name), a line of an env file. */
  private keyIn(generator: Generator, key: string): SourcePosition | undefined {
    for (const list of ["literals", "files"]) {
      const entries = generator.fields[list];
      const index = Array.isArray(entries) ? entries.findIndex((entry) => typeof entry === "string" && keyOf(entry, list) === key) : -1;
      if (index >= 0) return this.at(generator, [list, index]);
    }
    const envs = generator.fields.envs ?? (typeof generator.fields.env === "string" ? [generator.fields.env] : undefined);
    if (!Array.isArray(envs)) return undefined;
    for (const env of envs) {
      if (typeof env !== "string") continue;
      const file = resolve(generator.kustomization.dir, env);
      const line = envLines(file).findIndex((text) => text.replace(/^\s+/, "").split("=")[0] === key);
      if (line >= 0) return { file: displayName(file), line: line + 1, column: 1 };
    }
    return undefined;
  }
}

function envLines(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n");
  } catch {
    return [];
  }
}

/** The data key a generator entry gives: `key=value` for a literal, `key=path` or the file's name for a file. */
function keyOf(entry: string, list: string): string {
  const equals = entry.indexOf("=");
  if (equals > 0) return entry.slice(0, equals);
  return list === "files" ? basename(entry) : entry;
}
