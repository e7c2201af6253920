/**
 * A kustomization's generators. A secretGenerator's values are a Secret's, kept with the
 * manifests, whether written as literals or in the files and env files it names beside the
 * kustomization; a configMapGenerator's are a ConfigMap's, judged as ConfigMap data is.
 * Files are read only when the kustomization was read from a file and they sit under its
 * directory (a kustomization names nothing outside it that the scan should open).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { FieldPath } from "../k8s/types.js";
import { isRecord } from "../k8s/types.js";
import { settingsIn, unquoted } from "./config-text.js";
import { credentialIn, isLiteralCredential } from "./credential-formats.js";
import { isCertificateKey, looksLikeSecretName } from "./names.js";
import type { Rule } from "../findings/types.js";
import { SECRET_RULES } from "./rules.js";

type Report = (rule: Rule, path: FieldPath, message: string, properties?: Record<string, unknown>) => void;

/** Larger files are no env or configuration file a generator is meant to read. */
const MAX_FILE_BYTES = 1 << 20;

interface Source {
  /** A value's key, and where it was written: a literal's index, or the file's entry. */
  key: string;
  value: string;
  path: FieldPath;
  /** The file it came from, relative to the kustomization, for files. */
  file?: string;
}

export function generators(object: Record<string, unknown>, kustomizationFile: string | undefined, report: Report): void {
  for (const field of ["secretGenerator", "configMapGenerator"] as const) {
    const list = object[field];
    if (!Array.isArray(list)) continue;
    list.forEach((generator: unknown, i) => {
      if (!isRecord(generator)) return;
      const name = typeof generator.name === "string" ? generator.name : `#${i}`;
      const literals = literalsOf(generator.literals, [field, i, "literals"]);
      const fromFiles = filesOf(generator, [field, i], kustomizationFile);
      if (field === "secretGenerator") {
        const keys = literals.filter((l) => l.value !== "").map((l) => l.key);
        if (keys.length > 0) report(SECRET_RULES.secretInManifest, [field, i, "literals"], `secretGenerator ${name}: ${count(keys.length)} (${keys.join(", ")}) ${keys.length === 1 ? "is" : "are"} kept in plain text with the manifests`, { key: name });
        const held = fromFiles.filter((f) => f.value !== "" && !isCertificateKey(f.key));
        const files = [...new Set(held.map((f) => f.file as string))];
        const first = held[0];
        if (first) report(SECRET_RULES.secretInManifest, first.path, `secretGenerator ${name}: the values of ${files.join(", ")} are kept in plain text beside the manifests`, { key: name });
        return;
      }
      for (const { key, value, path, file } of [...literals, ...fromFiles]) {
        const where = file ? `configMapGenerator ${name} ${file}` : `configMapGenerator ${name} literal`;
        const what = credentialIn(value);
        if (what) report(SECRET_RULES.knownCredential, path, `${where} ${key} holds ${what}`, { key });
        else if (!value.includes("\n") && looksLikeSecretName(key) && isLiteralCredential(value)) report(SECRET_RULES.inline, path, `${where} ${key} is named as a credential and its value is written ${file ? "beside the manifests" : "in the kustomization"}`, { key });
        else if (value.includes("\n")) {
          const settings = settingsIn(value, key);
          if (settings.length > 0) report(SECRET_RULES.inline, path, `${where} sets ${settings.join(", ")} in plain text, readable by whoever may read ConfigMaps`, { key, settings });
        }
      }
    });
  }
}

const count = (n: number) => (n === 1 ? "1 value" : `${n} values`);

/** `KEY=value` entries, as kustomize splits them (at the first `=`, quotes around the value dropped). */
function literalsOf(list: unknown, path: FieldPath): Source[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((literal: unknown, j) => {
    const m = typeof literal === "string" ? /^([^=]+)=([\s\S]*)$/.exec(literal) : null;
    return m ? [{ key: (m[1] as string).trim(), value: unquoted((m[2] as string).trim()), path: [...path, j] }] : [];
  });
}

/**
 * The values a generator reads from files: each line of its env files (`envs`, and the
 * older `env`) as a literal, and each of its `files` (`key=path` or `path`) as one value.
 */
function filesOf(generator: Record<string, unknown>, at: FieldPath, kustomizationFile: string | undefined): Source[] {
  if (kustomizationFile === undefined) return [];
  const dir = dirname(kustomizationFile);
  const sources: Source[] = [];
  const entries: Array<[unknown, FieldPath]> = [];
  if (Array.isArray(generator.envs)) generator.envs.forEach((e: unknown, j) => entries.push([e, [...at, "envs", j]]));
  if (typeof generator.env === "string") entries.push([generator.env, [...at, "env"]]);
  for (const [entry, path] of entries) {
    const text = typeof entry === "string" ? readBeside(dir, entry) : undefined;
    if (text === undefined) continue;
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*([^#=\s][^=]*?)\s*=(.*)$/.exec(line);
      if (m) sources.push({ key: m[1] as string, value: unquoted((m[2] as string).trim()), path, file: entry as string });
    }
  }
  if (Array.isArray(generator.files)) {
    generator.files.forEach((entry: unknown, j) => {
      if (typeof entry !== "string") return;
      const eq = entry.indexOf("=");
      const file = eq >= 0 ? entry.slice(eq + 1) : entry;
      const text = readBeside(dir, file);
      if (text !== undefined) sources.push({ key: eq >= 0 ? entry.slice(0, eq) : (file.split("/").pop() as string), value: text, path: [...at, "files", j], file });
    });
  }
  return sources;
}

/** A file under the kustomization's directory, as text; undefined when absent, outside, too large or binary. */
function readBeside(dir: string, name: string): string | undefined {
  const path = resolve(dir, name);
  const inside = relative(dir, path);
  if (inside.startsWith("..") || isAbsolute(inside)) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return undefined;
    const buffer = Buffer.alloc(stat.size);
    const read = readSync(fd, buffer, 0, stat.size, 0);
    const bytes = buffer.subarray(0, read);
    return bytes.includes(0) ? undefined : bytes.toString("utf8");
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
