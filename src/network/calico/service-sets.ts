/**
 * Felix's IP sets for a rule's `services` match. A destination Service becomes every
 * (address, protocol, port) of its EndpointSlices, each address with each port of its
 * slice; a source Service becomes the addresses alone. Slices count every endpoint, ready
 * or not, and never hold a cluster IP: the rule judges the packet after kube-proxy has
 * translated it. A Service with a selector is read as the EndpointSlice controller writes
 * its slices: each pod it selects, with each Service port's target port found on that pod
 * (a named port the pod does not declare is left out for that pod, as FindPort fails).
 * A Service without a selector is read from the EndpointSlices written for it, as are
 * slices whose Service the input lacks (Felix keys slices by their service-name label).
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { parseIp } from "../cidr.js";
import type { PodEndpoint } from "../model.js";
import { PORT_PROTOCOLS, type PortProtocol } from "../ports.js";
import { targetPortOn } from "../service-ports.js";
import { serviceSelects, serviceViewOf, type ServiceView } from "../services.js";
import type { EndpointPort, EndpointPortSet, WireSide } from "./rule-match.js";

export interface ServiceSet extends EndpointPortSet {
  /** `namespace/name`. */
  id: string;
  /** Whether the input holds the Service or slices of it; without either the sets are empty, as Felix's are. */
  known: boolean;
  /** Addresses written in its EndpointSlices: the matrix tells them apart from other external addresses. */
  writtenAddresses: string[];
  /** Why no endpoint can have a port, when none can: a destination match then matches nothing. */
  noPorts?: string;
  /** The side is one of the Service's endpoints (`source.services`). */
  contains(side: WireSide): boolean;
}

interface WrittenSlice {
  addresses: { family: 4 | 6; value: bigint }[];
  ports: EndpointPort[];
}

const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

function isPortProtocol(value: string): value is PortProtocol {
  return (PORT_PROTOCOLS as readonly string[]).includes(value);
}

function slicePorts(ports: unknown): EndpointPort[] {
  if (!Array.isArray(ports)) return [];
  return ports.flatMap((p: unknown) => {
    if (!isRecord(p) || typeof p.port !== "number") return [];
    const protocol = typeof p.protocol === "string" ? p.protocol : "TCP";
    return isPortProtocol(protocol) ? [{ protocol, port: p.port }] : [];
  });
}

function writtenSlice(object: K8sObject): WrittenSlice {
  const record = object as Record<string, unknown>;
  const endpoints = Array.isArray(record.endpoints) ? record.endpoints : [];
  const addresses = endpoints.flatMap((e: unknown) => (isRecord(e) && Array.isArray(e.addresses) ? e.addresses.flatMap((a: unknown) => (typeof a === "string" ? (parseIp(a) ?? []) : [])) : []));
  return { addresses, ports: slicePorts(record.ports) };
}

/** The side's addresses: the packet's own, else every address its pod is known by. */
function sideAddresses(side: WireSide): { family: 4 | 6; value: bigint }[] {
  if (side.ip) return [side.ip];
  return side.endpoint?.kind === "pod" ? side.endpoint.ips.flatMap((ip) => parseIp(ip) ?? []) : [];
}

function selectedPorts(service: ServiceView, pod: PodEndpoint): EndpointPort[] {
  return service.ports.flatMap((servicePort) => {
    const port = targetPortOn(servicePort, pod.ports);
    const protocol = String(servicePort.protocol);
    return port !== undefined && isPortProtocol(protocol) ? [{ protocol, port }] : [];
  });
}

function emptySet(id: string): ServiceSet {
  return { id, known: false, writtenAddresses: [], noPorts: "it is not in the input", contains: () => false, portsAt: () => [] };
}

