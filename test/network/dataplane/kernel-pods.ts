/** The kernel suites' pods and policies: pods placed on a topology's hosts, and the tiers of a list of policy objects. */
import { expect } from "vitest";
import type { K8sObject } from "../../../src/k8s/types.js";
import { withCalico } from "../../../src/network/calico/tiers.js";
import type { RunningPod } from "../../../src/network/dataplane/pod-endpoints.js";
import type { PodEndpoint, Tier } from "../../../src/network/model.js";
import { buildPolicySet } from "../../../src/network/policy-set.js";
import type { Topology } from "../../support/netns/topology.js";

export const NS_LABELS: Record<string, Record<string, string>> = {
  a: { "kubernetes.io/metadata.name": "a", env: "prod" },
  b: { "kubernetes.io/metadata.name": "b", env: "dev" },
  c: { "kubernetes.io/metadata.name": "c" },
};

export interface PodSpec {
  namespace: string;
  labels: Record<string, string>;
  ports: PodEndpoint["ports"];
}

/** Pod i of `specs` runs on the topology's host i, at both its addresses. */
export function podsOn(topology: Topology, specs: readonly PodSpec[]): RunningPod[] {
  return specs.map((spec, i) => {
    const host = topology.pods[i]!;
    return { endpoint: { kind: "pod", namespace: spec.namespace, name: `p${i}`, labels: spec.labels, namespaceLabels: NS_LABELS[spec.namespace]!, ips: [host.ipv4, host.ipv6], ports: spec.ports, workload: `Pod/p${i}` } };
  });
}

/** The tiers of these policies, every one of them accepted. */
export function tiersOf(objects: K8sObject[]): readonly Tier[] {
  const sources = objects.map((object) => ({ object }));
  const set = withCalico(buildPolicySet(sources), sources);
  expect(set.refused).toEqual([]);
  return set.tiers;
}
