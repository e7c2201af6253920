/**
 * Taint-based tenant isolation. Each tenant owns a set of nodes carrying its taint and its
 * node label; only that tenant's pods may tolerate the taint or select the label. The node
 * label must live under node-restriction.kubernetes.io/, a prefix kubelets cannot set on
 * their own Node (NodeRestriction), so a compromised node cannot join another tenant.
 * Matching is src/tenancy/taints.ts (exact upstream semantics) and src/k8s/labels.ts.
 */
import type { Labels } from "../k8s/labels.js";
import { isRecord, type FieldPath } from "../k8s/types.js";
import { namedNodes, nodeAffinityTerms, termMatchesNode, termSelects } from "./node-affinity.js";
import { toleratesTaint, taintToString, type Taint, type Toleration } from "./taints.js";

export const NODE_RESTRICTION_PREFIX = "node-restriction.kubernetes.io/";

export interface Tenant {
  name: string;
  taint: Taint;
  nodeLabel: { key: string; value: string };
}

export interface TenancyModel {
  /** Namespace label whose value names the namespace's tenant. */
  namespaceLabel: string;
  tenants: Tenant[];
}

export interface TenancyViolation {
  rule: "foreign-toleration" | "foreign-node-selection" | "foreign-node-name" | "missing-tenant-placement" | "unknown-tenant";
  message: string;
  path: FieldPath;
}

/** The label key is one a kubelet cannot set on itself. */
export function isNodeRestrictedLabel(key: string): boolean {
  const slash = key.indexOf("/");
  if (slash < 0) return false;
  const prefix = key.slice(0, slash);
  return prefix === "node-restriction.kubernetes.io" || prefix.endsWith(".node-restriction.kubernetes.io");
}

/** The tenant a namespace belongs to, "unknown" when labelled with a tenant nobody configured, undefined when none. */
export function tenantOfNamespace(model: TenancyModel, labels: Labels | undefined): Tenant | "unknown" | undefined {
  const name = labels?.[model.namespaceLabel];
  if (name === undefined) return undefined;
  return model.tenants.find((t) => t.name === name) ?? "unknown";
}

/** The toleration a tenant's pods get: exactly the tenant's taint, nothing wider. */
export function tenantToleration(tenant: Tenant): Toleration {
  const toleration: Toleration = { key: tenant.taint.key, operator: "Equal", value: tenant.taint.value ?? "" };
  if (tenant.taint.effect) toleration.effect = tenant.taint.effect;
  return toleration;
}

type PodSpec = Record<string, unknown>;

/**
 * Whether a toleration can tolerate a tenant's taint on some cluster. Gt/Lt tolerations
 * (the alpha TaintTolerationComparisonOperators gate, Kubernetes v1.35) tolerate nothing with
 * the gate off, but with it on the API server accepts them and the scheduler compares the
 * values as integers: `{key: <tenant taint key>, operator: Lt, value: "99999"}` then tolerates
 * a tenant whose taint value is a number such as "1001". The webhook cannot see the cluster's
 * feature gates, so isolation counts a toleration that tolerates under either setting; with
 * the gate off the API server refuses such a toleration anyway, so nothing is lost.
 */
function mayTolerate(toleration: Toleration, taint: Taint): boolean {
  return toleratesTaint(toleration, taint).tolerated || toleratesTaint(toleration, taint, { comparisonOperators: true }).tolerated;
}

function tolerationsOf(spec: PodSpec): Toleration[] {
  return Array.isArray(spec.tolerations) ? (spec.tolerations.filter(isRecord) as Toleration[]) : [];
}

function nodeSelectorOf(spec: PodSpec): Record<string, string> {
  return isRecord(spec.nodeSelector) ? (spec.nodeSelector as Record<string, string>) : {};
}

/**
 * What is wrong with a pod spec's placement: tolerating or selecting another tenant's nodes,
 * or (in a tenant namespace) not carrying its own tenant's toleration and selector.
 * `nodeLabels` resolves spec.nodeName when the node is known.
 */
