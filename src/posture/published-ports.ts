/**
 * What a publication opens, port by port: outside the cluster a Service answers only on its
 * own ports (a LoadBalancer's) and on its node ports, and forwards each to one port of the
 * pods (its target port); a host port forwards to one container port. Only those pod ports
 * are reachable through it, whatever the policies allow on others.
 */
import type { PodEndpoint } from "../network/model.js";
import { PortSet } from "../network/ports.js";
import { targetPortOn, type ServicePort } from "../network/service-ports.js";

export type { ServicePort } from "../network/service-ports.js";

/**
 * Which ports get a node port: every port of a NodePort Service, and of a LoadBalancer unless
 * allocateLoadBalancerNodePorts is false, in which case only the ports that name one (the
 * API server still reserves those), as upstream's shouldAllocateNodePorts and initNodePorts
 * (pkg/registry/core/service/storage/alloc.go) decide.
 */
function withNodePorts(type: string, spec: Record<string, unknown>, ports: readonly ServicePort[]): ServicePort[] {
  const allocates = type === "NodePort" || (type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false);
  return allocates ? [...ports] : ports.filter((p) => p.nodePort !== undefined);
}

/** `on port 80/TCP and an allocated node port`: where a NodePort or LoadBalancer Service answers outside the cluster. */
export function describeServiceFront(type: string, spec: Record<string, unknown>, ports: readonly ServicePort[]): string {
  if (ports.length === 0) return "with no ports";
  const nodePorts = describeNodePorts(type, spec, ports);
  const fronts = [...(type === "LoadBalancer" ? [describeServicePorts(ports)] : []), ...(nodePorts !== undefined ? [nodePorts] : [])];
  return `on ${fronts.join(" and ")}`;
}

/** `port 80/TCP`, `ports 80/TCP, 53/UDP`: the Service's own ports, as it answers them at a load balancer's or an external IP's address. */
export function describeServicePorts(ports: readonly ServicePort[]): string {
  return `port${ports.length === 1 ? "" : "s"} ${ports.map((p) => `${p.port}/${p.protocol}`).join(", ")}`;
}

/** `node port 30080/TCP and an allocated one`, `an allocated node port`: the node ports a Service opens; undefined when it opens none. */
export function describeNodePorts(type: string, spec: Record<string, unknown>, ports: readonly ServicePort[]): string | undefined {
  const nodes = withNodePorts(type, spec, ports);
  const named = nodes.flatMap((p) => (p.nodePort === undefined ? [] : [`${p.nodePort}/${p.protocol}`]));
  const allocated = nodes.length - named.length;
  if (named.length > 0) return `node port${named.length === 1 ? "" : "s"} ${named.join(", ")}${allocated > 0 ? ` and ${allocated === 1 ? "an allocated one" : `${allocated} allocated ones`}` : ""}`;
  if (allocated > 0) return allocated === 1 ? "an allocated node port" : `${allocated} allocated node ports`;
  return undefined;
}

/** The pod ports a Service forwards to on this pod (see targetPortOn): a port whose named target the pod lacks forwards nothing. */
export function targetPortsOn(ports: readonly ServicePort[], pod: PodEndpoint): PortSet {
  let set = PortSet.none;
  for (const p of ports) {
    const target = targetPortOn(p, pod.ports);
    if (target !== undefined) set = set.union(PortSet.range(p.protocol, target, target));
  }
  return set;
}
