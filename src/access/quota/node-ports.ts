/**
 * Node ports are one pool for the whole cluster: a Service that asks for a nodePort (or a
 * healthCheckNodePort) another Service holds, or one outside kube-apiserver's
 * --service-node-port-range, is refused at create. Upstream (pkg/registry/core/service/storage
 * alloc.go, initNodePorts and allocHealthCheckNodePort) allocates a Service's requested node
 * ports in port order, one per service port number (TCP and UDP 53 share theirs), and stops
 * at the first it cannot have; the health-check port comes after them. The pool's words are
 * portallocator's ErrAllocated and ErrNotInRange.
 *
 * From files, Services are created in input order, so the first to ask for a port has it; a
 * Service read from a live cluster holds the ports it was given. A later copy of the same
 * Service (kubectl apply of it again) replaces the earlier one's claims.
 */
import { isLiveSource, isRecord, slimmed, type FieldPath, type LoadedObject } from "../../k8s/types.js";
import { controlPlaneContainers } from "../../hardening/flags.js";
import { namespaceOf } from "./namespaces.js";

/** kube-apiserver's default --service-node-port-range (options.DefaultServiceNodePortRange). */
const DEFAULT_RANGE: PortRange = { base: 30000, size: 2768, from: "the default --service-node-port-range" };

interface PortRange {
  base: number;
  size: number;
  /** Where the range comes from, for the message. */
  from: string;
}

interface Claim {
  port: number;
  /** Upstream's field path in its error: the first entry of the service port, or the health-check port. */
  field: string;
  healthCheck: boolean;
  /** The field asking for the port, as the manifest writes it. */
  path: FieldPath;
  /** Reduced to its reference and the position of that field. */
  at: LoadedObject;
}

interface ServiceClaims {
  identity: string;
  live: boolean;
  claims: Claim[];
}

/** A Service the API server refuses for a node port, with its error as upstream words it. */
export interface RefusedNodePort {
  loaded: LoadedObject;
  /** The field asking for the port, as the manifest writes it. */
  path: FieldPath;
  port: number;
  text: string;
  /** The Service holding the port, when that is why. */
  holder?: string;
  /** Where the range comes from, when the port is outside it. */
  range?: string;
}

export class NodePortAllocations {
  private readonly services: ServiceClaims[] = [];
  private readonly ranges: PortRange[] = [];
  private unreadRange = false;

  constructor(private readonly defaultNamespace: string) {}

  /** Records a v1 Service's requested node ports, or a kube-apiserver's --service-node-port-range; anything else is ignored. */
  add(loaded: LoadedObject): void {
    const { object } = loaded;
    if (object.kind === "Pod") return this.addApiserver(loaded);
    if (object.kind !== "Service" || object.apiVersion !== "v1" || !isRecord(object.spec)) return;
    const name = object.metadata?.name;
    const namespace = namespaceOf(object, this.defaultNamespace);
    if (typeof name !== "string" || name === "" || namespace === undefined) return;
    const claims = requestedPorts(loaded, object.spec);
    if (claims.length > 0 || !isLiveSource(loaded.source)) this.services.push({ identity: `${namespace}/${name}`, live: isLiveSource(loaded.source), claims });
  }

  /** Every Service from files the pool refuses, in input order. */
  refused(): RefusedNodePort[] {
    const range = this.range();
    const holders = new Map<number, string>();
    // The last copy of each Service is the one that stands; live ones hold their ports first.
    const last = new Map<string, ServiceClaims>();
    for (const service of this.services) last.set(service.identity, service);
    for (const service of last.values()) if (service.live) for (const claim of service.claims) holders.set(claim.port, service.identity);
    const out: RefusedNodePort[] = [];
    for (const service of last.values()) {
      if (service.live) continue;
      // Allocated one at a time: a port two service port numbers ask for is taken by the first of them.
      const mine: number[] = [];
      for (const claim of service.claims) {
        const refusal = judge(claim, range, holders.get(claim.port) ?? (mine.includes(claim.port) ? service.identity : undefined));
        if (refusal !== undefined) {
          out.push(refusal);
          mine.length = 0;
          break;
        }
        mine.push(claim.port);
      }
      for (const port of mine) holders.set(port, service.identity);
    }
    return out;
  }

  private addApiserver(loaded: LoadedObject): void {
    if (!namesApiserver(loaded.object.spec)) return;
    for (const container of controlPlaneContainers(loaded.object)) {
      if (container.component !== "kube-apiserver") continue;
      const flag = container.flags.get("service-node-port-range");
      if (flag === undefined) {
        this.ranges.push(DEFAULT_RANGE);
        continue;
      }
      const range = parsePortRange(flag.value);
      if (range === undefined) this.unreadRange = true;
      else this.ranges.push({ ...range, from: "the kube-apiserver's --service-node-port-range in the input" });
    }
  }

