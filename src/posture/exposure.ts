/**
 * The network pillar's facts, read from the connectivity matrix (network/matrix.ts) and
 * the objects that publish a workload outside the cluster: Services of type LoadBalancer
 * or NodePort, Ingresses and Gateway API routes (k8s/routed-services.ts), host networking
 * and host ports. Being published is a choice; being published to every address with
 * nothing narrowing who may connect (no policy, no source ranges), or being free to
 * connect to any address outside, is what zero trust counts.
 */
import type { SourcePosition } from "../findings/types.js";
import { visitContainers } from "../k8s/containers.js";
import { matchesLabelSelector } from "../k8s/labels.js";
import { narrowingRanges, routedServices } from "../k8s/routed-services.js";
import { isRecord, type FieldPath, type K8sObject, type LoadedObject } from "../k8s/types.js";
import type { Matrix } from "../network/matrix.js";
import type { PodEndpoint } from "../network/model.js";
import { PortSet } from "../network/ports.js";
import type { ReachSummary } from "./reach.js";
import { EGRESS_TO_EVERY_ADDRESS, factDeduction, PUBLISHED_TO_EVERY_ADDRESS } from "./facts.js";
import type { Deduction, PodFieldLocator } from "./types.js";

interface PublishingService {
  namespace: string;
  name: string;
  type: string;
  selector: Record<string, string>;
  /** Where the Service says its type, or the Service itself. */
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
}

/** How each workload is published outside the cluster, by workload index. */
export function publications(objects: readonly LoadedObject[], pods: readonly PodEndpoint[], podSpecs: readonly Record<string, unknown>[]): Publication[][] {
  // By namespace: a Service selects pods of its own namespace only.
  const services = new Map<string, PublishingService[]>();
  for (const { object, source } of objects) {
    if (object.kind !== "Service" || object.apiVersion !== "v1") continue;
    const spec = isRecord(object.spec) ? object.spec : {};
    const selector = isRecord(spec.selector) ? Object.fromEntries(Object.entries(spec.selector).filter((e): e is [string, string] => typeof e[1] === "string")) : {};
    if (Object.keys(selector).length === 0) continue;
    const namespace = object.metadata?.namespace ?? "default";
    const list = services.get(namespace) ?? [];
    const service: PublishingService = { namespace, name: object.metadata?.name ?? "?", type: typeof spec.type === "string" ? spec.type : "ClusterIP", selector, position: source.locate(["spec", "type"]) };
    const ranges = loadBalancerSourceRanges(object);
    if (ranges) service.sourceRanges = ranges;
    list.push(service);
    services.set(namespace, list);
  }
  const routed = routedServices(objects);
  return pods.map((pod, i) => {
    const ways: Publication[] = [];
    for (const service of services.get(pod.namespace) ?? []) {
      // A Service's selector is a matchLabels of its namespace's pods.
      if (!matchesLabelSelector({ matchLabels: service.selector }, pod.labels)) continue;
      if (service.type === "NodePort") ways.push({ text: `Service ${service.name} (NodePort)`, position: service.position });
      if (service.type === "LoadBalancer") ways.push({ text: `Service ${service.name} (LoadBalancer)`, position: service.position, ...(service.sourceRanges ? { sourceRanges: service.sourceRanges } : {}) });
      const route = routed.get(`${service.namespace}/${service.name}`);
      if (route) ways.push({ text: route.text, position: route.position, proxied: true, ...(route.sourceRanges ? { sourceRanges: route.sourceRanges } : {}) });
    }
    if (pod.hostNetwork) ways.push({ text: "the node's network (hostNetwork)", podPath: ["spec", "hostNetwork"] });
    const hostPorts = hostPortsOf(podSpecs[i] ?? {});
    if (hostPorts.length > 0) ways.push({ text: `host ports ${hostPorts.map((p) => p.port).join(", ")}`, podPath: (hostPorts[0] as HostPort).path });
    return ways;
  });
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
  path: FieldPath;
}

