/**
 * `netpol explain --to svc/NAME` (or a Service's address): the connection explained once for
 * each backend the proxy may choose, on the port it forwards to there, since policies judge
 * the translated connection and not the Service.
 */
import { describeEndpoint, explainConnection, renderExplanation, type ConnectionDetails, type Explanation, type PolicyLocator } from "./explain.js";
import type { Endpoint, Protocol, Tier } from "./model.js";
import { parseCidr, parseIp, rangeContains } from "./cidr.js";
import { sameAddress, type ServiceRoute } from "./services.js";

export interface ServiceExplanation {
  from: string;
  /** `namespace/name` of the Service. */
  service: string;
  /** The Service address asked about, when `--to` gave one. */
  address?: string;
  protocol: Protocol;
  port?: number;
  /** The Service port's target (a number, or a container port's name); absent through a headless Service. */
  targetPort?: number | string;
  headless?: true;
  via: ServiceRoute["via"];
  /** How the client reached the Service: by name, at a cluster IP, at an external address, at a node port. */
  entry: ServiceRoute["entry"];
  /** How many backends let the connection through, of how many (none when the proxy drops it first). */
  allowedTo: number;
  /** Set when kube-proxy drops the connection before any backend: the client is outside the load balancer's source ranges. */
  droppedBy?: "loadBalancerSourceRanges";
  backends: { endpoint: string; port?: number; explanation: Explanation }[];
  /** Pods the Service selects that never get this connection, and why (no container port of the target port's name, not ready). */
  notServing: { endpoint: string; reason: string }[];
  /** What the proxy does to the connection that the verdicts above leave out. */
  notes: string[];
}

export function explainThroughService(
  tiers: readonly Tier[],
  src: Endpoint,
  route: ServiceRoute,
  asked: { protocol: Protocol; port?: number; address?: string },
  locate?: PolicyLocator,
  details: ConnectionDetails = {},
): ServiceExplanation {
  const { service, servicePort } = route;
  const against = againstSourceRanges(src, route, asked.address);
  const dropped = against === "outside";
  const backends = route.backends.map(({ endpoint, port }) => {
    const explanation = explainConnection(tiers, src, endpoint, asked.protocol, port, locate, details);
    return port === undefined ? { endpoint: describeEndpoint(endpoint), explanation } : { endpoint: describeEndpoint(endpoint), port, explanation };
  });
  // Built in reading order: what was asked, how the Service was found, then the answers.
  const out: ServiceExplanation = {
    from: describeEndpoint(src),
    service: `${service.namespace}/${service.name}`,
    ...(asked.address === undefined ? {} : { address: asked.address }),
    protocol: asked.protocol,
    ...(asked.port === undefined ? {} : { port: asked.port }),
    ...(servicePort ? { targetPort: servicePort.targetPort } : {}),
    ...(service.headless ? { headless: true as const } : {}),
    via: route.via,
    entry: route.entry,
    allowedTo: dropped ? 0 : backends.filter((b) => b.explanation.allowed).length,
    ...(dropped ? { droppedBy: "loadBalancerSourceRanges" as const } : {}),
    backends,
    notServing: route.notServing,
    notes: [...sourceRangeNotes(src, route, against), ...proxyNotes(src, route)],
  };
  return out;
}

/**
 * At a load balancer's address kube-proxy admits only the sources its loadBalancerSourceRanges
 * list (its firewall chain, which a pod's connections pass too) and drops the rest before any
 * backend: "outside" or "inside" them, "unknown" when the client's address is not known,
 * undefined when no such ranges apply to the address asked.
 */
function againstSourceRanges(src: Endpoint, route: ServiceRoute, address: string | undefined): "outside" | "inside" | "unknown" | undefined {
  const { service } = route;
  if (address === undefined || service.loadBalancerSourceRanges.length === 0 || !service.balancerIPs.some((ip) => sameAddress(ip, address))) return undefined;
  const family = parseIp(address)?.family;
  const client = (src.kind === "external" ? [src.ip] : src.ips).map(parseIp).find((ip) => ip?.family === family);
  if (!client) return "unknown";
  const admitted = service.loadBalancerSourceRanges.some((text) => {
    const range = parseCidr(text);
    return range !== undefined && rangeContains(range, client);
  });
  return admitted ? "inside" : "outside";
}

