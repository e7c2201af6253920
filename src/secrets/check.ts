/**
 * Credentials written into manifests: a Secret's values kept with the manifests, a
 * credential-named env var or ConfigMap key given its value literally, and any value of a
 * workload, ConfigMap or annotation in the format of a known credential. A finding names
 * the object, the field and the kind of credential, never the value.
 */
import { findingAt } from "../findings/finding-at.js";
import type { Finding, Rule } from "../findings/types.js";
import { visitContainers } from "../k8s/containers.js";
import { apiGroupOf } from "../k8s/snapshot.js";
import { isRecord, type FieldPath, type LoadedObject } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";
import { credentialIn } from "./credential-formats.js";
import { looksLikeSecretName } from "./names.js";
import { SECRET_RULES } from "./rules.js";

/** kubectl's copy of the whole object: what it holds is judged where it is written. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export function checkSecrets(loaded: LoadedObject): Finding[] {
  const object = loaded.object;
  const core = apiGroupOf(object.apiVersion) === "";
  if (object.kind === "Secret" && core) return secretInManifest(loaded);
  const findings: Finding[] = [];
  const report = (rule: Rule, path: FieldPath, message: string, properties?: Record<string, unknown>) => {
    const finding = findingAt(rule, loaded, path, message);
    if (properties) finding.properties = properties;
    findings.push(finding);
  };
  const annotations = object.metadata?.annotations;
  if (isRecord(annotations)) {
    for (const [key, value] of Object.entries(annotations)) {
      const what = key === LAST_APPLIED || typeof value !== "string" ? undefined : credentialIn(value);
      if (what) report(SECRET_RULES.knownCredential, ["metadata", "annotations", key], `annotation ${key} holds ${what}`);
    }
  }
  if (object.kind === "ConfigMap" && core && isRecord(object.data)) {
    for (const [key, value] of Object.entries(object.data)) {
      if (typeof value !== "string") continue;
      const what = credentialIn(value);
      if (what) report(SECRET_RULES.knownCredential, ["data", key], `ConfigMap key ${key} holds ${what}`);
      else if (looksLikeSecretName(key) && isLiteralCredential(value)) report(SECRET_RULES.literalInEnv, ["data", key], `ConfigMap key ${key} is named as a credential and holds its value in plain text, readable by whoever may read ConfigMaps`);
    }
  }
  const template = podTemplate(object);
  if (!template) return findings;
  for (const ref of visitContainers(template.pod.spec)) {
    const container = { container: ref.name };
    const at = (...rest: FieldPath) => [...template.path, ...ref.path, ...rest];
    const env = ref.container.env;
    if (Array.isArray(env)) {
      env.forEach((entry: unknown, i) => {
        if (!isRecord(entry) || typeof entry.value !== "string" || typeof entry.name !== "string") return;
        const what = credentialIn(entry.value);
        const where = `container ${JSON.stringify(ref.name)} env ${entry.name}`;
        if (what) report(SECRET_RULES.knownCredential, at("env", i, "value"), `${where} holds ${what}`, { ...container, env: entry.name });
        else if (looksLikeSecretName(entry.name) && isLiteralCredential(entry.value)) report(SECRET_RULES.literalInEnv, at("env", i, "value"), `${where} is named as a credential and its value is written in the manifest`, { ...container, env: entry.name });
      });
    }
    for (const list of ["command", "args"] as const) {
      const items = ref.container[list];
      if (!Array.isArray(items)) continue;
      items.forEach((item: unknown, i) => {
        const what = typeof item === "string" ? credentialIn(item) : undefined;
        if (what) report(SECRET_RULES.knownCredential, at(list, i), `container ${JSON.stringify(ref.name)} ${list}[${i}] holds ${what}`, container);
      });
    }
  }
  return findings;
}

/**
 * A literal that could be the credential: not empty, not a variable the kubelet expands
 * ($(VAR)), not a flag or a small number (a PASSWORD_MIN_LENGTH that kept no suffix).
 */
function isLiteralCredential(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed === "" || /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(trimmed)) return false;
  return !/^(?:true|false|yes|no|on|off|none|null|\d{1,6})$/i.test(trimmed);
}

/** A Secret with values among the manifests, unless SOPS encrypted them. */
function secretInManifest(loaded: LoadedObject): Finding[] {
  const object = loaded.object as LoadedObject["object"] & { data?: unknown; stringData?: unknown; sops?: unknown };
  if (object.sops !== undefined) return [];
  for (const field of ["stringData", "data"] as const) {
    const values = object[field];
    if (!isRecord(values)) continue;
    const keys = Object.keys(values).filter((key) => {
      const value = values[key];
      return typeof value === "string" && value !== "" && !value.startsWith("ENC[");
    });
    if (keys.length === 0) continue;
    const listed = keys.length > 5 ? `${keys.slice(0, 5).join(", ")} and ${keys.length - 5} more` : keys.join(", ");
    return [findingAt(SECRET_RULES.secretInManifest, loaded, [field], `${keys.length === 1 ? "1 value" : `${keys.length} values`} in ${field} (${listed}) are kept in plain text with the manifests`)];
  }
  return [];
}