export function placementViolations(
  model: TenancyModel,
  own: Tenant | "unknown" | undefined,
  spec: PodSpec,
  nodeLabels: (name: string) => Labels | undefined = () => undefined,
): TenancyViolation[] {
  if (own === "unknown") {
    return [{ rule: "unknown-tenant", message: `namespace label ${model.namespaceLabel} names a tenant that is not configured`, path: [] }];
  }
  const violations: TenancyViolation[] = [];
  const tolerations = tolerationsOf(spec);
  const selector = nodeSelectorOf(spec);
  const terms = nodeAffinityTerms(spec);
  for (const other of model.tenants) {
    if (own && other.name === own.name) continue;
    tolerations.forEach((toleration, i) => {
      if (mayTolerate(toleration, other.taint)) {
        violations.push({ rule: "foreign-toleration", message: `toleration ${i} tolerates tenant ${JSON.stringify(other.name)}'s taint ${taintToString(other.taint)}`, path: ["tolerations", i] });
      }
    });
    if (selector[other.nodeLabel.key] === other.nodeLabel.value) {
      violations.push({ rule: "foreign-node-selection", message: `nodeSelector ${other.nodeLabel.key}=${other.nodeLabel.value} selects tenant ${JSON.stringify(other.name)}'s nodes`, path: ["nodeSelector", other.nodeLabel.key] });
    }
    for (const term of terms) {
      const index = termSelects(term, selector, other.nodeLabel.key, other.nodeLabel.value);
      if (index < 0) continue;
      const requirement = term.expressions[index]!;
      violations.push({ rule: "foreign-node-selection", message: `node affinity on ${requirement.key} ${requirement.operator} reaches tenant ${JSON.stringify(other.name)}'s nodes`, path: [...term.path, "matchExpressions", index] });
    }
    // A term that names a node (matchFields metadata.name) is a nodeName the scheduler honours: judged like one when the node is known.
    for (const term of terms) {
      for (const name of namedNodes(term)) {
        const labels = nodeLabels(name);
        if (!labels || labels[other.nodeLabel.key] !== other.nodeLabel.value) continue;
        if (!termMatchesNode(term, name, labels) || !Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
        violations.push({ rule: "foreign-node-name", message: `node affinity names node ${name}, a node of tenant ${JSON.stringify(other.name)}`, path: [...term.path, "matchFields"] });
      }
    }
    if (typeof spec.nodeName === "string") {
      const labels = nodeLabels(spec.nodeName);
      if (labels && labels[other.nodeLabel.key] === other.nodeLabel.value) {
        violations.push({ rule: "foreign-node-name", message: `nodeName ${spec.nodeName} is a node of tenant ${JSON.stringify(other.name)}`, path: ["nodeName"] });
      }
    }
  }
  if (own) {
    const hasToleration = tolerations.some((t) => toleratesTaint(t, own.taint).tolerated);
    const hasSelector = selector[own.nodeLabel.key] === own.nodeLabel.value;
    if (!hasToleration || !hasSelector) {
      violations.push({ rule: "missing-tenant-placement", message: `pods of tenant ${JSON.stringify(own.name)} must tolerate ${taintToString(own.taint)} and select ${own.nodeLabel.key}=${own.nodeLabel.value}`, path: [] });
    }
  }
  return violations;
}

/** JSON patch operations (relative to the pod spec at `pointer`) that place a pod on its tenant's nodes. */
export function tenantPlacementPatch(tenant: Tenant, spec: PodSpec, pointer: string): { op: "add"; path: string; value: unknown }[] {
  const ops: { op: "add"; path: string; value: unknown }[] = [];
  const wanted = tenantToleration(tenant);
  const tolerations = tolerationsOf(spec);
  // An empty operator is Equal (core/v1 ToleratesTaint): `operator: ""` already carries the toleration, so none is added twice.
  const present = tolerations.some((t) => (t.key ?? "") === wanted.key && (t.operator || "Equal") === "Equal" && (t.value ?? "") === wanted.value && (t.effect ?? "") === (wanted.effect ?? ""));
  if (!present) {
    if (Array.isArray(spec.tolerations)) ops.push({ op: "add", path: `${pointer}/tolerations/-`, value: wanted });
    else ops.push({ op: "add", path: `${pointer}/tolerations`, value: [wanted] });
  }
  const selector = nodeSelectorOf(spec);
  if (selector[tenant.nodeLabel.key] !== tenant.nodeLabel.value) {
    if (isRecord(spec.nodeSelector)) ops.push({ op: "add", path: `${pointer}/nodeSelector/${escapePointer(tenant.nodeLabel.key)}`, value: tenant.nodeLabel.value });
    else ops.push({ op: "add", path: `${pointer}/nodeSelector`, value: { [tenant.nodeLabel.key]: tenant.nodeLabel.value } });
  }
  return ops;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
