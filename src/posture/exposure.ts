/**
 * The network pillar's facts, read from the connectivity matrix (network/matrix.ts) and
 * the objects that publish a workload outside the cluster: Services of type LoadBalancer
 * or NodePort and Services with external IPs, Ingresses and Gateway API routes (k8s/routed-services.ts), host networking
 * and host ports. Being published is a choice; being published to every address with
 * nothing narrowing who may connect (no policy, no source ranges), or being free to
 * connect to any address outside, is what zero trust counts.
 */
import type { SourcePosition } from "../findings/types.js";
import { visitContainers } from "../k8s/containers.js";
import { narrowingRanges, routedServices } from "../k8s/routed-services.js";
import { isRecord, type FieldPath, type K8sObject, type LoadedObject } from "../k8s/types.js";
import type { Matrix } from "../network/matrix.js";
import type { PodEndpoint } from "../network/model.js";
import { PortSet } from "../network/ports.js";
import type { Protocol } from "../network/model.js";
import { describeNodePorts, describeServiceFront, describeServicePorts, targetPortsOn, type ServicePort } from "./published-ports.js";
import { readServices, serviceSelects, type ServiceView } from "../network/services.js";
import type { ReachSummary } from "./reach.js";
import { EGRESS_TO_EVERY_ADDRESS, factDeduction, PUBLISHED_TO_EVERY_ADDRESS } from "./facts.js";
import type { Deduction, PodFieldLocator } from "./types.js";

interface PublishingService {
  namespace: string;
  name: string;
  /** The Service as the network model reads it: which pods it selects is decided there. */
  view: ServiceView;
  ports: ServicePort[];
  /** Each way it answers outside the cluster; none for a Service that answers inside only. */
  fronts: ServiceFront[];
}

/** One way a Service answers outside the cluster: in words, where that is written, and the addresses it admits. */
interface ServiceFront {
  text: string;
  position: SourcePosition;
  sourceRanges?: string[];
}

/** One way a workload is published outside the cluster: in words, and where that is written (another object, or a field of the pod). */
export interface Publication {
  text: string;
  position?: SourcePosition;
  podPath?: FieldPath;
  /** The only addresses the publication itself admits (a load balancer's source ranges, an ingress controller's allow-list). */
  sourceRanges?: string[];
  /** Through a proxy (an ingress controller, a Gateway) that connects from its own pods: outside addresses never reach the pods directly. */
  proxied?: boolean;
  /** The proxy's pods (workload indices), when the input holds them: the Gateway's, by GEP-1762's gateway-name label. */
  proxies?: { name: string; pods: number[] };
  /** Through a proxy whose own pods nothing publishes outside the cluster (an internal Gateway): in-cluster traffic only. */
  insideOnly?: boolean;
  /**
   * The pod ports outside traffic arrives on this way (a Service's target ports, a host
   * port's container port); undefined when it is every port the pod listens on (hostNetwork)
   * or, through a proxy, not judged by port.
   */
  podPorts?: PortSet;
  /** Through the node's own network (hostNetwork): the pod answers at its node's addresses on whatever it listens on. */
  onNode?: boolean;
}

/** The label GEP-1762 has implementations put on what they deploy for a Gateway (Istio does). */
const GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

