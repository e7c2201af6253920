import { ALLOWED, forbidden, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import type { PodView } from "../pod.js";
import { ALLOWED_VOLUME_SOURCES, RESTRICTED_VOLUME_SOURCES, volumesOf } from "../volumes.js";

function restrictedVolumesV1Dot0({ spec }: PodView): CheckResult {
  const badVolumes: string[] = [];
  const badTypes: string[] = [];
  const fields: FieldPath[] = [];
  for (const v of volumesOf(spec)) {
    if (ALLOWED_VOLUME_SOURCES.some((source) => v.volume[source] != null)) continue;
    badVolumes.push(v.name);
    const type = RESTRICTED_VOLUME_SOURCES.find((source) => v.volume[source] != null) ?? "unknown";
    badTypes.push(type);
    fields.push(type === "unknown" ? v.path : [...v.path, type]);
  }
  if (badVolumes.length === 0) return ALLOWED;
  const types = sortedUnique(badTypes);
  return forbidden(
    "restricted volume types",
    `${pluralize("volume", "volumes", badVolumes.length)} ${joinQuote(badVolumes)} ${pluralize("uses", "use", badVolumes.length)} ${pluralize("restricted volume type", "restricted volume types", types.length)} ${joinQuote(types)}`,
    fields,
  );
}

export const restrictedVolumes: Check = {
  id: "restrictedVolumes",
  level: "restricted",
  title: "Only core volume types may be used inline",
  remediation: "Use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes; reach other storage through a PersistentVolumeClaim.",
  versions: [{ minimumMinor: 0, check: restrictedVolumesV1Dot0, overrides: ["hostPathVolumes"] }],
};
