import { isRecord, formatFieldPath, type FieldPath } from "../k8s/types.js";
import type { ConfigProblem, KeyConfig, KmsConfig, Locator, ProviderConfig } from "./config-types.js";
import { suggestionHint, didYouMean } from "../did-you-mean.js";
import { parseGoDuration } from "../k8s/go-duration.js";

export const API_VERSION = "apiserver.config.k8s.io/v1";
export const KIND = "EncryptionConfiguration";
/** The pre-1.13 spelling kube-apiserver still decodes. */
export const LEGACY_API_VERSION = "v1";
export const LEGACY_KIND = "EncryptionConfig";

export const DEFAULT_KMS_TIMEOUT_MS = 3000;
export const DEFAULT_KMS_V1_CACHE_SIZE = 1000;

const PROVIDER_FIELDS = ["aesgcm", "aescbc", "secretbox", "identity", "kms"] as const;
const KMS_FIELDS = ["apiVersion", "name", "cachesize", "endpoint", "timeout"] as const;

/**
 * Strict decoding as kube-apiserver's config decoder: unknown fields are errors (with a
 * did-you-mean), JSON types must match, and `null` means "not set" as in Go. Values are
 * never echoed (a misplaced key could be a secret). Defaults are applied as upstream
 * (kms apiVersion v1, cachesize 1000 for v1, timeout 3s).
 */
export function decodeEncryptionConfiguration(
  raw: unknown,
  locate: Locator,
): { config?: DecodedConfiguration; legacy: boolean; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const problem = (path: FieldPath, message: string, hint?: string): void => {
    problems.push({ message, field: formatFieldPath(path) || "(document)", path, position: locate(path), hint });
  };

  if (!isRecord(raw)) {
    problem([], `expected an ${KIND} object (a YAML mapping), got ${typeName(raw)}`);
    return { legacy: false, problems };
  }

  const legacy = checkTypeMeta(raw, problem);
  if (problems.length > 0) return { legacy, problems };

  const rules: DecodedConfiguration["resources"] = [];
  unknownFields(raw, ["apiVersion", "kind", "resources"], [], problem);
  for (const [i, item] of list(raw.resources, ["resources"], problem).entries()) {
    const path = ["resources", i];
    if (!object(item, path, problem)) continue;
    unknownFields(item, ["resources", "providers"], path, problem);
    const resources = list(item.resources, [...path, "resources"], problem).flatMap((r, j) => {
      const s = string(r, [...path, "resources", j], problem);
      return s === undefined ? [] : [s];
    });
    const providers = list(item.providers, [...path, "providers"], problem).map((element, j) =>
      decodeProviderElement(element, [...path, "providers", j], problem),
    );
    rules.push({ resources, providers });
  }
  if (problems.length > 0) return { legacy, problems };
  return { config: { resources: rules }, legacy, problems };
}

/**
 * Decoded but not yet validated: each provider element keeps every provider it sets, so
 * validation can report an element with none or with more than one, as upstream does.
 */
export interface DecodedConfiguration {
  resources: { resources: string[]; providers: ProviderConfig[][] }[];
}

type Report = (path: FieldPath, message: string, hint?: string) => void;

function checkTypeMeta(raw: Record<string, unknown>, problem: Report): boolean {
  const apiVersion = raw.apiVersion ?? "";
  const kind = raw.kind ?? "";
  if (typeof apiVersion !== "string") return problem(["apiVersion"], "apiVersion must be a string"), false;
  if (typeof kind !== "string") return problem(["kind"], "kind must be a string"), false;
  if (kind === "") {
    problem([], "Object 'Kind' is missing", `set kind: ${KIND} and apiVersion: ${API_VERSION}`);
    return false;
  }
  if (apiVersion === API_VERSION && kind === KIND) return false;
  if (apiVersion === LEGACY_API_VERSION && kind === LEGACY_KIND) return true;
  if (apiVersion !== API_VERSION && apiVersion !== LEGACY_API_VERSION) {
    const suggestion = didYouMean(apiVersion, [API_VERSION]);
    problem(
      ["apiVersion"],
      `unsupported apiVersion ${JSON.stringify(apiVersion)} for an encryption provider configuration`,
      suggestion ? `did you mean ${JSON.stringify(suggestion)}?` : `use apiVersion: ${API_VERSION}`,
    );
  } else {
    const expected = apiVersion === API_VERSION ? KIND : LEGACY_KIND;
    problem(
      ["kind"],
      `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}`,
      didYouMean(kind, [expected])
        ? `did you mean ${JSON.stringify(expected)}?`
        : // Under the legacy "v1" a kind such as ConfigMap or Secret is another object, not a misspelt config.
          apiVersion === LEGACY_API_VERSION
          ? `this is not an encryption configuration: write apiVersion: ${API_VERSION} and kind: ${KIND}`
          : `use kind: ${expected}`,
    );
  }
  return false;
}