/** How each workload is published outside the cluster, by workload index. */
export function publications(objects: readonly LoadedObject[], pods: readonly PodEndpoint[], podSpecs: readonly Record<string, unknown>[]): Publication[][] {
  // By namespace: a Service selects pods of its own namespace only.
  const services = new Map<string, PublishingService[]>();
  for (const loaded of objects) {
    // Read as the network model reads Services: a Service without a selector (or with an empty one) selects no pod.
    const [view] = readServices([loaded]);
    if (!view?.selector) continue;
    const spec = isRecord(loaded.object.spec) ? loaded.object.spec : {};
    const list = services.get(view.namespace) ?? [];
    list.push({ namespace: view.namespace, name: view.name, view, ports: view.ports, fronts: serviceFronts(loaded.object, view.name, spec, view.ports, loaded.source) });
    services.set(view.namespace, list);
  }
  const routed = routedServices(objects);
  // Each Gateway's own pods, by namespace/name.
  const gatewayPods = new Map<string, number[]>();
  pods.forEach((pod, i) => {
    const name = pod.labels[GATEWAY_NAME_LABEL];
    if (name === undefined) return;
    const key = `${pod.namespace}/${name}`;
    const list = gatewayPods.get(key);
    if (list) list.push(i);
    else gatewayPods.set(key, [i]);
  });
  const proxiesOf = (gateways: readonly string[] | undefined): Publication["proxies"] => {
    if (!gateways || gateways.some((g) => !gatewayPods.has(g))) return undefined;
    return { name: `Gateway ${gateways.join(", ")}`, pods: [...new Set(gateways.flatMap((g) => gatewayPods.get(g) as number[]))] };
  };
  const selecting = pods.map((pod) => (services.get(pod.namespace) ?? []).filter((service) => serviceSelects(service.view, pod)));
  // First what publishes each pod itself: a Gateway's own pods are published (or not) this way.
  const direct = pods.map((pod, i) => {
    const ways: Publication[] = [];
    for (const service of selecting[i] as PublishingService[]) {
      for (const front of service.fronts) ways.push({ ...front, podPorts: targetPortsOn(service.ports, pod) });
    }
    if (pod.hostNetwork) ways.push({ text: "the node's network (hostNetwork)", podPath: ["spec", "hostNetwork"], onNode: true });
    // On the node's network a host port is the container port itself: the way above says it all.
    const hostPorts = pod.hostNetwork ? [] : hostPortsOf(podSpecs[i] ?? {});
    if (hostPorts.length > 0) {
      const podPorts = hostPorts.reduce((set, p) => set.union(PortSet.range(p.protocol, p.containerPort, p.containerPort)), PortSet.none);
      const text = `host port${hostPorts.length === 1 ? "" : "s"} ${hostPorts.map((p) => `${p.port}/${p.protocol}${p.containerPort === p.port ? "" : ` (to container port ${p.containerPort})`}`).join(", ")}`;
      ways.push({ text, podPath: (hostPorts[0] as HostPort).path, podPorts });
    }
    return ways;
  });
  return pods.map((_, i) => {
    const ways = [...(direct[i] as Publication[])];
    for (const service of selecting[i] as PublishingService[]) {
      const route = routed.get(`${service.namespace}/${service.name}`);
      if (!route) continue;
      const proxies = proxiesOf(route.gateways);
      const way: Publication = { text: route.text, position: route.position, proxied: true, ...(route.sourceRanges ? { sourceRanges: route.sourceRanges } : {}), ...(proxies ? { proxies } : {}) };
      if (proxies) {
        // The Gateway reaches outside only as far as its own pods are published.
        const entry = proxies.pods.flatMap((p) => direct[p] as Publication[]);
        if (entry.length === 0) way.insideOnly = true;
        else if (!way.sourceRanges && entry.every((e) => e.sourceRanges)) way.sourceRanges = [...new Set(entry.flatMap((e) => e.sourceRanges as string[]))];
      }
      ways.push(way);
    }
    return ways;
  });
}

/**
 * How a Service answers outside the cluster, as kube-proxy programs it (pkg/proxy/iptables
 * proxier.go syncProxyRules, and the nftables proxier alike): a NodePort or LoadBalancer at its
 * node ports and a LoadBalancer at its load balancer's addresses, and any Service but a
 * headless or ExternalName one (ShouldSkipService) at each of its spec.externalIPs, on its
 * own ports. kube-proxy applies loadBalancerSourceRanges only to the load balancer's addresses
 * (the firewall chain); at node ports it checks no source. Cloud providers' load balancers close
 * the node ports to other sources in the nodes' own firewall (security groups, VPC firewall
 * rules, NSGs), which manifests do not show, so a LoadBalancer with source ranges counts as
 * narrowed, and its fact says what keeps its node ports closed. External IPs are guarded by nothing.
 */
function serviceFronts(object: K8sObject, name: string, spec: Record<string, unknown>, ports: readonly ServicePort[], source: LoadedObject["source"]): ServiceFront[] {
  const type = typeof spec.type === "string" ? spec.type : "ClusterIP";
  if (type === "ExternalName" || spec.clusterIP === "None") return [];
  const fronts: ServiceFront[] = [];
  const position = source.locate(["spec", "type"]);
  const ranges = type === "LoadBalancer" ? loadBalancerSourceRanges(object) : undefined;
  const nodePorts = ports.length > 0 ? describeNodePorts(type, spec, ports) : undefined;
  if (type === "NodePort" || (type === "LoadBalancer" && !ranges)) fronts.push({ text: `Service ${name} (${type}) ${describeServiceFront(type, spec, ports)}`, position });
  else if (type === "LoadBalancer" && ranges) {
    const caveat = nodePorts ? ` (kube-proxy does not apply the ranges at its node ports: only the nodes' firewall keeps other addresses out there)` : "";
    fronts.push({ text: `Service ${name} (LoadBalancer) ${describeServiceFront(type, spec, ports)}${caveat}`, position, sourceRanges: ranges });
  }
  const externalIPs = Array.isArray(spec.externalIPs) ? spec.externalIPs.filter((ip): ip is string => typeof ip === "string" && ip !== "") : [];
  if (externalIPs.length > 0 && ports.length > 0) {
    fronts.push({ text: `Service ${name} (${type}) at external IP${externalIPs.length === 1 ? "" : "s"} ${externalIPs.join(", ")} on ${describeServicePorts(ports)}`, position: source.locate(["spec", "externalIPs"]) });
  }
  return fronts;
}

