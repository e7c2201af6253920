import type { Finding, Rule } from "../findings/types.js";
import type { Snapshot } from "../k8s/snapshot.js";
import { formatFieldPath, isLiveSource, objectRef, type LoadedObject } from "../k8s/types.js";
import type { ScanFamily } from "../scan/family.js";
import { APISERVER_RULES } from "./apiserver-rules.js";
import { ADMISSION_RULES } from "./apiserver-admission-rules.js";
import { CREDENTIAL_RULES } from "./apiserver-credential-rules.js";
import { apiserverConfigFileFindings, AUDIT_POLICY_UNCHECKED, AUTHENTICATION_CONFIG_UNCHECKED, AUTHORIZATION_CONFIG_UNCHECKED, configFileFindings } from "./apiserver-config-files.js";
import { CONFIG_FILE_REFUSED } from "./config-file-finding.js";
import { AUDIT_POLICY_RULES } from "./audit-policy-rules.js";
import { isAuditPolicy } from "./audit-policy.js";
import { CONTROLLER_RULES } from "./controller-rules.js";
import { ETCD_RULES } from "./etcd-rules.js";
import { isKubeletConfiguration, KUBELET_RULES } from "./kubelet-rules.js";
import { KUBELET_CONFIG_UNCHECKED, kubeletFindings } from "./kubelet-flags.js";
import { WEBHOOK_RULES, webhookEntries } from "./webhook-rules.js";
import { APISERVICE_RULES } from "./apiservice-rules.js";
import { CA_BUNDLE_RULES, type CalloutVerdict } from "./ca-bundle-rules.js";
import { apiServiceSpec, tlsCallouts } from "./callouts.js";
import { controlPlaneCommandLines } from "./flags.js";
import { flag, type FlagRule } from "./flag-rule.js";
import { COMMAND_LINE_RULES, ETCD_CONFIG_FILE_UNCHECKED, FLAGS_NOT_AUDITED, REFUSES_TO_START } from "./command-line-rules.js";
import type { FieldPath } from "../k8s/types.js";

/** Every control-plane flag rule, by component. */
const FLAG_RULES = [...APISERVER_RULES, ...ADMISSION_RULES, ...CREDENTIAL_RULES, ...ETCD_RULES, ...CONTROLLER_RULES];

/**
 * Control-plane configuration audit: the flags of kube-apiserver, etcd,
 * kube-controller-manager and kube-scheduler static pods (as kubeadm writes them under
 * /etc/kubernetes/manifests), each finding pointing at the flag; kubelet configuration
 * files; admission webhook registrations; and the caBundle of every server kube-apiserver calls
 * (admission and conversion webhooks, aggregated APIs), with APIServices' TLS settings.
 */
export function checkControlPlane(snapshot: Snapshot): Finding[] {
  const findings: Finding[] = kubeletFindings(snapshot);
  const encryptionConfigs = snapshot.objects.filter((o) => o.object.kind === "EncryptionConfiguration");
  for (const loaded of snapshot.objects) {
    findings.push(...webhookFindings(loaded), ...calloutFindings(loaded), ...configFileFindings(loaded));
    for (const container of controlPlaneCommandLines(loaded.object)) {
      const finding = (rule: FlagRule | undefined, message: string, path: FieldPath): Finding[] =>
        rule ? [{ ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, message, object: objectRef(loaded.object), fieldPath: formatFieldPath(path), position: loaded.source.locate(path), remediation: rule.docs.remediation }] : [];
      if (!("flags" in container)) {
        findings.push(...finding(FLAGS_NOT_AUDITED.get(container.component), container.message, container.path));
        continue;
      }
      for (const refusal of container.refusals) findings.push(...finding(REFUSES_TO_START.get(container.component), refusal.message, refusal.path));
      if (container.configFile) {
        // etcd ignores every other flag and variable: judging them would judge settings it does not use.
        const file = container.configFile;
        findings.push(...finding(ETCD_CONFIG_FILE_UNCHECKED, `${file.written}: etcd takes its settings from that file, which Palisade does not read, and ignores its other flags and ETCD_* variables, so its settings were not checked`, file.path));
        continue;
      }
      for (const rule of FLAG_RULES) {
        if (rule.component !== container.component) continue;
        const verdict = rule.check(container);
        if (verdict) findings.push(...finding(rule, verdict.message, verdict.flag?.path ?? container.path));
      }
      findings.push(...apiserverConfigFileFindings(loaded, container, snapshot.objects));
      const configFlag = flag(container, "encryption-provider-config");
      if (container.component === "kube-apiserver" && configFlag && encryptionConfigs.length === 0) {
        findings.push({
          ruleId: "apiserver/encryption-config-unchecked",
          severity: "info",
          pillar: "data",
          message: `--encryption-provider-config=${configFlag.value} is not among the scanned files, so its providers and keys were not checked`,
          object: objectRef(loaded.object),
          fieldPath: formatFieldPath(configFlag.path),
          position: loaded.source.locate(configFlag.path),
          remediation: `Scan the file too, or run \`palisade encryption check ${configFlag.value}\` on the control-plane node.`,
        });
      }
    }
  }
  return findings;
}

