import type { Rule, Severity } from "../findings/types.js";
import { CHECKS } from "./registry.js";

/** How much each check's failure weakens the workload pillar. */
const SEVERITY: Readonly<Record<string, Severity>> = {
  privileged: "critical",
  windowsHostProcess: "critical",
  hostNamespaces: "high",
  hostPathVolumes: "high",
  capabilities_baseline: "high",
  hostPorts: "medium",
  appArmorProfile: "medium",
  seLinuxOptions: "medium",
  procMount: "medium",
  procMount_restricted: "medium",
  seccompProfile_baseline: "medium",
  sysctls: "medium",
  hostProbesAndHostLifecycle: "medium",
  restrictedVolumes: "medium",
  runAsNonRoot: "medium",
  runAsUser: "medium",
  allowPrivilegeEscalation: "medium",
  seccompProfile_restricted: "low",
  capabilities_restricted: "low",
};

export function ruleIdForCheck(checkId: string): string {
  return `pss/${checkId}`;
}

function versionsText(minors: number[]): string {
  return minors.map((m) => `v1.${m}`).join(", ");
}

/** One rule per Pod Security check, documented from the check's own record. */
export const POD_SECURITY_RULES: readonly Rule[] = CHECKS.map((check) => ({
  id: ruleIdForCheck(check.id),
  title: check.title,
  family: "pod-security",
  pillar: "workload",
  severity: SEVERITY[check.id] ?? "medium",
  docs: {
    description:
      `Pod Security Standards check \`${check.id}\` (${check.level} level), judged exactly as Pod Security Admission does. ` +
      `Behaviour changes at ${versionsText(check.versions.map((v) => v.minimumMinor))}; the namespace's ` +
      "pod-security.kubernetes.io/<mode>-version label (or --pss-version) selects which applies.",
    remediation: check.remediation,
    helpUri: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
  },
}));
