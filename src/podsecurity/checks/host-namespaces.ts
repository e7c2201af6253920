import { ALLOWED, forbidden, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import type { PodView } from "../pod.js";

const HOST_NAMESPACE_FIELDS = ["hostNetwork", "hostPID", "hostIPC"] as const;

function hostNamespacesV1Dot0({ spec }: PodView): CheckResult {
  const set = HOST_NAMESPACE_FIELDS.filter((f) => spec[f] === true);
  if (set.length === 0) return ALLOWED;
  return forbidden(
    "host namespaces",
    set.map((f) => `${f}=true`).join(", "),
    set.map((f): FieldPath => ["spec", f]),
  );
}

export const hostNamespaces: Check = {
  id: "hostNamespaces",
  level: "baseline",
  title: "Sharing the host namespaces must be disallowed",
  remediation: "Remove spec.hostNetwork, spec.hostPID and spec.hostIPC or set them to false.",
  versions: [{ minimumMinor: 0, check: hostNamespacesV1Dot0 }],
};
