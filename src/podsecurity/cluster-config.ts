/**
 * The cluster-wide Pod Security Admission configuration, when the scanned files hold it:
 * kube-apiserver's AdmissionConfiguration (its PodSecurity plugin's inline configuration)
 * or a PodSecurityConfiguration of its own. PSA applies its `defaults` to every mode a
 * namespace has no label for, and judges nothing in its exempt namespaces or for pods of
 * its exempt runtime classes; a scan that has the file does the same.
 */
import { isRecord, type K8sObject, type LoadedObject } from "../k8s/types.js";
import { isLevel, parseVersion } from "./levels.js";
import { DEFAULT_POLICY, MODES, type NamespacePolicy } from "./namespace-levels.js";

/** What a PodSecurityConfiguration says: defaults per mode, and its exemptions (PSA's own shape). */
export interface PodSecurityConfigurationValues {
  defaults: NamespacePolicy;
  exemptions: { usernames: string[]; runtimeClasses: string[]; namespaces: string[] };
}

export interface PsaClusterConfig {
  defaults: NamespacePolicy;
  exemptNamespaces: ReadonlySet<string>;
  exemptRuntimeClasses: ReadonlySet<string>;
  /** The file it was read from, for the report. */
  file: string;
}

/** The kinds that may hold it, for a streaming scan to read ahead. */
export const PSA_CONFIG_KINDS = ["AdmissionConfiguration", "PodSecurityConfiguration"] as const;

const PSA_API_VERSIONS = new Set(["pod-security.admission.config.k8s.io/v1", "pod-security.admission.config.k8s.io/v1beta1"]);
const ADMISSION_API_VERSIONS = new Set(["apiserver.config.k8s.io/v1", "apiserver.k8s.io/v1alpha1"]);

/** The first PSA configuration among `objects`, if any. */
export function psaClusterConfig(objects: readonly LoadedObject[]): PsaClusterConfig | undefined {
  for (const loaded of objects) {
    const body = configurationOf(loaded.object);
    if (!body) continue;
    const { defaults, exemptions } = podSecurityConfigurationValues(body);
    return { defaults, exemptNamespaces: new Set(exemptions.namespaces), exemptRuntimeClasses: new Set(exemptions.runtimeClasses), file: loaded.source.file };
  }
  return undefined;
}

/** The PodSecurityConfiguration in an object: itself, or the PodSecurity plugin's inline configuration. */
function configurationOf(object: K8sObject): Record<string, unknown> | undefined {
  if (object.kind === "PodSecurityConfiguration" && PSA_API_VERSIONS.has(object.apiVersion ?? "")) return object;
  if (object.kind !== "AdmissionConfiguration" || !ADMISSION_API_VERSIONS.has(object.apiVersion ?? "") || !Array.isArray(object.plugins)) return undefined;
  // A plugin configured by `path:` names a file elsewhere, which a scan of these files cannot read.
  const plugin = (object.plugins as unknown[]).find((p) => isRecord(p) && p.name === "PodSecurity");
  const inline = isRecord(plugin) ? plugin.configuration : undefined;
  return isRecord(inline) && PSA_API_VERSIONS.has(String(inline.apiVersion)) && inline.kind === "PodSecurityConfiguration" ? inline : undefined;
}

/**
 * The values of a PodSecurityConfiguration body: the one reading of PSA's configuration,
 * for the scan and for the webhook (whose config parser validates the file with positions
 * first). kube-apiserver refuses to start with an invalid level or version, so a running
 * cluster has none: here an invalid value is read as not set.
 */
export function podSecurityConfigurationValues(body: Record<string, unknown>): PodSecurityConfigurationValues {
  const defaults = structuredClone(DEFAULT_POLICY) as NamespacePolicy;
  const given = isRecord(body.defaults) ? body.defaults : {};
  for (const mode of MODES) {
    const level = given[mode];
    if (typeof level === "string" && isLevel(level)) defaults[mode].level = level;
    const version = given[`${mode}-version`];
    const parsed = typeof version === "string" ? parseVersion(version) : undefined;
    if (parsed) defaults[mode].version = parsed;
  }
  const exemptions = isRecord(body.exemptions) ? body.exemptions : {};
  const names = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : []);
  return { defaults, exemptions: { usernames: names(exemptions.usernames), runtimeClasses: names(exemptions.runtimeClasses), namespaces: names(exemptions.namespaces) } };
}