function sourceRangeNotes(src: Endpoint, route: ServiceRoute, against: ReturnType<typeof againstSourceRanges>): string[] {
  const ranges = route.service.loadBalancerSourceRanges.join(", ");
  if (against === "outside") return [`kube-proxy drops it at the load balancer's address: ${describeEndpoint(src)} is outside loadBalancerSourceRanges (${ranges}), so no backend is reached, whatever the policies below say`];
  if (against === "unknown") return [`at the load balancer's address kube-proxy admits only loadBalancerSourceRanges (${ranges}), and the client's address is not known here`];
  return [];
}

/**
 * The proxy's own effects on who the backend sees and which backends serve, as kube-proxy
 * programs them (pkg/proxy/iptables, and nftables alike): with externalTrafficPolicy
 * Cluster it masquerades every connection to an external destination (an external IP, a
 * load balancer address, a node port), a pod's too, to its node's address; with Local it
 * keeps the client's address and serves outside clients from the receiving node's backends
 * only, while pods still reach every backend. internalTrafficPolicy Local serves a pod
 * from its own node's backends only.
 */
function proxyNotes(src: Endpoint, route: ServiceRoute): string[] {
  const { service, entry } = route;
  const notes: string[] = [];
  if (service.headless) notes.push("headless (clusterIP: None): DNS names the pods themselves and no proxy translates the port, so each pod is asked about on the port given");
  if (route.backends.length === 0) notes.push("no backends: kube-proxy rejects connections to a Service without endpoints");
  const client = src.kind === "external" ? src.ip : "the pod";
  // Outside clients reach a Service by name only through what publishes it.
  const external = entry === "external-address" || entry === "node-port" || (entry === "name" && src.kind === "external");
  if (src.kind === "external" && (entry === "cluster-ip" || (entry === "name" && !service.published))) {
    notes.push(`a cluster IP answers inside the cluster only: ${src.ip} reaches ${service.published ? "this Service through its external addresses or node ports" : "this Service through no address"}`);
  } else if (external && service.externalTrafficPolicy !== "Local") {
    notes.push(`externalTrafficPolicy is ${service.externalTrafficPolicy}: kube-proxy masquerades a connection to ${entry === "node-port" ? "a node port" : "an external destination"} to the address of the node it passes, so ingress policies see that node, not ${client}; the verdicts above are for ${client}'s own address, as with externalTrafficPolicy: Local`);
  } else if (external && src.kind === "external") {
    notes.push("externalTrafficPolicy is Local: only the backends on the node the connection arrives at serve it, and they see the client's own address");
  }
  if (src.kind === "pod" && (entry === "name" || entry === "cluster-ip") && service.internalTrafficPolicy === "Local") {
    notes.push("internalTrafficPolicy is Local: only the backends on the client's own node serve it, and without one there the connection is dropped");
  }
  return notes;
}

export function renderServiceExplanation(e: ServiceExplanation): string {
  const target = e.port !== undefined ? `${e.port}/${e.protocol}` : String(e.protocol);
  const forwards = e.targetPort === undefined || e.targetPort === e.port ? "" : ` (to target port ${e.targetPort})`;
  const verdict =
    e.droppedBy !== undefined ? "DROPPED by kube-proxy (loadBalancerSourceRanges)" : e.backends.length === 0 ? "NO BACKENDS" : e.allowedTo === e.backends.length ? (e.backends.length === 1 ? "ALLOWED" : `ALLOWED to all ${e.backends.length} backends`) : e.allowedTo === 0 ? (e.backends.length === 1 ? "DENIED" : `DENIED to all ${e.backends.length} backends`) : `ALLOWED to ${e.allowedTo} of ${e.backends.length} backends`;
  const at = e.address === undefined ? "" : ` at ${e.address}${e.entry === "node-port" ? " (node port)" : ""}`;
  const lines = [`${e.from} -> Service ${e.service}${at} on ${target}${forwards}: ${verdict}`];
  for (const b of e.backends) lines.push(...indent(renderExplanation(b.explanation)));
  for (const n of e.notServing) lines.push(`  not a backend: ${n.endpoint} ${n.reason}`);
  for (const note of e.notes) lines.push(`  note: ${note}`);
  return lines.join("\n") + "\n";
}

function indent(text: string): string[] {
  return text.trimEnd().split("\n").map((line) => `  ${line}`);
}
