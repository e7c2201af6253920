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

/** When the check applies, and the versions whose behaviour differs (chosen by the <mode>-version label or --pss-version). */
function versionsNote(minors: number[]): string {
  const [first = 0, ...changes] = minors;
  const from = first === 0 ? "It applies at every version" : `It applies from v1.${first} (not at earlier versions)`;
  if (changes.length === 0) return `${from}, unchanged.`;
  return `${from}; its behaviour changes at ${versionsText(changes)}: the namespace's pod-security.kubernetes.io/<mode>-version label (or --pss-version) selects which applies.`;
}

/** A Namespace whose pod-security.kubernetes.io labels PSA cannot read. */
export const NAMESPACE_LABELS_RULE: Rule = {
  id: "pss/namespace-labels",
  title: "Pod Security namespace labels must be valid",
  family: "pod-security",
  pillar: "workload",
  severity: "high",
  docs: {
    description:
      "A pod-security.kubernetes.io/<mode> label must be privileged, baseline or restricted, and a <mode>-version label latest or v1.N. " +
      "Pod Security Admission refuses to create a Namespace with any other value (and to change one to it). On a namespace that has one " +
      "already, it judges an invalid enforce level as restricted, ignores an invalid audit or warn level (privileged), and reads an invalid version as latest.",
    remediation: "Set pod-security.kubernetes.io/<mode> to privileged, baseline or restricted, and <mode>-version to latest or v1.N (with the v, quoted).",
    helpUri: "https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces",
  },
};

/** One rule per Pod Security check, documented from the check's own record. */
const CHECK_RULES: readonly Rule[] = CHECKS.map((check) => ({
  id: ruleIdForCheck(check.id),
  title: check.title,
  family: "pod-security",
  pillar: "workload",
  severity: SEVERITY[check.id] ?? "medium",
  docs: {
    description:
      `Pod Security Standards check \`${check.id}\` (${check.level} level), judged exactly as Pod Security Admission does. ` +
      versionsNote(check.versions.map((v) => v.minimumMinor)),
    remediation: check.remediation,
    helpUri: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
  },
}));

export const POD_SECURITY_RULES: readonly Rule[] = [...CHECK_RULES, NAMESPACE_LABELS_RULE];