function bySelector(id: string, service: ServiceView): ServiceSet {
  const selected = (side: WireSide): PodEndpoint | undefined => (side.endpoint?.kind === "pod" && serviceSelects(service, side.endpoint) ? side.endpoint : undefined);
  return {
    id,
    known: true,
    writtenAddresses: [],
    ...(service.ports.some((p) => isPortProtocol(String(p.protocol))) ? {} : { noPorts: "it has no ports (headless Services often have none)" }),
    contains: (side) => selected(side) !== undefined,
    portsAt: (side) => {
      const pod = selected(side);
      return pod ? selectedPorts(service, pod) : [];
    },
  };
}

function addressKey(address: { family: 4 | 6; value: bigint }): string {
  return `${address.family}/${address.value}`;
}

function bySlices(id: string, slices: WrittenSlice[], written: string[], externalName: boolean): ServiceSet {
  // Slices by address: a Service like `kubernetes` lists few, but a large one lists thousands.
  const byAddress = new Map<string, WrittenSlice[]>();
  for (const slice of slices) {
    for (const address of slice.addresses) {
      const key = addressKey(address);
      const holding = byAddress.get(key);
      if (!holding) byAddress.set(key, [slice]);
      else if (!holding.includes(slice)) holding.push(slice);
    }
  }
  const holding = (side: WireSide): WrittenSlice[] => [...new Set(sideAddresses(side).flatMap((a) => byAddress.get(addressKey(a)) ?? []))];
  return {
    id,
    known: true,
    writtenAddresses: written,
    ...(externalName ? { noPorts: "it is an ExternalName Service, which has no endpoints" } : slices.some((slice) => slice.ports.length > 0) ? {} : { noPorts: "its EndpointSlices list no ports" }),
    contains: (side) => holding(side).length > 0,
    portsAt: (side) => holding(side).flatMap((slice) => slice.ports),
  };
}

/** The sets of every Service `objects` holds, by `namespace/name`; `lookup` answers for any name. */
export function serviceSets(objects: readonly K8sObject[]): { lookup(namespace: string, name: string): ServiceSet } {
  const services = new Map<string, ServiceView>();
  const slices = new Map<string, { slice: WrittenSlice; written: string[] }[]>();
  for (const object of objects) {
    const namespace = object.metadata?.namespace || "default";
    if (object.kind === "Service" && object.apiVersion === "v1" && object.metadata?.name) {
      services.set(`${namespace}/${object.metadata.name}`, serviceViewOf(object));
    } else if (object.kind === "EndpointSlice" && object.apiVersion === "discovery.k8s.io/v1" && isRecord(object.metadata?.labels)) {
      const owner = object.metadata.labels[SERVICE_NAME_LABEL];
      if (typeof owner !== "string" || owner === "") continue;
      const key = `${namespace}/${owner}`;
      const endpoints = (object as Record<string, unknown>).endpoints;
      const written = Array.isArray(endpoints) ? endpoints.flatMap((e: unknown) => (isRecord(e) && Array.isArray(e.addresses) ? e.addresses.filter((a: unknown): a is string => typeof a === "string" && parseIp(a) !== undefined) : [])) : [];
      const entry = { slice: writtenSlice(object), written };
      const known = slices.get(key);
      if (known) known.push(entry);
      else slices.set(key, [entry]);
    }
  }
  const cache = new Map<string, ServiceSet>();
  return {
    lookup(namespace, name) {
      const id = `${namespace}/${name}`;
      let set = cache.get(id);
      if (!set) {
        const service = services.get(id);
        const written = slices.get(id);
        // The EndpointSlice controller writes no endpoints for an ExternalName Service.
        if (service?.selector && service.type !== "ExternalName") set = bySelector(id, service);
        // Felix reads the slices by their service-name label, with or without the Service object.
        else if (service || written) set = bySlices(id, (written ?? []).map((w) => w.slice), (written ?? []).flatMap((w) => w.written), service?.type === "ExternalName");
        else set = emptySet(id);
        cache.set(id, set);
      }
      return set;
    },
  };
}