/**
 * A LoadBalancer's source ranges: the field, else the older annotation kube-proxy and cloud
 * providers still read when the field is empty. Undefined when neither narrows (unset, or a
 * range of every address).
 */
function loadBalancerSourceRanges(service: K8sObject): string[] | undefined {
  const spec = isRecord(service.spec) ? service.spec : {};
  const field = Array.isArray(spec.loadBalancerSourceRanges) ? spec.loadBalancerSourceRanges.filter((r): r is string => typeof r === "string") : [];
  const annotation = service.metadata?.annotations?.["service.beta.kubernetes.io/load-balancer-source-ranges"];
  return narrowingRanges(field.length > 0 ? field : typeof annotation === "string" ? annotation.split(",") : []);
}

interface HostPort {
  port: number;
  containerPort: number;
  protocol: Protocol;
  path: FieldPath;
}

function hostPortsOf(spec: Record<string, unknown>): HostPort[] {
  const ports: HostPort[] = [];
  for (const { container, path } of visitContainers(spec)) {
    if (!Array.isArray(container.ports)) continue;
    container.ports.forEach((port: unknown, p) => {
      if (!isRecord(port) || typeof port.hostPort !== "number" || port.hostPort <= 0 || typeof port.containerPort !== "number") return;
      // A host port forwards to its container port, in the port's protocol (TCP unless set).
      const protocol = (typeof port.protocol === "string" ? port.protocol : "TCP") as Protocol;
      ports.push({ port: port.hostPort, containerPort: port.containerPort, protocol, path: [...path, "ports", p, "hostPort"] });
    });
  }
  return ports;
}

interface ExternalReach {
  /** Each block is allowed something. */
  every: boolean;
  some: boolean;
  /** What some block is allowed. */
  ports: PortSet;
  /** What every block is allowed. */
  common: PortSet;
}

/** What every external block together may do. */
/**
 * What the blocks allow, each narrowed by `narrow` when given. The matrix hands out one set
 * per side result, shared by the blocks that result covers: each distinct set is read
 * once, as a policy naming thousands of addresses cuts as many blocks.
 */
function externalReach(blocks: number, allowed: (b: number) => PortSet, narrow?: (set: PortSet) => PortSet): ExternalReach {
  let every = blocks > 0;
  let some = false;
  let ports = PortSet.none;
  let common = blocks > 0 ? PortSet.all : PortSet.none;
  const seen = new Set<PortSet>();
  for (let b = 0; b < blocks; b++) {
    const given = allowed(b);
    if (seen.has(given)) continue;
    seen.add(given);
    const set = narrow ? narrow(given) : given;
    common = common.intersect(set);
    if (set.isEmpty()) every = false;
    else {
      some = true;
      ports = ports.union(set);
    }
  }
  return { every, some, ports, common };
}

/**
 * `on TCP 8080`: the ports every address may use, as a reader would say them; when the
 * blocks are allowed different ports, only those all share are said to be every address's.
 */
function describeEveryReach(reach: ExternalReach): string {
  const more = reach.ports.subtract(reach.common);
  if (more.isEmpty()) return describePorts(reach.common);
  if (reach.common.isEmpty()) return `each on some of ${reach.ports.toString()}`;
  return `${describePorts(reach.common)}, and some of them ${describePorts(more)} too`;
}

/**
 * `reachableFromOutside`: published outside the cluster, with some outside address allowed
 * to connect, or through a proxy. A proxy (an ingress controller, a Gateway) connects from
 * its own pods and relays every address it admits, so a policy narrows it only by shutting
 * those pods out: checked when the input holds them, assumed not done otherwise (their
 * namespace is often not in the input, and a policy naming it cannot be told from one
 * naming nothing).
 */