function hostPortsOf(spec: Record<string, unknown>): HostPort[] {
  const ports: HostPort[] = [];
  for (const { container, path } of visitContainers(spec)) {
    if (!Array.isArray(container.ports)) continue;
    container.ports.forEach((port: unknown, p) => {
      if (isRecord(port) && typeof port.hostPort === "number" && port.hostPort > 0) ports.push({ port: port.hostPort, path: [...path, "ports", p, "hostPort"] });
    });
  }
  return ports;
}

/** What every external block together may do: `every` when each block is allowed something. */
function externalReach(blocks: number, allowed: (b: number) => PortSet): { every: boolean; some: boolean; ports: PortSet } {
  let every = blocks > 0;
  let some = false;
  let ports = PortSet.none;
  for (let b = 0; b < blocks; b++) {
    const set = allowed(b);
    if (set.isEmpty()) every = false;
    else {
      some = true;
      ports = ports.union(set);
    }
  }
  return { every, some, ports };
}

/** `reachableFromOutside`: published outside the cluster, with some outside address allowed to connect, or through a proxy (which connects from its own pods). */
export function networkDeductions(matrix: Matrix, reach: ReachSummary, j: number, publishedWays: readonly Publication[], locate: PodFieldLocator): { deductions: Deduction[]; facts: string[]; reachableFromOutside: boolean } {
  const deductions: Deduction[] = [];
  const facts: string[] = [];
  const published = publishedWays.map((p) => p.text);
  const inbound = externalReach(matrix.externalSources.length, (b) => matrix.externalToPod(b, j));
  // A publication that admits only some addresses itself narrows who may connect, whatever the policies say.
  const open = publishedWays.filter((p) => !p.sourceRanges);
  for (const way of publishedWays) if (way.sourceRanges) facts.push(`published outside the cluster through ${way.text}, to ${way.sourceRanges.join(", ")} only`);
  if (open.length > 0) {
    const through = open.map((p) => p.text).join(", ");
    if (inbound.every) {
      const deduction = factDeduction(
        PUBLISHED_TO_EVERY_ADDRESS,
        `published outside the cluster through ${through}, and no policy narrows who may connect: every address outside the cluster may connect ${describePorts(inbound.ports)}`,
      );
      // Where the publication is written: the Service or Ingress, else the pod's own hostNetwork or host port.
      const first = open[0] as Publication;
      if (first.position) deduction.position = first.position;
      else if (first.podPath) Object.assign(deduction, locate(first.podPath));
      deductions.push(deduction);
    } else if (inbound.some) {
      facts.push(`published outside the cluster through ${through}, to some addresses only`);
    } else if (open.every((p) => p.proxied)) {
      // The proxy connects from its own pods, which policies may well admit: the outside still reaches the workload through it.
      facts.push(`published outside the cluster through ${through}: no address outside the cluster may connect to its pods directly, but every address the proxy admits reaches them through it, if its policies admit the proxy's pods`);
    } else {
      facts.push(`published outside the cluster through ${through}, but its policies let no address outside the cluster connect`);
    }
  }
  const outbound = externalReach(matrix.externalDestinations.length, (b) => matrix.podToExternal(j, b));
  if (outbound.every) {
    deductions.push(factDeduction(EGRESS_TO_EVERY_ADDRESS, `may connect to every address outside the cluster (${describePorts(outbound.ports)}): a way out for data, and for a compromised process to fetch its tools`));
  }
  const peers = reach.inbound[j] as number;
  const namespaces = reach.inboundNamespaces[j] as number;
  facts.push(`reachable from ${peers} of the other ${matrix.pods.length - 1} workloads${namespaces > 0 ? `, in ${namespaces} other namespace${namespaces === 1 ? "" : "s"} too` : ""}`);
  return { deductions, facts, reachableFromOutside: published.length > 0 && (inbound.some || publishedWays.some((p) => p.proxied)) };
}

/** `8080/TCP`, `all ports`: a PortSet as a reader of the report would say it. */
export function describePorts(ports: PortSet): string {
  if (ports.isAll()) return "on every port";
  const text = ports.toString();
  return `on ${text}`;
}
