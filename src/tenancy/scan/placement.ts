/**
 * What a pod template's placement lets its pods reach, without any tenancy model: a
 * toleration of every taint, a toleration of the control-plane taint, a node named outside
 * the scheduler. Facts of upstream behind each rule:
 * - core/v1 Toleration.ToleratesTaint: an empty key with operator Exists matches every key,
 *   an empty effect every effect (taints.ts follows it);
 * - the scheduler's TaintToleration filter counts NoSchedule and NoExecute taints only, so a
 *   PreferNoSchedule wildcard opens no node;
 * - kubeadm taints control-plane nodes node-role.kubernetes.io/control-plane:NoSchedule
 *   (constants.ControlPlaneTaint; node-role.kubernetes.io/master before v1.25);
 * - the kubelet admits a pod bound by nodeName checking only NoExecute taints, besides the
 *   nodeSelector, required node affinity, ports and resources (lifecycle/predicate.go
 *   generalFilter, scheduler.AdmissionCheck).
 */
import { findingAt } from "../../findings/finding-at.js";
import type { Finding } from "../../findings/types.js";
import { isLiveSource, type FieldPath, type K8sObject, type LoadedObject } from "../../k8s/types.js";
import { controllerOf } from "../../k8s/workloads.js";
import { minTolerationSeconds, schedulingTaints, taintToString, toleratesTaint, tolerationsTolerateTaint, type Taint, type Toleration } from "../taints.js";
import type { NodeFacts } from "./nodes.js";
import { TENANCY_RULES } from "./rules.js";

const CONTROL_PLANE_TAINT_KEYS = ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"];

/** A finding whose message may name the input's Nodes it concerns, once every Node is known. */
export interface PlacementFinding {
  finding: Finding;
  /** A clause naming the nodes in the input the finding concerns, or undefined when none. */
  nodesClause?: (nodes: ReadonlyMap<string, NodeFacts>) => string | undefined;
}

/** Empty key, operator Exists: every key (core/v1 ToleratesTaint). */
function isWildcard(toleration: Toleration): boolean {
  return (toleration.key ?? "") === "" && toleration.operator === "Exists";
}

/**
 * The control-plane taint this toleration tolerates, or undefined. Distributions differ in
 * the value (kubeadm sets none, some set "true"), so the toleration's own value is the one
 * tried: what matters is that it names the key with an effect that covers NoSchedule.
 */
function toleratedControlPlaneTaint(toleration: Toleration): Taint | undefined {
  for (const key of CONTROL_PLANE_TAINT_KEYS) {
    const taint: Taint = { key, value: toleration.value ?? "", effect: "NoSchedule" };
    if (toleratesTaint(toleration, taint).tolerated) return { key, effect: "NoSchedule" };
  }
  return undefined;
}

function isDaemonSetPod(object: K8sObject): boolean {
  return object.kind === "DaemonSet" || (object.kind === "Pod" && controllerOf(object)?.kind === "DaemonSet");
}

/** The API server stored this Pod (read from a cluster, or saved from one): its nodeName is the scheduler's binding, not the author's. */
function isStoredPod(loaded: LoadedObject): boolean {
  const metadata = loaded.object.metadata;
  return isLiveSource(loaded.source) || metadata?.uid !== undefined || metadata?.creationTimestamp !== undefined;
}

/** Nodes of the input with a scheduling taint `tolerates` accepts, each with those taints. */
function openedNodes(nodes: ReadonlyMap<string, NodeFacts>, tolerates: (taint: Taint) => boolean): string | undefined {
  const opened: string[] = [];
  for (const node of nodes.values()) {
    const taints = node.taints.filter((taint) => schedulingTaints(taint) && tolerates(taint));
    if (taints.length > 0) opened.push(`${node.name} (${taints.map(taintToString).join(", ")})`);
  }
  if (opened.length === 0) return undefined;
  const shown = opened.slice(0, 5).join(", ");
  return `tainted nodes in the input it opens: ${shown}${opened.length > 5 ? ` and ${opened.length - 5} more` : ""}`;
}

function wildcardReach(toleration: Toleration): string | undefined {
  const effect = toleration.effect ?? "";
  const seconds = minTolerationSeconds([toleration]);
  const eviction = seconds < 0 ? "are never evicted from a node that is not ready or unreachable" : `are evicted from a node that is not ready or unreachable only after ${seconds}s`;
  if (effect === "") return `tolerates every taint: its pods may be scheduled onto any node, control-plane nodes beside the API server and etcd, cordoned nodes and nodes dedicated to other teams or tenants included, and ${eviction}`;
  if (effect === "NoSchedule") return "tolerates every NoSchedule taint: its pods may be scheduled onto control-plane nodes beside the API server and etcd, cordoned nodes and nodes dedicated to other teams or tenants";
  if (effect === "NoExecute") return `tolerates every NoExecute taint: its pods may be scheduled onto nodes kept clear with NoExecute taints, and ${eviction}`;
  // PreferNoSchedule only weighs the scheduler's choice: it opens no node.
  return undefined;
}