export function networkDeductions(matrix: Matrix, reach: ReachSummary, j: number, publishedWays: readonly Publication[], locate: PodFieldLocator): { deductions: Deduction[]; facts: string[]; reachableFromOutside: boolean } {
  const deductions: Deduction[] = [];
  const facts: string[] = [];
  const ways: Publication[] = [];
  for (const way of publishedWays) {
    if (way.proxies && way.insideOnly) {
      facts.push(`routed through ${way.text}, but nothing publishes the pods of ${way.proxies.name} outside the cluster: the route carries traffic from inside only`);
    } else if (way.proxies && !way.proxies.pods.some((p) => p !== j && matrix.reaches(p, j))) {
      facts.push(`routed from outside the cluster through ${way.text}, but its policies admit none of the pods of ${way.proxies.name}: nothing reaches it that way`);
    } else ways.push(way);
  }
  const blocks = matrix.externalSources.length;
  const inbound = externalReach(blocks, (b) => matrix.externalToPod(b, j));
  // Outside traffic arrives only on the pod ports the publication forwards to: what the policies allow on others is not reached this way.
  const reachOf = new Map(ways.map((way) => [way, way.podPorts ? externalReach(blocks, (b) => matrix.externalToPod(b, j), (set) => set.intersect(way.podPorts as PortSet)) : inbound]));
  // A publication that admits only some addresses itself narrows who may connect, whatever the policies say.
  for (const way of ways) if (way.sourceRanges) facts.push(`published outside the cluster through ${way.text}, to ${way.sourceRanges.join(", ")} only`);
  const open = ways.filter((p) => !p.sourceRanges);
  const direct = open.filter((p) => !p.proxied);
  const everyAddress = direct.filter((p) => (reachOf.get(p) as ExternalReach).every);
  const exposed = [...everyAddress, ...open.filter((p) => p.proxied)];
  if (exposed.length > 0) {
    const how = everyAddress.length > 0 ? `may connect ${directReach(everyAddress, reachOf)}` : "reaches its pods through the ingress controller or Gateway";
    const deduction = factDeduction(PUBLISHED_TO_EVERY_ADDRESS, `published outside the cluster through ${exposed.map((p) => p.text).join(", ")}, and nothing narrows who may connect: every address outside the cluster ${how}`);
    // Where the publication is written: the Service, Ingress or route, else the pod's own hostNetwork or host port.
    const first = exposed[0] as Publication;
    if (first.position) deduction.position = first.position;
    else if (first.podPath) Object.assign(deduction, locate(first.podPath));
    deductions.push(deduction);
  }
  const narrowed = direct.filter((p) => !(reachOf.get(p) as ExternalReach).every);
  const through = (subset: readonly Publication[]) => subset.map((p) => p.text).join(", ");
  const some = narrowed.filter((p) => (reachOf.get(p) as ExternalReach).some);
  if (some.length > 0) facts.push(`published outside the cluster through ${through(some)}, to some addresses only`);
  const none = narrowed.filter((p) => !(reachOf.get(p) as ExternalReach).some);
  if (none.length > 0) {
    facts.push(
      inbound.some
        ? `published outside the cluster through ${through(none)}, but its policies admit addresses outside the cluster only on ports that way does not forward to`
        : `published outside the cluster through ${through(none)}, but its policies let no address outside the cluster connect`,
    );
  }
  const outbound = externalReach(matrix.externalDestinations.length, (b) => matrix.podToExternal(j, b));
  if (outbound.every) {
    deductions.push(factDeduction(EGRESS_TO_EVERY_ADDRESS, `may connect to every address outside the cluster (${describeEveryReach(outbound)}): a way out for data, and for a compromised process to fetch its tools`));
  }
  const peers = reach.inbound[j] as number;
  const namespaces = reach.inboundNamespaces[j] as number;
  facts.push(`reachable from ${peers} of the other ${matrix.pods.length - 1} workloads${namespaces > 0 ? `, in ${namespaces} other namespace${namespaces === 1 ? "" : "s"} too` : ""}`);
  return { deductions, facts, reachableFromOutside: ways.some((p) => p.proxied || (reachOf.get(p) as ExternalReach).some) };
}

/**
 * How every outside address may connect through the direct publications: to the pods on
 * the ports those forward to, and, on the node's network, to whatever the pod listens on at
 * its node's addresses (no NetworkPolicy governs a host-network pod).
 */
function directReach(ways: readonly Publication[], reachOf: ReadonlyMap<Publication, ExternalReach>): string {
  const parts: string[] = [];
  const forwarded = ways.filter((p) => !p.onNode);
  if (forwarded.length > 0) {
    const merged = forwarded.map((p) => reachOf.get(p) as ExternalReach).reduce((a, b) => ({ every: true, some: true, ports: a.ports.union(b.ports), common: a.common.union(b.common) }));
    parts.push(`to its pods ${describeEveryReach(merged)}`);
  }
  if (ways.some((p) => p.onNode)) parts.push("to every port it listens on, at its node's addresses");
  return parts.join(", and ");
}

/** `8080/TCP`, `all ports`: a PortSet as a reader of the report would say it. */
export function describePorts(ports: PortSet): string {
  if (ports.isAll()) return "on every port";
  const text = ports.toString();
  return `on ${text}`;
}
