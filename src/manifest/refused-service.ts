/**
 * A v1 Service as the API server judges it on create (manifest/fails-validation), after the v1
 * defaults of SetDefaults_Service (pkg/apis/core/v1/defaults.go): an empty type is ClusterIP,
 * an empty sessionAffinity None (whose sessionAffinityConfig is dropped), a ClientIP one without
 * a timeout gets 10800 seconds, an externally accessible Service's externalTrafficPolicy is
 * Cluster, a ClusterIP, NodePort or LoadBalancer one's internalTrafficPolicy Cluster, and a
 * LoadBalancer's allocateLoadBalancerNodePorts true (ports: refused-service-ports.ts).
 *
 * The Service storage judges cluster IPs and families while it allocates, before validation,
 * and those refusals come alone (serviceAllocationRefusals, refused-service-ips.ts). Then
 * ValidateService (pkg/apis/core/validation), in its order, less what needs the cluster's
 * configuration (its node port range and service CIDRs; a requested healthCheckNodePort is
 * allocated from that range too) and trafficDistribution, whose accepted values follow
 * feature gates of the release.
 */
import { dns1123SubdomainErrors } from "../k8s/dns-names.js";
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { invalid, notSupported, required, type ApiFieldError } from "./api-field-errors.js";
import { isLabelValue, isQualifiedName, labelValueErrors, qualifiedNameErrors } from "./api-name-formats.js";
import { isGoSpace } from "./go-space.js";
import { isGoCIDR, isIPv4, parseGoIP } from "./go-ip.js";
import { clusterIPAt, clusterIPRefusals, clusterIPsOf, isHeadless, textList, textOf } from "./refused-service-ips.js";
import { portClashRefusals, servicePortRefusals, servicePorts } from "./refused-service-ports.js";

const TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"] as const;
const AFFINITIES = ["ClientIP", "None"] as const;
const TRAFFIC_POLICIES = ["Cluster", "Local"] as const;
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
const TOPOLOGY_HINTS = "service.kubernetes.io/topology-aware-hints";
const TOPOLOGY_MODE = "service.kubernetes.io/topology-mode";
const SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";
const ONLY_LOAD_BALANCER = "may only be used when `type` is 'LoadBalancer'";
/** A Service without a spec reads as an empty one; shared, and never written to. */
const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** The spec, or undefined when it does not decode (or its type does not): the decoder's refusal, not validation's. */
function specOf(object: K8sObject): Record<string, unknown> | undefined {
  const spec = object.spec;
  if (spec === undefined || spec === null) return EMPTY;
  return isRecord(spec) ? spec : undefined;
}

/** The type after defaulting, or undefined when it is not text. */
function typeOf(spec: Record<string, unknown>): string | undefined {
  const type = textOf(spec.type);
  return type === "" ? "ClusterIP" : type;
}

/** What the Service storage refuses while allocating, before ValidateService runs; [] when it goes on to validation. */
export function serviceAllocationRefusals(object: K8sObject): ApiFieldError[] {
  const spec = specOf(object);
  if (spec === undefined) return [];
  const type = typeOf(spec);
  return type === undefined || type === "ExternalName" ? [] : clusterIPRefusals(spec);
}

