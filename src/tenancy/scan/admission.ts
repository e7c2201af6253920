/**
 * The admission webhook's tenancy policy as `palisade scan --admission-config` judges: each
 * pod template's violations are placementViolations' (src/tenancy/tenants.ts), the very
 * function the policy calls (src/admission/policies/tenancy.ts), turned into findings at
 * their field. The scan judges a CREATE of each object, as the webhook would see it.
 */
import { findingAt } from "../../findings/finding-at.js";
import type { Finding, Rule, Severity } from "../../findings/types.js";
import type { Labels } from "../../k8s/labels.js";
import type { FieldPath, LoadedObject } from "../../k8s/types.js";
import { placementViolations, tenantOfNamespace, type TenancyModel, type TenancyViolation } from "../tenants.js";
import { TENANCY_RULES } from "./rules.js";

/** The webhook's tenancy policy, as `palisade scan --admission-config FILE` judges with it. */
export interface TenancyAdmission {
  model: TenancyModel;
  /** The policy's mode: only `enforce` refuses. */
  mode: string;
  /** The configuration file, named in findings' notes. */
  file: string;
}

const RULE_OF: Readonly<Record<TenancyViolation["rule"], Rule>> = {
  "foreign-toleration": TENANCY_RULES.foreignToleration,
  "foreign-node-selection": TENANCY_RULES.foreignNodeSelection,
  "foreign-node-name": TENANCY_RULES.foreignNodeName,
  "missing-tenant-placement": TENANCY_RULES.missingTenantPlacement,
  "unknown-tenant": TENANCY_RULES.unknownTenant,
};

/** What the policy's mode makes of a violation: refused at enforce, less at the modes that let the object in. */
function severityOf(mode: string): Severity {
  return mode === "enforce" ? "high" : mode === "warn" ? "medium" : "low";
}

function noteOf(admission: TenancyAdmission): string {
  const { mode, file } = admission;
  if (mode === "enforce") return `the admission webhook (${file}) would refuse it`;
  if (mode === "warn") return `the admission webhook (${file}, tenancy policy in warn mode) would warn`;
  if (mode === "audit") return `the admission webhook (${file}, tenancy policy in audit mode) would annotate the audit event`;
  return `the admission webhook (${file}, tenancy policy in ${mode} mode) would only log it`;
}

export interface AdmissionJudgement {
  findings: Finding[];
  /** The judgement named a node (nodeName, matchFields): it holds only once every Node of the input is known. */
  askedForNodes: boolean;
}

/**
 * The policy's verdict on one object's pod template, as findings. `namespace` is the object's
 * namespace with its labels (undefined when the input holds no such Namespace: the scan then
 * knows no tenant for it, as a webhook that had never heard of it), `nodeLabels` the Nodes known.
 */
export function judgeTenancyAdmission(
  admission: TenancyAdmission,
  loaded: LoadedObject,
  templatePath: FieldPath,
  spec: Record<string, unknown>,
  namespace: { name: string; labels: Labels | undefined },
  nodeLabels: (name: string) => Labels | undefined,
): AdmissionJudgement {
  let askedForNodes = false;
  const asking = (name: string): Labels | undefined => {
    askedForNodes = true;
    return nodeLabels(name);
  };
  const tenant = tenantOfNamespace(admission.model, namespace.labels);
  const violations = placementViolations(admission.model, tenant, spec, asking);
  if (violations.length === 0) return { findings: [], askedForNodes };
  const severity = severityOf(admission.mode);
  // In the cluster the webhook knows the namespace's tenant; here a namespace missing from the input has none, which the reader must know.
  const note = namespace.labels === undefined ? `${noteOf(admission)}, if namespace ${namespace.name} (not in the input) belongs to no tenant` : noteOf(admission);
  const specPath = [...templatePath, "spec"];
  const findings = violations.map((violation) => {
    // A violation of the whole pod (no tenant placement, an unknown tenant) is located at the pod spec.
    const finding = findingAt(RULE_OF[violation.rule], loaded, [...specPath, ...violation.path], violation.message);
    finding.severity = severity;
    finding.note = note;
    finding.properties = { policy: "tenancy", rule: violation.rule, mode: admission.mode };
    return finding;
  });
  return { findings, askedForNodes };
}
