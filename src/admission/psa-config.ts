/**
 * PSA's own configuration format: PodSecurityConfiguration
 * (pod-security.admission.config.k8s.io/v1), standalone or inside an AdmissionConfiguration
 * (apiserver.config.k8s.io/v1) plugin entry named PodSecurity, so one file serves both
 * kube-apiserver and Palisade.
 */
import { parseVersion, isLevel } from "../podsecurity/levels.js";
import { podSecurityConfigurationValues } from "../podsecurity/cluster-config.js";
import { DEFAULT_POLICY, MODES } from "../podsecurity/namespace-levels.js";
import { isRecord } from "../k8s/types.js";
import type { ConfigSource } from "./config-source.js";
import type { PodSecuritySettings } from "./policies/pod-security.js";

const PSA_API_VERSIONS = ["pod-security.admission.config.k8s.io/v1", "pod-security.admission.config.k8s.io/v1beta1"];

export function parsePodSecurityConfiguration(src: ConfigSource | undefined): PodSecuritySettings {
  if (!src) return { defaults: DEFAULT_POLICY, exemptions: { usernames: [], runtimeClasses: [], namespaces: [] } };
  src.map([], true);
  let base: (string | number)[] = [];
  if (src.get(["kind"]) === "AdmissionConfiguration") {
    src.string(["apiVersion"], { required: true, oneOf: ["apiserver.config.k8s.io/v1", "apiserver.k8s.io/v1alpha1"] });
    const plugins = src.list(["plugins"]);
    const index = plugins.findIndex((p) => isRecord(p) && p.name === "PodSecurity");
    if (index < 0) src.fail(["plugins"], "no plugin named PodSecurity", "add {name: PodSecurity, configuration: {...}}");
    if (!isRecord(src.get(["plugins", index, "configuration"]))) src.fail(["plugins", index], "the PodSecurity plugin has no inline configuration", "Palisade reads inline configuration only (not path:)");
    base = ["plugins", index, "configuration"];
  }
  src.onlyKeys(base, ["apiVersion", "kind", "defaults", "exemptions"]);
  src.string([...base, "apiVersion"], { required: true, oneOf: PSA_API_VERSIONS });
  src.string([...base, "kind"], { required: true, oneOf: ["PodSecurityConfiguration"] });
  // Validated here with positions; read by the one reading the scan uses too.
  src.onlyKeys([...base, "defaults"], MODES.flatMap((m) => [m, `${m}-version`]));
  for (const mode of MODES) {
    const level = src.string([...base, "defaults", mode]);
    if (level !== undefined && !isLevel(level)) src.fail([...base, "defaults", mode], `invalid level ${JSON.stringify(level)}`, "expected privileged, baseline or restricted");
    const versionText = src.string([...base, "defaults", `${mode}-version`]);
    if (versionText !== undefined && !parseVersion(versionText)) src.fail([...base, "defaults", `${mode}-version`], `invalid version ${JSON.stringify(versionText)}`, "expected latest or v1.N");
  }
  src.onlyKeys([...base, "exemptions"], ["usernames", "runtimeClasses", "namespaces"]);
  for (const list of ["usernames", "runtimeClasses", "namespaces"]) uniqueList(src, [...base, "exemptions", list]);
  return podSecurityConfigurationValues(src.get(base) as Record<string, unknown>);
}

/** PSA validation: no empty and no duplicate entries. */
function uniqueList(src: ConfigSource, path: (string | number)[]): string[] {
  const values = src.strings(path);
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (value === "") src.fail([...path, i], "must not be empty");
    if (seen.has(value)) src.fail([...path, i], `duplicate value ${JSON.stringify(value)}`);
    seen.add(value);
  });
  return values;
}
