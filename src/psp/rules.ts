import type { Rule } from "../findings/types.js";

/** Rule records of `palisade psp check`. */
export const PSP_RULES = {
  notAdmitted: {
    id: "psp/not-admitted", family: "psp", pillar: "workload", severity: "high",
    title: "Pod is not admitted by any PodSecurityPolicy",
    docs: {
      description: "Under the PodSecurityPolicy admission controller a pod is created only if one policy the requester or the pod's service account may use admits it, after that policy's defaulting. No policy admits this pod (template), so the API server would refuse it; each finding names a policy and the field it refuses, with upstream's message.",
      remediation: "Change the pod to fit one of the policies (the message says which field and why), or grant the service account `use` on a policy that allows it.",
      helpUri: "https://kubernetes.io/docs/concepts/security/pod-security-policy/",
    },
  },
  admittedAfterDefaulting: {
    id: "psp/admitted-after-defaulting", family: "psp", pillar: "workload", severity: "info",
    title: "Pod is admitted only after the policy changes it",
    docs: {
      description: "The admitting policy fills in security fields the pod leaves unset (user and group IDs, capabilities, seccomp and AppArmor profiles, ...). What runs then differs from what the manifest says, and an update to such a pod is refused, because updates may not be mutated.",
      remediation: "Set the defaulted fields in the manifest (`palisade psp mutate` prints them) so the pod is admitted unchanged.",
      helpUri: "https://kubernetes.io/docs/concepts/security/pod-security-policy/",
    },
  },
  invalidPolicy: {
    id: "psp/invalid-policy", family: "psp", pillar: "workload", severity: "high",
    title: "PodSecurityPolicy is invalid",
    docs: {
      description: "The API server would reject this PodSecurityPolicy (or its admission controller could not use it): a strategy rule is unknown, a range is inverted, a MustRunAs strategy has no ranges, a sysctl pattern is malformed, and so on.",
      remediation: "Correct the field named in the message.",
      helpUri: "https://kubernetes.io/docs/concepts/security/pod-security-policy/",
    },
  },
} as const satisfies Record<string, Rule>;

export const PSP_RULE_LIST: readonly Rule[] = Object.values(PSP_RULES);