/** ValidateService less its metadata (refused-metadata.ts) and less what serviceAllocationRefusals refused first. */
export function serviceRefusals(object: K8sObject): ApiFieldError[] {
  const out: ApiFieldError[] = [];
  topologyAnnotationRefusals(object.metadata, out);
  const spec = specOf(object);
  const type = spec && typeOf(spec);
  const ips = spec && clusterIPsOf(spec);
  const ports = spec && servicePorts(spec.ports);
  if (spec === undefined || type === undefined || ips === undefined || ports === undefined) return out;
  const headless = isHeadless(ips);
  if (ports.length === 0 && !headless && type !== "ExternalName") out.push({ at: ["spec", "ports"], text: required("spec.ports"), todo: "list the ports the Service exposes (only a headless or ExternalName Service may have none)" });
  if ((type === "LoadBalancer" || type === "NodePort") && headless) {
    out.push({ at: clusterIPAt(ips, 0), text: invalid("spec.clusterIPs[0]", "None", `may not be set to 'None' for ${type} services`), todo: `drop clusterIP: None (a headless Service is of type ClusterIP), or the type ${type}` });
  }
  if (type === "ExternalName") externalNameRefusals(spec, ips.values.length > 0 ? clusterIPAt(ips) : undefined, out);
  servicePortRefusals(ports, out);
  selectorRefusals(spec.selector, out);
  sessionAffinityRefusals(spec, out);
  externalIPRefusals(spec.externalIPs, out);
  if (!(TYPES as readonly string[]).includes(type)) out.push({ at: ["spec", "type"], text: notSupported("spec.type", type, TYPES), todo: "use one of the types the message lists, capitalized as written" });
  portClashRefusals(ports, type, out);
  sourceRangeRefusals(object.metadata, spec, type, out);
  const allocate = spec.allocateLoadBalancerNodePorts;
  if (allocate !== undefined && allocate !== null && type !== "LoadBalancer") {
    out.push({ at: ["spec", "allocateLoadBalancerNodePorts"], text: `spec.allocateLoadBalancerNodePorts: Forbidden: ${ONLY_LOAD_BALANCER}`, todo: "drop allocateLoadBalancerNodePorts, or make the Service a LoadBalancer" });
  }
  loadBalancerClassRefusals(spec.loadBalancerClass, type, out);
  trafficPolicyRefusals(spec, type, out);
  return out;
}

function topologyAnnotationRefusals(metadata: unknown, out: ApiFieldError[]): void {
  const annotations = isRecord(metadata) ? metadata.annotations : undefined;
  if (!isRecord(annotations)) return;
  const hints = annotations[TOPOLOGY_HINTS];
  const mode = annotations[TOPOLOGY_MODE];
  if (typeof hints !== "string" || typeof mode !== "string" || hints === mode) return;
  out.push({ at: ["metadata", "annotations", TOPOLOGY_MODE], text: invalid(`metadata.annotations[${TOPOLOGY_MODE}]`, mode, `must match annotations[${TOPOLOGY_HINTS}] when both are specified`), todo: `give both annotations the same value, or drop the deprecated ${TOPOLOGY_HINTS}` });
}

/** `ipsAt`: where the manifest holds the cluster IPs, when it holds any. */
function externalNameRefusals(spec: Record<string, unknown>, ipsAt: FieldPath | undefined, out: ApiFieldError[]): void {
  const todo = "an ExternalName Service is a DNS alias: drop its cluster IP and IP family fields";
  if (ipsAt !== undefined) out.push({ at: ipsAt, text: "spec.clusterIPs: Forbidden: may not be set for ExternalName services", todo });
  const families = textList(spec.ipFamilies);
  if (families !== undefined && families.length > 0) out.push({ at: ["spec", "ipFamilies"], text: "spec.ipFamilies: Forbidden: may not be set for ExternalName services", todo });
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) out.push({ at: ["spec", "ipFamilyPolicy"], text: "spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services", todo });
  const externalName = textOf(spec.externalName);
  if (externalName === undefined) return;
  // A trailing dot marks the name fully qualified; one is allowed.
  const cname = externalName.endsWith(".") ? externalName.slice(0, -1) : externalName;
  if (cname === "") {
    out.push({ at: ["spec", "externalName"], text: required("spec.externalName"), todo: "give the DNS name the Service aliases as spec.externalName" });
    return;
  }
  for (const message of dns1123SubdomainErrors(cname)) out.push({ at: ["spec", "externalName"], text: invalid("spec.externalName", cname, message), todo: "write externalName as a lowercase DNS name (no scheme, port or path)" });
}

/** ValidateLabels on the selector, as on metadata.labels. */
function selectorRefusals(selector: unknown, out: ApiFieldError[]): void {
  if (!isRecord(selector)) return;
  const todo = "selector keys are [prefix/]name label keys, values empty or at most 63 letters, digits, '-', '_' and '.'";
  for (const key in selector) {
    const value = selector[key];
    if (!isQualifiedName(key)) for (const message of qualifiedNameErrors(key)) out.push({ at: ["spec", "selector", key], text: invalid("spec.selector", key, message), todo });
    if (typeof value === "string" && !isLabelValue(value)) for (const message of labelValueErrors(value)) out.push({ at: ["spec", "selector", key], text: invalid("spec.selector", value, message), todo });
  }
}