/** Each webhook entry of an admission webhook registration, judged by WEBHOOK_RULES. */
function webhookFindings(loaded: LoadedObject): Finding[] {
  const entries = webhookEntries(loaded.object);
  if (entries.length === 0) return [];
  const object = objectRef(loaded.object);
  return entries.flatMap((entry) =>
    WEBHOOK_RULES.flatMap((rule) => {
      const verdict = rule.check(entry);
      if (!verdict) return [];
      return [{ ruleId: rule.id, severity: verdict.severity ?? rule.severity, pillar: rule.pillar, message: verdict.message, object, fieldPath: formatFieldPath(verdict.path), position: loaded.source.locate(verdict.path), remediation: rule.docs.remediation }];
    }),
  );
}

/** The TLS callouts an object registers (callouts.ts), judged by CA_BUNDLE_RULES, and an APIService by APISERVICE_RULES. */
function calloutFindings(loaded: LoadedObject): Finding[] {
  const callouts = tlsCallouts(loaded.object, isLiveSource(loaded.source));
  const apiService = apiServiceSpec(loaded.object) !== undefined;
  if (callouts.length === 0 && !apiService) return [];
  const object = objectRef(loaded.object);
  const verdicts: Array<{ rule: Rule; verdict: CalloutVerdict }> = [
    ...callouts.flatMap((callout) => CA_BUNDLE_RULES.flatMap((rule) => rule.check(callout).map((verdict) => ({ rule, verdict })))),
    ...(apiService ? APISERVICE_RULES.flatMap((rule) => rule.check(loaded.object).map((verdict) => ({ rule, verdict }))) : []),
  ];
  return verdicts.map(({ rule, verdict }) => ({
    ruleId: rule.id,
    severity: verdict.severity ?? rule.severity,
    pillar: rule.pillar,
    message: verdict.message,
    object,
    fieldPath: formatFieldPath(verdict.path),
    position: loaded.source.locate(verdict.path),
    remediation: rule.docs.remediation,
  }));
}

export const controlPlaneFamily: ScanFamily = {
  id: "hardening",
  rules: [
    ...FLAG_RULES.map(({ check: _check, component: _component, ...r }) => r),
    ...KUBELET_RULES.map(({ check: _check, ...r }) => r),
    KUBELET_CONFIG_UNCHECKED,
    AUTHENTICATION_CONFIG_UNCHECKED,
    AUTHORIZATION_CONFIG_UNCHECKED,
    CONFIG_FILE_REFUSED,
    AUDIT_POLICY_UNCHECKED,
    ...AUDIT_POLICY_RULES,
    ...WEBHOOK_RULES.map(({ check: _check, ...r }) => r),
    ...CA_BUNDLE_RULES.map(({ check: _check, ...r }) => r),
    ...APISERVICE_RULES.map(({ check: _check, ...r }) => r),
    ...COMMAND_LINE_RULES,
    {
      id: "apiserver/encryption-config-unchecked",
      title: "The encryption configuration was not scanned",
      family: "hardening",
      pillar: "data",
      severity: "info",
      docs: {
        description: "kube-apiserver names an --encryption-provider-config that is not among the scanned files, so Palisade could not check its providers and keys.",
        remediation: "Include the EncryptionConfiguration file in the scan, or run `palisade encryption check FILE` where it lives.",
        helpUri: "https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/#understanding-the-encryption-at-rest-configuration",
      },
    },
  ],
  check: (snapshot) => checkControlPlane(snapshot),
  reads: () => (object) => object.kind === "EncryptionConfiguration" || object.kind === "AuthenticationConfiguration" || object.kind === "AuthorizationConfiguration" || isAuditPolicy(object) || isKubeletConfiguration(object) || webhookEntries(object).length > 0 || tlsCallouts(object).length > 0 || apiServiceSpec(object) !== undefined || controlPlaneCommandLines(object).length > 0,
};
