/**
 * A Service's ports as the API server defaults them, and the pod port each forwards to.
 * Both the posture's publications and `netpol explain --to svc/NAME` read them.
 */
import { isRecord } from "../k8s/types.js";
import type { ContainerPort, Protocol } from "./model.js";

export interface ServicePort {
  /** Required when a Service has several ports; an EndpointSlice's port of the same name carries its endpoints' port. */
  name?: string;
  port: number;
  protocol: Protocol;
  /** A number, or the name of a container port of the selected pods. */
  targetPort: number | string;
  /** Set in the manifest; else allocated by the API server when the Service allocates node ports. */
  nodePort?: number;
  /** Its place in spec.ports, where findings about it point. */
  index: number;
}

/** A Service's ports as the API server defaults them: protocol TCP, targetPort the port itself. */
export function servicePortsOf(spec: Record<string, unknown>): ServicePort[] {
  if (!Array.isArray(spec.ports)) return [];
  return spec.ports.flatMap((entry: unknown, index: number) => {
    if (!isRecord(entry) || typeof entry.port !== "number") return [];
    const protocol = (typeof entry.protocol === "string" ? entry.protocol : "TCP") as Protocol;
    const target = entry.targetPort;
    const targetPort = (typeof target === "number" && target !== 0) || (typeof target === "string" && target !== "") ? target : entry.port;
    const port: ServicePort = { port: entry.port, protocol, targetPort, index };
    if (typeof entry.name === "string" && entry.name !== "") port.name = entry.name;
    if (typeof entry.nodePort === "number" && entry.nodePort !== 0) port.nodePort = entry.nodePort;
    return [port];
  });
}

/**
 * The pod port a Service port forwards to on a pod with these container ports: a numeric
 * target port as it is; a named one resolved among the pod's container ports (sidecars'
 * included) of that name and the Service port's protocol, as upstream's FindPort
 * (pkg/api/v1/pod/util.go) does. Undefined when the pod declares no such name: it is then
 * no endpoint of that port, so nothing is forwarded to it.
 */
export function targetPortOn(port: ServicePort, podPorts: readonly ContainerPort[]): number | undefined {
  if (typeof port.targetPort === "number") return port.targetPort;
  return podPorts.find((c) => c.name === port.targetPort && c.protocol === port.protocol)?.port;
}