function sessionAffinityRefusals(spec: Record<string, unknown>, out: ApiFieldError[]): void {
  const affinity = textOf(spec.sessionAffinity);
  // Empty is None after defaulting, and None's sessionAffinityConfig is dropped.
  if (affinity === undefined || affinity === "" || affinity === "None") return;
  if (affinity !== "ClientIP") {
    out.push({ at: ["spec", "sessionAffinity"], text: notSupported("spec.sessionAffinity", affinity, AFFINITIES), todo: "use ClientIP or None" });
    return;
  }
  // A ClientIP config without a timeout is given the default one.
  const config = spec.sessionAffinityConfig;
  const clientIP = isRecord(config) ? config.clientIP : undefined;
  const timeout = isRecord(clientIP) ? clientIP.timeoutSeconds : undefined;
  if (typeof timeout !== "number" || !Number.isInteger(timeout) || (timeout > 0 && timeout <= MAX_CLIENT_IP_AFFINITY_SECONDS)) return;
  if (timeout < -2147483648 || timeout > 2147483647) return;
  out.push({ at: ["spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"], text: invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`), todo: "give a timeout from 1 to 86400 seconds, or none for the default 10800" });
}

/** validation.IsValidIP (the legacy, sloppy form), then ValidateNonSpecialIP. */
function externalIPRefusals(value: unknown, out: ApiFieldError[]): void {
  const ips = textList(value);
  if (ips === undefined) return;
  ips.forEach((text, index) => {
    const at = ["spec", "externalIPs", index];
    const api = `spec.externalIPs[${index}]`;
    const ip = parseGoIP(text);
    if (ip === undefined) {
      out.push({ at, text: invalid(api, text, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"), todo: "write an IPv4 or IPv6 address" });
      return;
    }
    const todo = "external IPs route to nodes from outside: use an address of the network the nodes are reached on";
    for (const message of specialIPMessages(ip, text)) out.push({ at, text: invalid(api, text, message), todo });
  });
}

/** Go's IsUnspecified, IsLoopback, IsLinkLocalUnicast and IsLinkLocalMulticast, as ValidateNonSpecialIP words them. */
function specialIPMessages(ip: Uint8Array, text: string): string[] {
  const messages: string[] = [];
  const v4 = isIPv4(ip);
  const [a = 0, b = 0, c = 0] = v4 ? ip.subarray(12) : ip;
  if ((v4 && ip[12] === 0 && ip[13] === 0 && ip[14] === 0 && ip[15] === 0) || ip.every((byte) => byte === 0)) messages.push(`may not be unspecified (${text})`);
  if (v4 ? a === 127 : ip.subarray(0, 15).every((byte) => byte === 0) && ip[15] === 1) messages.push("may not be in the loopback range (127.0.0.0/8, ::1/128)");
  if (v4 ? a === 169 && b === 254 : a === 0xfe && (b & 0xc0) === 0x80) messages.push("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
  if (v4 ? a === 224 && b === 0 && c === 0 : a === 0xff && (b & 0x0f) === 0x02) messages.push("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
  return messages;
}

/** spec.loadBalancerSourceRanges (upstream names it with a capital L), else its annotation: LoadBalancer only, CIDRs with spaces around allowed. */
function sourceRangeRefusals(metadata: unknown, spec: Record<string, unknown>, type: string, out: ApiFieldError[]): void {
  const ranges = textList(spec.loadBalancerSourceRanges);
  if (ranges === undefined) return;
  const todo = "write CIDRs such as 203.0.113.0/24";
  if (ranges.length > 0) {
    if (type !== "LoadBalancer") out.push({ at: ["spec", "loadBalancerSourceRanges"], text: `spec.LoadBalancerSourceRanges: Forbidden: ${ONLY_LOAD_BALANCER}`, todo: "drop loadBalancerSourceRanges, or make the Service a LoadBalancer" });
    ranges.forEach((range, index) => {
      const trimmed = goTrimSpace(range);
      if (!isGoCIDR(trimmed)) out.push({ at: ["spec", "loadBalancerSourceRanges", index], text: invalid(`spec.LoadBalancerSourceRanges[${index}]`, trimmed, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"), todo });
    });
    return;
  }
  const annotations = isRecord(metadata) ? metadata.annotations : undefined;
  const annotation = isRecord(annotations) ? annotations[SOURCE_RANGES_ANNOTATION] : undefined;
  if (annotation === undefined || (annotation !== null && typeof annotation !== "string")) return;
  const at = ["metadata", "annotations", SOURCE_RANGES_ANNOTATION];
  const api = `metadata.annotations[${SOURCE_RANGES_ANNOTATION}]`;
  if (type !== "LoadBalancer") out.push({ at, text: `${api}: Forbidden: ${ONLY_LOAD_BALANCER}`, todo: "drop the annotation, or make the Service a LoadBalancer" });
  const value = goTrimSpace(annotation ?? "");
  if (value === "") return;
  for (const part of value.split(",")) {
    const trimmed = goTrimSpace(part);
    if (!isGoCIDR(trimmed)) out.push({ at, text: invalid(api, trimmed, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"), todo: "write comma-separated CIDRs such as 203.0.113.0/24,198.51.100.0/24" });
  }
}

function loadBalancerClassRefusals(value: unknown, type: string, out: ApiFieldError[]): void {
  if (typeof value !== "string") return;
  if (type !== "LoadBalancer") {
    out.push({ at: ["spec", "loadBalancerClass"], text: `spec.loadBalancerClass: Forbidden: ${ONLY_LOAD_BALANCER}`, todo: "drop loadBalancerClass, or make the Service a LoadBalancer" });
    return;
  }
  if (isQualifiedName(value)) return;
  for (const message of qualifiedNameErrors(value)) out.push({ at: ["spec", "loadBalancerClass"], text: invalid("spec.loadBalancerClass", value, message), todo: "name the class as [prefix/]name, e.g. example.com/internal-vip" });
}

/** validateServiceExternalTrafficPolicy and validateServiceInternalTrafficFieldsValue, after defaulting. */
function trafficPolicyRefusals(spec: Record<string, unknown>, type: string, out: ApiFieldError[]): void {
  const externalIPs = textList(spec.externalIPs);
  const external = textOf(spec.externalTrafficPolicy);
  if (externalIPs !== undefined && external !== undefined) {
    const accessible = type === "LoadBalancer" || type === "NodePort" || (type === "ClusterIP" && externalIPs.length > 0);
    if (!accessible && external !== "") {
      out.push({ at: ["spec", "externalTrafficPolicy"], text: invalid("spec.externalTrafficPolicy", external, "may only be set for externally-accessible services"), todo: "drop externalTrafficPolicy: only NodePort and LoadBalancer Services, or ClusterIP ones with externalIPs, take it" });
    } else if (accessible && external !== "" && external !== "Cluster" && external !== "Local") {
      out.push({ at: ["spec", "externalTrafficPolicy"], text: notSupported("spec.externalTrafficPolicy", external, TRAFFIC_POLICIES), todo: "use Cluster or Local" });
    }
    // A healthCheckNodePort is allocated (from the cluster's range) only for a LoadBalancer with Local traffic.
    const healthCheckNodePort = spec.healthCheckNodePort;
    const needsHealthCheck = type === "LoadBalancer" && external === "Local";
    if (!needsHealthCheck && typeof healthCheckNodePort === "number" && Number.isInteger(healthCheckNodePort) && healthCheckNodePort !== 0 && healthCheckNodePort >= -2147483648 && healthCheckNodePort <= 2147483647) {
      out.push({ at: ["spec", "healthCheckNodePort"], text: invalid("spec.healthCheckNodePort", healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"), todo: "drop healthCheckNodePort, or set type: LoadBalancer with externalTrafficPolicy: Local" });
    }
  }
  // Unset, it defaults to Cluster where it applies; a value written, even "", is judged.
  const internal = spec.internalTrafficPolicy;
  if (typeof internal === "string" && internal !== "Cluster" && internal !== "Local") {
    out.push({ at: ["spec", "internalTrafficPolicy"], text: notSupported("spec.internalTrafficPolicy", internal, TRAFFIC_POLICIES), todo: "use Cluster or Local" });
  }
}

/** strings.TrimSpace. */
function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isGoSpace(text.charCodeAt(start))) start++;
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
