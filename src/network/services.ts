/**
 * Services as the node's proxy sees them. NetworkPolicy never sees a Service: kube-proxy
 * translates a connection to a Service's address and port into one to a backend pod's
 * address and target port before any policy judges it (Calico and Cilium judge egress
 * after that translation, too). So a connection to a Service is a connection to each of
 * its backends, on the port the Service forwards to on that backend.
 */
import { UserError } from "../errors.js";
import { matchesLabelSelector } from "../k8s/labels.js";
import type { SourcePosition } from "../findings/types.js";
import { detached, isRecord, type FieldPath, type K8sObject, type LoadedObject } from "../k8s/types.js";
import { parseIp } from "./cidr.js";
import type { Endpoints } from "./endpoints.js";
import { describeEndpoint } from "./explain.js";
import type { Endpoint, PodEndpoint, Protocol } from "./model.js";
import { servicePortsOf, targetPortOn, type ServicePort } from "./service-ports.js";

export interface ServiceView {
  namespace: string;
  name: string;
  type: string;
  /**
   * Undefined without one, or with an empty one: the API server cannot tell `{}` from none
   * (kubernetes/kubernetes#25836), and the endpoint controllers manage no endpoints for it.
   */
  selector?: Record<string, string>;
  /** clusterIP: None: DNS names the pods themselves and no proxy translates anything. */
  headless: boolean;
  externalName?: string;
  /** Every address kube-proxy translates for a client in the cluster: cluster IPs, external IPs, load balancer addresses. */
  addresses: string[];
  /** Those of the addresses that are cluster IPs; the others are external destinations, as node ports are. */
  clusterIPs: string[];
  /** Published outside the cluster: a NodePort or LoadBalancer, or a Service with external IPs. */
  published: boolean;
  /** The load balancer's addresses among them, and the sources kube-proxy admits there (none listed: every source). */
  balancerIPs: string[];
  loadBalancerSourceRanges: string[];
  ports: ServicePort[];
  externalTrafficPolicy: string;
  internalTrafficPolicy: string;
  /** Where the Service is written, when the reader asked to keep it (lint findings point there). */
  where?: LoadedObject;
}

/** One backend of a Service port: the endpoint a connection to it reaches, and the port it arrives on. */
export interface ServiceBackend {
  endpoint: Endpoint;
  /** Undefined through a headless Service for a protocol without ports (ICMP). */
  port?: number;
}

/** Where a connection to a Service's port goes, and which selected pods it never reaches (and why). */
export interface ServiceRoute {
  service: ServiceView;
  /** The Service port used; undefined for a headless Service, whose clients connect to the pods' own ports. */
  servicePort?: ServicePort;
  /** How the backends were found: the Service's selector, or the EndpointSlices (or Endpoints) written for it. */
  via: "selector" | "EndpointSlice" | "Endpoints";
  /** How the client reached the Service. */
  entry: ServiceEntry;
  backends: ServiceBackend[];
  notServing: { endpoint: string; reason: string }[];
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : []);

function serviceView(object: K8sObject): ServiceView {
  const spec = isRecord(object.spec) ? object.spec : {};
  const status = isRecord(object.status) && isRecord(object.status.loadBalancer) ? object.status.loadBalancer : {};
  const selectorEntries = isRecord(spec.selector) ? Object.entries(spec.selector).filter((e): e is [string, string] => typeof e[1] === "string") : [];
  const clusterIPs = [...new Set([...strings([spec.clusterIP]), ...strings(spec.clusterIPs)])];
  // With ipMode Proxy (v1.30) the load balancer proxies itself, so kube-proxy leaves its address alone.
  const balancerIPs = Array.isArray(status.ingress) ? status.ingress.flatMap((i: unknown) => (isRecord(i) && i.ipMode !== "Proxy" ? strings([i.ip]) : [])) : [];
  const externalIPs = strings(spec.externalIPs);
  const type = text(spec.type) ?? "ClusterIP";
  const view: ServiceView = {
    namespace: object.metadata?.namespace ?? "default",
    name: object.metadata?.name ?? "(unnamed)",
    type,
    headless: clusterIPs.includes("None"),
    addresses: [...clusterIPs.filter((ip) => ip !== "None"), ...externalIPs, ...balancerIPs],
    clusterIPs: clusterIPs.filter((ip) => ip !== "None"),
    published: type === "LoadBalancer" || type === "NodePort" || externalIPs.length > 0,
    balancerIPs,
    loadBalancerSourceRanges: type === "LoadBalancer" ? strings(spec.loadBalancerSourceRanges) : [],
    ports: servicePortsOf(spec),
    externalTrafficPolicy: text(spec.externalTrafficPolicy) ?? "Cluster",
    internalTrafficPolicy: text(spec.internalTrafficPolicy) ?? "Cluster",
  };
  if (selectorEntries.length > 0) view.selector = Object.fromEntries(selectorEntries);
  const externalName = text(spec.externalName);
  if (externalName !== undefined && view.type === "ExternalName") view.externalName = externalName;
  return view;
}