  /** The range to judge by: the input's kube-apiserver's, else the default; none when they disagree or one cannot be read. */
  private range(): PortRange | undefined {
    if (this.unreadRange) return undefined;
    const [first, ...rest] = this.ranges;
    if (first === undefined) return DEFAULT_RANGE;
    return rest.every((r) => r.base === first.base && r.size === first.size) ? first : undefined;
  }
}

/** Whether a pod's containers name kube-apiserver anywhere in their command lines: a cheap look before reading their flags. */
function namesApiserver(spec: unknown): boolean {
  if (!isRecord(spec) || !Array.isArray(spec.containers)) return false;
  const mentions = (words: unknown) => Array.isArray(words) && words.some((word) => typeof word === "string" && word.includes("kube-apiserver"));
  return spec.containers.some((c: unknown) => isRecord(c) && (mentions(c.command) || mentions(c.args)));
}

function judge(claim: Claim, range: PortRange | undefined, holder: string | undefined): RefusedNodePort | undefined {
  const outOfRange = range !== undefined && range.size > 0 && (claim.port < range.base || claim.port >= range.base + range.size);
  if (!outOfRange && holder === undefined) return undefined;
  const reason = outOfRange ? `provided port is not in the valid range. The range of valid ports is ${range.base}-${range.base + range.size - 1}` : "provided port is already allocated";
  const text = claim.healthCheck ? `Internal error occurred: failed to allocate requested HealthCheck NodePort ${claim.port}: ${reason}` : `${claim.field}: Invalid value: ${claim.port}: ${reason}`;
  const refusal: RefusedNodePort = { loaded: claim.at, path: claim.path, port: claim.port, text, ...(outOfRange ? { range: range.from } : { holder: holder as string }) };
  return refusal;
}

/** The node ports a Service asks for, in the order upstream allocates them. */
function requestedPorts(loaded: LoadedObject, spec: Record<string, unknown>): Claim[] {
  const type = spec.type ?? "ClusterIP";
  if (type !== "NodePort" && type !== "LoadBalancer") return [];
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  const claims: Claim[] = [];
  const seenServicePorts = new Set<unknown>();
  ports.forEach((entry: unknown, i) => {
    if (!isRecord(entry) || seenServicePorts.has(entry.port)) return;
    seenServicePorts.add(entry.port);
    // findRequestedNodePort: the first entry of this service port number that names a node port.
    const j = ports.findIndex((other: unknown, k) => k >= i && isRecord(other) && other.port === entry.port && isNodePort(other.nodePort));
    if (j < 0) return;
    const port = (ports[j] as Record<string, unknown>).nodePort as number;
    const path = ["spec", "ports", j, "nodePort"];
    claims.push({ port, field: `spec.ports[${i}].nodePort`, healthCheck: false, path, at: slimmed(loaded, path) });
  });
  // needsHCNodePort: a LoadBalancer that keeps traffic on the nodes with its endpoints.
  if (type === "LoadBalancer" && spec.externalTrafficPolicy === "Local" && isNodePort(spec.healthCheckNodePort)) {
    const path = ["spec", "healthCheckNodePort"];
    claims.push({ port: spec.healthCheckNodePort as number, field: "spec.healthCheckNodePort", healthCheck: true, path, at: slimmed(loaded, path) });
  }
  return claims;
}

function isNodePort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value <= 65535;
}

/**
 * apimachinery's PortRange.Set (util/net/port_range.go): `low-high`, `low+offset` or one
 * port, each number as strconv.Atoi reads it; undefined where kube-apiserver would refuse it.
 * An empty value is the empty range, which judges nothing.
 */
export function parsePortRange(text: string): { base: number; size: number } | undefined {
  const value = text.trim();
  if (value === "") return { base: 0, size: 0 };
  const atoi = (s: string) => (/^[+-]?[0-9]+$/.test(s) ? Number(s) : NaN);
  const hyphen = value.indexOf("-");
  const plus = value.indexOf("+");
  let low: number;
  let high: number;
  if (hyphen >= 0 && plus >= 0) return undefined;
  if (hyphen >= 0) [low, high] = [atoi(value.slice(0, hyphen)), atoi(value.slice(hyphen + 1))];
  else if (plus >= 0) [low, high] = [atoi(value.slice(0, plus)), atoi(value.slice(0, plus)) + atoi(value.slice(plus + 1))];
  else low = high = atoi(value);
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || low > 65535 || high > 65535 || high < low) return undefined;
  return { base: low, size: 1 + high - low };
}

