import { ALLOWED, forbidden, joinQuote, pluralize, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { volumesOf } from "../volumes.js";
import type { PodView } from "../pod.js";

function hostPathVolumesV1Dot0({ spec }: PodView): CheckResult {
  const names: string[] = [];
  const fields: FieldPath[] = [];
  for (const v of volumesOf(spec)) {
    if (v.volume.hostPath != null) {
      names.push(v.name);
      fields.push([...v.path, "hostPath"]);
    }
  }
  if (names.length === 0) return ALLOWED;
  return forbidden("hostPath volumes", `${pluralize("volume", "volumes", names.length)} ${joinQuote(names)}`, fields);
}

export const hostPathVolumes: Check = {
  id: "hostPathVolumes",
  level: "baseline",
  title: "HostPath volumes must be forbidden",
  remediation: "Replace hostPath volumes with emptyDir, configMap, secret, projected or persistentVolumeClaim volumes.",
  versions: [{ minimumMinor: 0, check: hostPathVolumesV1Dot0 }],
};