/**
 * Every Service of the input, as copies that keep no file's text alive (the scan holds them
 * to its end); with `keepWhere`, each remembers where it is written (its object whole, as
 * the scan keeps policies: findings point into its fields).
 */
export function readServices(objects: readonly LoadedObject[], keepWhere = false): ServiceView[] {
  return objects
    .filter(({ object }) => object.kind === "Service" && object.apiVersion === "v1")
    .map((loaded) => {
      const view = serviceViewOf(loaded.object);
      if (keepWhere) view.where = loaded;
      return view;
    });
}

/** One Service object as the readers see it (a copy that keeps no file's text alive). */
export function serviceViewOf(object: K8sObject): ServiceView {
  return detachedView(serviceView(object));
}

function detachedView(view: ServiceView): ServiceView {
  const copy: ServiceView = {
    ...view,
    namespace: detached(view.namespace),
    name: detached(view.name),
    addresses: view.addresses.map(detached),
    clusterIPs: view.clusterIPs.map(detached),
    balancerIPs: view.balancerIPs.map(detached),
    loadBalancerSourceRanges: view.loadBalancerSourceRanges.map(detached),
    ports: view.ports.map((p) => ({ ...p, ...(p.name === undefined ? {} : { name: detached(p.name) }), targetPort: detached(p.targetPort) })),
  };
  if (view.selector) copy.selector = Object.fromEntries(Object.entries(view.selector).map(([k, v]) => [detached(k), detached(v)]));
  return copy;
}

/** Whether two texts are one address (so `fd00::a` is `fd00:0::0a`). */
export function sameAddress(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value;
}

/** The Service one of whose addresses `ip` is (the first in order, when two claim it). */
export function serviceAtAddress(services: readonly ServiceView[], ip: string): ServiceView | undefined {
  const parsed = parseIp(ip);
  return parsed && addressIndexOf(services).get(`${parsed.family}:${parsed.value}`);
}

/** Services by address, built once per list: a lint asks for every address of every rule, and a rule may name thousands. */
const addressIndexes = new WeakMap<readonly ServiceView[], Map<string, ServiceView>>();

function addressIndexOf(services: readonly ServiceView[]): Map<string, ServiceView> {
  let index = addressIndexes.get(services);
  if (index) return index;
  index = new Map();
  for (const service of services) {
    for (const address of service.addresses) {
      const parsed = parseIp(address);
      const key = parsed && `${parsed.family}:${parsed.value}`;
      if (key && !index.has(key)) index.set(key, service);
    }
  }
  addressIndexes.set(services, index);
  return index;
}

/**
 * How a client reaches a Service, which decides what kube-proxy does besides translating:
 * by its name (DNS answers with its cluster IP), at a cluster IP, at an external destination
 * (an external IP or a load balancer address), or at a node port.
 */
export type ServiceEntry = "name" | "cluster-ip" | "external-address" | "node-port";

export function entryOf(service: ServiceView, address: string | undefined): ServiceEntry {
  if (address === undefined) return "name";
  return service.clusterIPs.some((a) => sameAddress(a, address)) ? "cluster-ip" : "external-address";
}

/** The Node whose status lists `ip` among its addresses, by name. */
export function nodeAtAddress(objects: readonly LoadedObject[], ip: string): string | undefined {
  for (const { object } of objects) {
    if (object.kind !== "Node" || !isRecord(object.status) || !Array.isArray(object.status.addresses)) continue;
    if (object.status.addresses.some((a: unknown) => isRecord(a) && typeof a.address === "string" && sameAddress(a.address, ip))) return object.metadata?.name ?? "(unnamed)";
  }
  return undefined;
}

