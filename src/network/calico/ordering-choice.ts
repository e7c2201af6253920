/**
 * Which Calico version's policy ordering to follow (policy-order.ts): the one the user gives
 * (`--calico-version`), else the one the cluster reports in its ClusterInformation
 * (projectcalico.org/v3 or crd.projectcalico.org/v1, named `default`, `spec.calicoVersion`),
 * else today's. The choice is returned with where it came from, so shells can say what was
 * assumed.
 */
import { apiGroupOf } from "../../k8s/snapshot.js";
import { NETWORK_POLICY_ORDER } from "../networkpolicy/compile.js";
import { POLICY_KINDS } from "./decode.js";
import type { K8sObject } from "../../k8s/types.js";
import { describeOrdering, orderingFor, type PolicyOrdering } from "./policy-order.js";
import { parseCalicoVersion, type CalicoVersion } from "./version.js";

export const CALICO_GROUPS = ["projectcalico.org", "crd.projectcalico.org"];

export interface OrderingChoice {
  ordering: PolicyOrdering;
  version?: CalicoVersion;
  source: "flag" | "cluster-information" | "assumed";
  /** One line for output: the ordering and why it was chosen. */
  summary: string;
  /** Set when the ClusterInformation in the inputs could not be used, and why. */
  warning?: string;
}

function isClusterInformation(object: K8sObject): boolean {
  return object.kind === "ClusterInformation" && CALICO_GROUPS.includes(apiGroupOf(object.apiVersion)) && object.metadata?.name === "default";
}

/** The version the inputs' ClusterInformation reports, or why it cannot be used. */
export function clusterCalicoVersion(objects: Iterable<K8sObject>): { version?: CalicoVersion; text?: string; warning?: string } {
  for (const object of objects) {
    if (!isClusterInformation(object)) continue;
    const spec = (object.spec ?? {}) as Record<string, unknown>;
    // Calico Enterprise numbers its releases on its own line; its 3.20 is not Open Source's.
    if (typeof spec.cnxVersion === "string" && spec.cnxVersion !== "") {
      return { warning: `ClusterInformation reports Calico Enterprise ${spec.cnxVersion}, whose version numbers are not Calico Open Source's; give --calico-version with the Open Source release it is built on` };
    }
    const text = spec.calicoVersion;
    if (typeof text !== "string" || text === "") return { warning: "ClusterInformation default has no spec.calicoVersion" };
    const version = parseCalicoVersion(text);
    if (!version) return { text, warning: `ClusterInformation spec.calicoVersion ${JSON.stringify(text)} is not a Calico 3.x version` };
    return { version, text };
  }
  return {};
}

export function chooseOrdering(objects: Iterable<K8sObject>, override?: CalicoVersion): OrderingChoice {
  if (override) {
    const ordering = orderingFor(override);
    return { ordering, version: override, source: "flag", summary: `${describeOrdering(ordering, override)}, from --calico-version` };
  }
  const found = clusterCalicoVersion(objects);
  if (found.version) {
    const ordering = orderingFor(found.version);
    return { ordering, version: found.version, source: "cluster-information", summary: `${describeOrdering(ordering, found.version)}, from ClusterInformation ${found.text}` };
  }
  const ordering = orderingFor(undefined);
  const choice: OrderingChoice = { ordering, source: "assumed", summary: `${ordering.description}, assumed (no --calico-version and no usable ClusterInformation)` };
  if (found.warning) choice.warning = found.warning;
  return choice;
}


/**
 * Whether a Calico policy shares its order with another policy of its tier (two without one
 * included; Kubernetes NetworkPolicies count in the default tier at 1000, where Calico
 * places them). Without such a tie no tie-break is ever read, and every Calico version
 * orders the inputs alike. Ties among Kubernetes NetworkPolicies alone do not count: they
 * only allow, and allows give the same verdict in any order.
 */
export function hasOrderTies(objects: Iterable<K8sObject>): boolean {
  const groups = new Map<string, { size: number; calico: boolean }>();
  for (const object of objects) {
    let key: string | undefined;
    let calico = false;
    if (object.kind === "NetworkPolicy" && object.apiVersion === "networking.k8s.io/v1") key = `default ${NETWORK_POLICY_ORDER}`;
    else if (CALICO_GROUPS.includes(apiGroupOf(object.apiVersion)) && (POLICY_KINDS as readonly string[]).includes(object.kind ?? "")) {
      const spec = (object.spec ?? {}) as Record<string, unknown>;
      const tier = typeof spec.tier === "string" && spec.tier !== "" ? spec.tier : "default";
      key = `${tier} ${typeof spec.order === "number" ? spec.order : "unset"}`;
      calico = true;
    }
    if (key === undefined) continue;
    const group = groups.get(key) ?? { size: 0, calico: false };
    group.size++;
    group.calico ||= calico;
    if (group.size > 1 && group.calico) return true;
    groups.set(key, group);
  }
  return false;
}
