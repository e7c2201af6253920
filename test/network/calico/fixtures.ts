/** Small builders for Calico v3 tests: objects from YAML text, pods, packets, verdicts. */
import { parseAllDocuments } from "yaml";
import type { K8sObject } from "../../../src/k8s/types.js";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import type { ContainerPort, Endpoint, PodEndpoint, Protocol, Tier } from "../../../src/network/model.js";
import type { CalicoPacket } from "../../../src/network/calico/enforced.js";
import { compileCalico, type CalicoPolicySet } from "../../../src/network/calico/tiers.js";

export function objects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function compile(yamlText: string): CalicoPolicySet {
  return compileCalico(objects(yamlText).map((object) => ({ object })));
}

export function pod(
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
  extra: { ips?: string[]; serviceAccount?: string; ports?: ContainerPort[]; namespaceLabels?: Record<string, string>; hostNetwork?: boolean } = {},
): PodEndpoint {
  const endpoint: PodEndpoint = {
    kind: "pod",
    namespace,
    name,
    labels,
    namespaceLabels: { "kubernetes.io/metadata.name": namespace, ...(extra.namespaceLabels ?? {}) },
    ips: extra.ips ?? [],
    ports: extra.ports ?? [],
  };
  if (extra.serviceAccount) endpoint.serviceAccount = extra.serviceAccount;
  if (extra.hostNetwork) endpoint.hostNetwork = true;
  return endpoint;
}

export function external(ip: string): Endpoint {
  return { kind: "external", ip };
}

export function packet(src: Endpoint, dst: Endpoint, protocol: Protocol = "TCP", port?: number, extra: Partial<CalicoPacket> = {}): CalicoPacket {
  const out: CalicoPacket = { src, dst, protocol, ...extra };
  if (port !== undefined) out.port = port;
  return out;
}

/** Whether the connection is delivered (both the source's egress and the destination's ingress allow). */
export function allowed(tiers: readonly Tier[], p: CalicoPacket): boolean {
  return evaluateConnection(tiers, p).allowed;
}