/** The Service that opens node port `port` of `protocol` on every node, when the input says which does. */
export function serviceAtNodePort(services: readonly ServiceView[], protocol: Protocol, port: number | undefined): ServiceView | undefined {
  if (port === undefined) return undefined;
  return services.find((s) => (s.type === "NodePort" || s.type === "LoadBalancer") && s.ports.some((p) => p.nodePort === port && p.protocol === protocol));
}

function portText(port: ServicePort): string {
  return `${port.port}/${port.protocol}`;
}

/**
 * Where a connection to `service` on `port`/`protocol` goes. A Service port forwards to its
 * target port on each backend; a headless Service forwards nothing, so its pods are reached
 * on the port asked. Throws a UserError for what no proxy forwards: an ExternalName (a DNS
 * alias), a port the Service does not have, a Service without selector or endpoints.
 */
export function routeThroughService(service: ServiceView, protocol: Protocol, port: number | undefined, endpoints: Endpoints, objects: readonly LoadedObject[], entry: ServiceEntry = "name"): ServiceRoute {
  const id = `Service ${service.namespace}/${service.name}`;
  if (service.externalName !== undefined) {
    throw new UserError(`${id} is an ExternalName: DNS answers with ${service.externalName}, and no proxy forwards anything`, { ...at(service, ["spec", "externalName"]), hint: `give --to the address ${service.externalName} resolves to` });
  }
  let servicePort: ServicePort | undefined;
  if (!service.headless) {
    const ports = (entry === "node-port" ? service.ports.flatMap((p) => (p.nodePort === undefined ? [] : [`${p.nodePort}/${p.protocol}`])) : service.ports.map(portText)).join(", ") || "none";
    if (port === undefined || !["TCP", "UDP", "SCTP"].includes(String(protocol))) {
      throw new UserError(`${id} forwards TCP, UDP and SCTP ports only`, { ...at(service, ["spec", "ports"]), hint: `give --port one of its ports: ${ports}` });
    }
    servicePort = service.ports.find((p) => (entry === "node-port" ? p.nodePort : p.port) === port && p.protocol === protocol);
    if (!servicePort) throw new UserError(`${id} has no ${entry === "node-port" ? "node port" : "port"} ${port}/${protocol}, so no proxy forwards it`, { ...at(service, ["spec", "ports"]), hint: `its ports: ${ports}` });
  }
  const route = service.selector ? bySelector(service, servicePort, port, endpoints) : byWrittenEndpoints(service, servicePort, port, endpoints, objects);
  route.entry = entry;
  return route;
}

/**
 * Whether the Service selects the pod, as the endpoint controllers decide: a pod of its own
 * namespace whose labels its selector matches; a Service without a selector selects none.
 */
export function serviceSelects(service: ServiceView, pod: PodEndpoint): boolean {
  return service.selector !== undefined && pod.namespace === service.namespace && matchesLabelSelector({ matchLabels: service.selector }, pod.labels);
}

/** Where a field of the Service is written, for an error that names it (when the reader kept where it is). */
function at(service: ServiceView, path: FieldPath): { position?: SourcePosition } {
  return service.where ? { position: service.where.source.locate(path) } : {};
}

/** The endpoints controller's way: every pod of the namespace the selector matches, at the target port it declares. */
function bySelector(service: ServiceView, servicePort: ServicePort | undefined, asked: number | undefined, endpoints: Endpoints): ServiceRoute {
  const route: ServiceRoute = { service, via: "selector", entry: "name", backends: [], notServing: [] };
  if (servicePort) route.servicePort = servicePort;
  for (const { endpoint } of endpoints.workloads) {
    if (!serviceSelects(service, endpoint)) continue;
    if (!servicePort) {
      route.backends.push(asked === undefined ? { endpoint } : { endpoint, port: asked });
      continue;
    }
    const target = targetPortOn(servicePort, endpoint.ports);
    if (target === undefined) {
      route.notServing.push({ endpoint: describeEndpoint(endpoint), reason: `declares no container port named ${String(servicePort.targetPort)} for ${String(servicePort.protocol)}` });
      continue;
    }
    route.backends.push({ endpoint, port: target });
  }
  return route;
}

interface WrittenEndpoint {
  address: string;
  port: number | undefined;
  ready: boolean;
}

/**
 * A Service without a selector: its endpoints are what EndpointSlices labelled with its name
 * (or, without any, its Endpoints object) say, each port found by the Service port's name
 * and protocol as kube-proxy finds it. An address that is a pod's is that pod.
 */