function decodeProviderElement(element: unknown, path: FieldPath, problem: Report): ProviderConfig[] {
  // Go decodes a null element to an empty one, which validation rejects.
  if (element === null) return [];
  if (!object(element, path, problem)) return [];
  unknownFields(element, PROVIDER_FIELDS, path, problem);
  // Every provider set in the element is kept, so validation can report "more than one provider".
  const out: ProviderConfig[] = [];
  for (const type of PROVIDER_FIELDS) {
    const value = element[type];
    if (value === undefined || value === null) continue;
    const at = [...path, type];
    if (!object(value, at, problem)) continue;
    if (type === "identity") {
      unknownFields(value, [], at, problem);
      out.push({ type });
    } else if (type === "kms") {
      const kms = decodeKms(value, at, problem);
      if (kms) out.push({ type, kms });
    } else {
      unknownFields(value, ["keys"], at, problem);
      const keys = list(value.keys, [...at, "keys"], problem).flatMap((key, k) => decodeKey(key, [...at, "keys", k], problem));
      out.push({ type, keys });
    }
  }
  return out;
}

function decodeKey(raw: unknown, path: FieldPath, problem: Report): KeyConfig[] {
  if (raw === null) return [{ name: "", secret: "" }];
  if (!object(raw, path, problem)) return [];
  unknownFields(raw, ["name", "secret"], path, problem);
  const name = raw.name === null || raw.name === undefined ? "" : string(raw.name, [...path, "name"], problem);
  const secret = raw.secret === null || raw.secret === undefined ? "" : string(raw.secret, [...path, "secret"], problem, true);
  if (name === undefined || secret === undefined) return [];
  return [{ name, secret }];
}

function decodeKms(raw: Record<string, unknown>, path: FieldPath, problem: Report): KmsConfig | undefined {
  unknownFields(raw, KMS_FIELDS, path, problem);
  const field = (name: string): string | undefined =>
    raw[name] === undefined || raw[name] === null ? "" : string(raw[name], [...path, name], problem);
  const apiVersion = field("apiVersion");
  const name = field("name");
  const endpoint = field("endpoint");
  let timeoutMs = DEFAULT_KMS_TIMEOUT_MS;
  if (raw.timeout !== undefined && raw.timeout !== null) {
    const text = string(raw.timeout, [...path, "timeout"], problem);
    if (text === undefined) return undefined;
    const parsed = parseGoDuration(text);
    if (parsed === undefined) {
      problem([...path, "timeout"], `invalid duration ${JSON.stringify(text)}`, 'use a Go duration such as "3s" or "500ms"');
      return undefined;
    }
    timeoutMs = parsed;
  }
  let cachesize: number | undefined;
  if (raw.cachesize !== undefined && raw.cachesize !== null) {
    const value = raw.cachesize;
    if (typeof value !== "number" || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
      problem([...path, "cachesize"], `cachesize must be a 32-bit integer, got ${typeName(value)}`);
      return undefined;
    }
    cachesize = value;
  }
  if (apiVersion === undefined || name === undefined || endpoint === undefined) return undefined;
  const apiVersionDefaulted = apiVersion === "";
  const effectiveVersion = apiVersionDefaulted ? "v1" : apiVersion;
  if (effectiveVersion === "v1" && cachesize === undefined) cachesize = DEFAULT_KMS_V1_CACHE_SIZE;
  const kms: KmsConfig = { apiVersion: effectiveVersion, apiVersionDefaulted, name, endpoint, timeoutMs };
  if (cachesize !== undefined) kms.cachesize = cachesize;
  return kms;
}

function unknownFields(value: Record<string, unknown>, known: readonly string[], path: FieldPath, problem: Report): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const where = formatFieldPath(path);
    problem(
      [...path, key],
      `unknown field ${JSON.stringify(key)}${where ? ` in ${where}` : ""}`,
      known.length > 0 ? suggestionHint(key, known) : "this object takes no fields; write {}",
    );
  }
}

function list(value: unknown, path: FieldPath, problem: Report): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  problem(path, `${formatFieldPath(path)} must be a list, got ${typeName(value)}`);
  return [];
}

function object(value: unknown, path: FieldPath, problem: Report): value is Record<string, unknown> {
  if (isRecord(value)) return true;
  problem(path, `${formatFieldPath(path)} must be a mapping, got ${typeName(value)}`);
  return false;
}

function string(value: unknown, path: FieldPath, problem: Report, secret = false): string | undefined {
  if (typeof value === "string") return value;
  problem(
    path,
    `${formatFieldPath(path)} must be a string, got ${typeName(value)}`,
    secret ? "quote the base64 value" : undefined,
  );
  return undefined;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}
