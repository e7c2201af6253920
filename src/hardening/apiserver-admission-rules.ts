/**
 * Admission plugins kube-apiserver runs unless told not to (pkg/kubeapiserver/options/plugins.go
 * DefaultOffAdmissionPlugins: every plugin but these is off). Two ways turn them off:
 * --disable-admission-plugins names them, or the deprecated --admission-control names the whole
 * list, and every plugin it leaves out is disabled (admission.go computePluginNames), so
 * `--admission-control=NodeRestriction` runs NodeRestriction alone.
 */
import { flag, flagRules, type FlagRule, type FlagVerdict } from "./flag-rule.js";
import { listValue, type ControlPlaneContainer } from "./flags.js";

const rule = flagRules("kube-apiserver");

/** Default-on plugins that enforce policy the cluster's own objects declare: off, those objects are silently ignored. */
const POLICY_PLUGINS = ["PodSecurity", "ValidatingAdmissionWebhook", "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy"];

/** Default-on plugins that keep the built-in guarantees (CIS 1.2.12, 1.2.13 and the certificate and quota checks). */
const GUARD_PLUGINS = ["NamespaceLifecycle", "ServiceAccount", "CertificateApproval", "CertificateSigning", "CertificateSubjectRestriction", "ResourceQuota", "LimitRanger"];

/** The default-on plugins of `wanted` that the flags turn off, and the flag that does it. */
function turnedOff(c: ControlPlaneContainer, wanted: readonly string[]): FlagVerdict | undefined {
  // pflag's string slice reads `--admission-control=` as an empty, non-nil list: every plugin off.
  const whole = c.flags.get("admission-control");
  if (whole) {
    const named = new Set(listValue(whole));
    const off = wanted.filter((p) => !named.has(p));
    const list = whole.value === "" ? "names no plugin" : `names the whole plugin list`;
    return off.length ? { message: `--admission-control=${whole.value} ${list}, so default-on ${off.join(", ")} ${off.length === 1 ? "is" : "are"} off`, flag: whole } : undefined;
  }
  const disable = flag(c, "disable-admission-plugins");
  if (!disable) return undefined;
  const enabled = new Set(listValue(flag(c, "enable-admission-plugins")));
  const off = listValue(disable).filter((p) => wanted.includes(p) && !enabled.has(p));
  return off.length ? { message: `--disable-admission-plugins turns off ${off.join(", ")}`, flag: disable } : undefined;
}

export const ADMISSION_RULES: readonly FlagRule[] = [
  rule(
    "policy-admission-disabled",
    "A default-on policy admission plugin is turned off",
    "high",
    "workload",
    "PodSecurity enforces the pod-security.kubernetes.io namespace labels, and ValidatingAdmissionWebhook, MutatingAdmissionWebhook and ValidatingAdmissionPolicy call the policy engines (Gatekeeper, Kyverno) and CEL policies the cluster registers. All are on by default; turned off by --disable-admission-plugins or left out of the deprecated --admission-control, every such label, webhook and policy is silently ignored.",
    "Remove them from --disable-admission-plugins, or replace --admission-control with --enable-admission-plugins (which adds to the defaults).",
    (c) => turnedOff(c, POLICY_PLUGINS),
  ),
  rule(
    "default-admission-disabled",
    "A default-on admission plugin is turned off",
    "medium",
    "identity",
    "NamespaceLifecycle refuses objects in namespaces being deleted or that do not exist and protects default, kube-system and kube-public (CIS 1.2.13); ServiceAccount gives pods their service account and keeps them to the secrets it allows (CIS 1.2.12); CertificateApproval, CertificateSigning and CertificateSubjectRestriction check who may approve and sign CSRs and refuse system:masters client certificates; ResourceQuota and LimitRanger enforce the namespace's ResourceQuota and LimitRange objects. All are on by default; --disable-admission-plugins, or a deprecated --admission-control that leaves them out, turns them off.",
    "Remove them from --disable-admission-plugins, or replace --admission-control with --enable-admission-plugins (which adds to the defaults).",
    (c) => turnedOff(c, GUARD_PLUGINS),
  ),
];