const NOTHING: PlacementFinding[] = [];

/** The placement findings of one pod template, in field order. */
export function judgePlacement(loaded: LoadedObject, templatePath: FieldPath, spec: Record<string, unknown>): PlacementFinding[] {
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  // Most templates neither tolerate nor name a node: they cost no more than these two reads.
  if (tolerations.length === 0 && spec.nodeName === undefined) return NOTHING;
  const results: PlacementFinding[] = [];
  const specPath = [...templatePath, "spec"];
  const daemonSet = tolerations.length > 0 && isDaemonSetPod(loaded.object);
  tolerations.forEach((raw: unknown, i: number) => {
    if (typeof raw !== "object" || raw === null) return;
    const toleration = raw as Toleration;
    const path = [...specPath, "tolerations", i];
    const controlPlane = toleratedControlPlaneTaint(toleration);
    if (daemonSet) {
      if (!controlPlane) return;
      // A wildcard limited to NoSchedule leaves NoExecute taints in force: not every node, then.
      const what = !isWildcard(toleration)
        ? `tolerates the control-plane taint ${taintToString(controlPlane)}: a pod of this DaemonSet runs on every control-plane node, beside the API server and etcd`
        : (toleration.effect ?? "") === ""
          ? "tolerates every taint: a pod of this DaemonSet runs on every node, control-plane nodes beside the API server and etcd and nodes dedicated to other teams or tenants included"
          : "tolerates every NoSchedule taint: a pod of this DaemonSet runs on every node no NoExecute taint keeps clear, control-plane nodes beside the API server and etcd and nodes dedicated to other teams or tenants included";
      results.push({ finding: findingAt(TENANCY_RULES.daemonSetOnControlPlane, loaded, path, `toleration ${i} ${what} (expected of a node agent; check that this one needs to)`) });
      return;
    }
    if (isWildcard(toleration)) {
      const reach = wildcardReach(toleration);
      if (reach === undefined) return;
      results.push({
        finding: findingAt(TENANCY_RULES.toleratesAllTaints, loaded, path, `toleration ${i} ${reach}`),
        nodesClause: (nodes) => openedNodes(nodes, (taint) => toleratesTaint(toleration, taint).tolerated),
      });
      return;
    }
    if (controlPlane) {
      results.push({
        finding: findingAt(TENANCY_RULES.toleratesControlPlane, loaded, path, `toleration ${i} tolerates the control-plane taint ${taintToString(controlPlane)}: its pods may be scheduled onto control-plane nodes, beside the API server and etcd`),
        nodesClause: (nodes) => openedNodes(nodes, (taint) => CONTROL_PLANE_TAINT_KEYS.includes(taint.key) && toleratesTaint(toleration, taint).tolerated),
      });
    }
  });
  const nodeName = spec.nodeName;
  if (typeof nodeName === "string" && nodeName !== "" && !(templatePath.length === 0 && isStoredPod(loaded))) {
    const whose = templatePath.length === 0 ? "the pod" : "its pods";
    const message = `spec.nodeName binds ${whose} to node ${nodeName} without the scheduler: NoSchedule taints (the control-plane taint, a cordon, nodes dedicated to other teams or tenants) do not keep ${whose === "the pod" ? "it" : "them"} off, nor do preferred affinity, pod affinity or topology spread (the kubelet still checks the nodeSelector, required node affinity and NoExecute taints)`;
    const podTolerations = tolerations.filter((t): t is Toleration => typeof t === "object" && t !== null);
    results.push({
      finding: findingAt(TENANCY_RULES.nodeName, loaded, [...specPath, "nodeName"], message),
      nodesClause: (nodes) => bypassedTaints(nodes.get(nodeName), podTolerations),
    });
  }
  return results;
}

/** The NoSchedule taints of the named node that the scheduler would have kept the pod away with. */
function bypassedTaints(node: NodeFacts | undefined, tolerations: readonly Toleration[]): string | undefined {
  if (!node) return undefined;
  const bypassed = node.taints.filter((taint) => taint.effect === "NoSchedule" && !tolerationsTolerateTaint(tolerations, taint).tolerated).map(taintToString);
  return bypassed.length === 0 ? undefined : `node ${node.name}'s taints it does not tolerate, ${bypassed.join(", ")}, are not applied`;
}