function byWrittenEndpoints(service: ServiceView, servicePort: ServicePort | undefined, asked: number | undefined, endpoints: Endpoints, objects: readonly LoadedObject[]): ServiceRoute {
  const inNamespace = objects.map((o) => o.object).filter((o) => (o.metadata?.namespace ?? "default") === service.namespace);
  const slices = inNamespace.filter((o) => o.kind === "EndpointSlice" && o.apiVersion === "discovery.k8s.io/v1" && isRecord(o.metadata?.labels) && o.metadata.labels["kubernetes.io/service-name"] === service.name);
  const legacy = inNamespace.filter((o) => o.kind === "Endpoints" && o.apiVersion === "v1" && o.metadata?.name === service.name);
  const via = slices.length > 0 ? "EndpointSlice" : legacy.length > 0 ? "Endpoints" : undefined;
  if (via === undefined) {
    throw new UserError(`Service ${service.namespace}/${service.name} has no selector, and the input holds no EndpointSlice or Endpoints for it`, {
      ...at(service, ["spec"]),
      hint: "its endpoints are written by hand: add its EndpointSlices (label kubernetes.io/service-name) to the input, or give --to the backend itself",
    });
  }
  const written = via === "EndpointSlice" ? slices.flatMap((s) => sliceEndpoints(s, servicePort)) : legacy.flatMap((e) => legacyEndpoints(e, servicePort));
  const route: ServiceRoute = { service, via, entry: "name", backends: [], notServing: [] };
  if (servicePort) route.servicePort = servicePort;
  const seen = new Set<string>();
  for (const { address, port, ready } of written) {
    const pod = endpoints.workloads.find((w) => w.endpoint.ips.includes(address))?.endpoint;
    const endpoint: Endpoint = pod ?? { kind: "external", ip: address };
    const target = servicePort ? port : asked;
    if (!ready) route.notServing.push({ endpoint: describeEndpoint(endpoint), reason: `is not ready at ${address}` });
    else if (servicePort && target === undefined) route.notServing.push({ endpoint: describeEndpoint(endpoint), reason: `has no port named ${JSON.stringify(servicePort.name ?? "")} for ${String(servicePort.protocol)}` });
    else if (!seen.has(`${describeEndpoint(endpoint)}:${String(target)}`)) {
      // A workload's several pods are one backend here, as they are one endpoint of the matrix.
      seen.add(`${describeEndpoint(endpoint)}:${String(target)}`);
      route.backends.push(target === undefined ? { endpoint } : { endpoint, port: target });
    }
  }
  return route;
}

/** The port a slice or Endpoints subset gives the Service port: the one of the same name ("" when unnamed) and protocol. */
function writtenPort(ports: unknown, servicePort: ServicePort | undefined): number | undefined {
  if (!servicePort || !Array.isArray(ports)) return undefined;
  const match = ports.find((p: unknown) => isRecord(p) && (text(p.name) ?? "") === (servicePort.name ?? "") && (text(p.protocol) ?? "TCP") === servicePort.protocol);
  return isRecord(match) && typeof match.port === "number" ? match.port : undefined;
}

function sliceEndpoints(slice: K8sObject, servicePort: ServicePort | undefined): WrittenEndpoint[] {
  const record = slice as Record<string, unknown>;
  const port = writtenPort(record.ports, servicePort);
  if (!Array.isArray(record.endpoints)) return [];
  return record.endpoints.flatMap((e: unknown) => {
    if (!isRecord(e)) return [];
    // An absent ready condition means ready (discovery/v1 EndpointConditions).
    const ready = !(isRecord(e.conditions) && e.conditions.ready === false);
    return strings(e.addresses).map((address) => ({ address, port, ready }));
  });
}

function legacyEndpoints(object: K8sObject, servicePort: ServicePort | undefined): WrittenEndpoint[] {
  const subsets = (object as Record<string, unknown>).subsets;
  if (!Array.isArray(subsets)) return [];
  return subsets.flatMap((subset: unknown) => {
    if (!isRecord(subset)) return [];
    const port = writtenPort(subset.ports, servicePort);
    const ips = (list: unknown): string[] => (Array.isArray(list) ? list.flatMap((a: unknown) => (isRecord(a) ? strings([a.ip]) : [])) : []);
    return [...ips(subset.addresses).map((address) => ({ address, port, ready: true })), ...ips(subset.notReadyAddresses).map((address) => ({ address, port, ready: false }))];
  });
}
