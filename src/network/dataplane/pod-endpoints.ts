/**
 * Running pods as a node's dataplane sees them: one endpoint per Pod object, with its own
 * labels and addresses. The matrix and explain fold replicas into their workload; a
 * dataplane matches packets by address, so each pod is its own peer and has its own
 * interface. Only Pod objects carry addresses (`status.podIPs`), from a live cluster or
 * saved with `kubectl get pods -o yaml`.
 */
import { automaticNamespaceLabels, namespaceLabels, type Snapshot } from "../../k8s/snapshot.js";
import { podServiceAccountName } from "../../k8s/service-accounts.js";
import { isRecord } from "../../k8s/types.js";
import { isFinishedPod } from "../../k8s/workloads.js";
import { containerPorts, podIps, stringRecord } from "../endpoints.js";
import type { PodEndpoint } from "../model.js";

export interface RunningPod {
  endpoint: PodEndpoint;
  /** `spec.nodeName`: the node whose dataplane holds its interface. */
  nodeName?: string;
}

/** Pods that hold their addresses: not finished (Succeeded or Failed pods have released theirs). */
export function runningPods(snapshot: Snapshot): RunningPod[] {
  const labelsOf = namespaceLabels(snapshot);
  // One record per namespace, shared by its pods, as the matrix's endpoints share theirs.
  const namespaceLabelsFor = (namespace: string): Record<string, string> => {
    const known = labelsOf.get(namespace);
    if (known) return known;
    const automatic = automaticNamespaceLabels(namespace);
    labelsOf.set(namespace, automatic);
    return automatic;
  };
  const out: RunningPod[] = [];
  for (const { object } of snapshot.objects) {
    if (object.kind !== "Pod" || object.apiVersion !== "v1") continue;
    if (isFinishedPod(object)) continue;
    const spec = isRecord(object.spec) ? object.spec : {};
    const namespace = object.metadata?.namespace ?? "default";
    const name = object.metadata?.name ?? "(unnamed)";
    const endpoint: PodEndpoint = {
      kind: "pod",
      namespace,
      name,
      labels: stringRecord(object.metadata?.labels),
      namespaceLabels: namespaceLabelsFor(namespace),
      serviceAccount: podServiceAccountName(spec),
      ips: podIps(object),
      ports: containerPorts(spec),
      workload: `Pod/${name}`,
    };
    if (spec.hostNetwork === true) endpoint.hostNetwork = true;
    const pod: RunningPod = { endpoint };
    if (typeof spec.nodeName === "string") pod.nodeName = spec.nodeName;
    out.push(pod);
  }
  return out;
}
