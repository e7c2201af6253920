/**
 * Policy rules written against a Service rather than the pods behind it (NetworkPolicy's
 * here; the admin kinds' and Calico's through lint-admin-services.ts and
 * lint-calico-services.ts). The node's proxy translates a connection to a Service (its
 * address and port) into one to a backend pod (its address and target port) before network
 * plugins judge it, so a rule allowing a Service's port that differs from its target port,
 * or an ipBlock naming a Service's address, matches none of the Service's traffic.
 */
import type { Finding } from "../findings/types.js";
import type { FieldPath, LoadedObject } from "../k8s/types.js";
import { formatIp, parseCidr } from "./cidr.js";
import { describeEndpoint } from "./explain.js";
import { lintFinding as finding } from "./lint-finding.js";
import { RULES } from "./lint-rules.js";
import type { PodEndpoint } from "./model.js";
import type { NetworkPolicyPort } from "./networkpolicy/types.js";
import { targetPortOn } from "./service-ports.js";
import { serviceAtAddress, serviceSelects, type ServiceView } from "./services.js";

export interface ServiceRuleInput {
  policyId: string;
  direction: "ingress" | "egress";
  index: number;
  /** The rule's destination ports, in NetworkPolicy's shape, and where each port is written. */
  ports: readonly NetworkPolicyPort[];
  portPath(index: number): FieldPath;
  /** An egress rule's address peers (ipBlocks, nets): what the message calls each (`peer 0`, and the noun `peer`), and where it is written. */
  addresses: readonly { cidr: string; label: string; noun: string; path: FieldPath }[];
  /** The pods the rule's ports apply to: the selected pods for ingress, the pods the peers select for egress. */
  destinations: readonly PodEndpoint[];
  where: LoadedObject | undefined;
}

/** Whether any of the rule's ports lets `port` of `protocol` in on `pod` (no ports: every port). */
function ruleCovers(ports: readonly NetworkPolicyPort[], pod: PodEndpoint, port: number, protocol: string): boolean {
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined || p.port === null) return true;
    if (typeof p.port === "string") return pod.ports.some((c) => c.name === p.port && c.protocol === protocol && c.port === port);
    return port >= p.port && port <= (p.endPort ?? p.port);
  });
}

/** Services of the pod's namespace whose selector matches it (headless ones translate nothing). */
function servicesOf(pod: PodEndpoint, services: readonly ServiceView[]): ServiceView[] {
  return services.filter((s) => !s.headless && serviceSelects(s, pod));
}

export function lintServiceRule(rule: ServiceRuleInput, services: readonly ServiceView[]): Finding[] {
  if (services.length === 0) return [];
  const findings: Finding[] = [];
  const what = `${rule.policyId} ${rule.direction} rule ${rule.index}`;
  rule.ports.forEach((entry, j) => {
    if (typeof entry.port !== "number" || (entry.endPort !== undefined && entry.endPort !== null)) return;
    const port = entry.port;
    const protocol = entry.protocol ?? "TCP";
    const missed: { service: ServiceView; target: number; pods: PodEndpoint[]; named?: string }[] = [];
    for (const pod of rule.destinations) {
      // A pod that listens on the port itself is reached on it directly, by its own address.
      if (pod.hostNetwork || pod.ports.some((c) => c.port === port && c.protocol === protocol)) continue;
      for (const service of servicesOf(pod, services)) {
        const servicePort = service.ports.find((p) => p.port === port && p.protocol === protocol);
        const target = servicePort && targetPortOn(servicePort, pod.ports);
        if (target === undefined || target === port || ruleCovers(rule.ports, pod, target, protocol)) continue;
        const known = missed.find((m) => m.service === service && m.target === target);
        if (known) known.pods.push(pod);
        else missed.push({ service, target, pods: [pod], ...(typeof servicePort!.targetPort === "string" ? { named: servicePort!.targetPort } : {}) });
      }
    }
    if (missed.length === 0) return;
    const forwards = missed.map((m) => `Service ${m.service.namespace}/${m.service.name} forwards it to ${m.target}${m.named ? ` (${m.named})` : ""} on ${m.pods.slice(0, 3).map(describeEndpoint).join(", ")}${m.pods.length > 3 ? ` and ${m.pods.length - 3} more` : ""}`);
    findings.push(
      finding(
        RULES.servicePort,
        `${what} allows port ${port}/${protocol}, a Service's port that these pods declare no container port for: ${forwards.join("; ")}. Policies judge the connection after that translation, so this port lets none of the Service's connections ${rule.direction === "ingress" ? "in" : "out"}`,
        rule.where,
        rule.portPath(j),
      ),
    );
  });
  if (rule.direction === "egress") {
    for (const { cidr, label, noun, path } of rule.addresses) {
      const range = parseCidr(cidr);
      if (!range || range.first !== range.last) continue;
      const service = serviceAtAddress(services, formatIp(range.family, range.first));
      if (!service) continue;
      findings.push(
        finding(
          RULES.serviceAddress,
          `${what} ${label} is ${cidr}, an address of Service ${service.namespace}/${service.name}: it is translated to a backend pod's address before policies judge the connection, so this ${noun} matches none of the Service's traffic`,
          rule.where,
          path,
        ),
      );
    }
  }
  return findings;
}

/**
 * Services that forward to nothing: a selector that matches no workload of its namespace
 * (only where the input holds workloads of that namespace, so a partial input is not
 * blamed), and a port whose named target none of the selected pods declares with that
 * protocol, which gets no endpoints: connections to it are refused.
 */
export function lintServiceTargets(services: readonly ServiceView[], pods: readonly PodEndpoint[]): Finding[] {
  const findings: Finding[] = [];
  for (const service of services) {
    if (service.selector === undefined || service.externalName !== undefined) continue;
    const id = `Service ${service.namespace}/${service.name}`;
    const inNamespace = pods.filter((p) => p.namespace === service.namespace);
    const selected = inNamespace.filter((p) => serviceSelects(service, p));
    if (selected.length === 0) {
      if (inNamespace.length > 0) {
        const selector = Object.entries(service.selector).map(([k, v]) => `${k}=${v}`).join(",");
        findings.push(finding(RULES.serviceSelectsNothing, `${id}'s selector ${selector} matches none of the ${inNamespace.length} workloads of its namespace: it has no endpoints, and connections to it are refused`, service.where, ["spec", "selector"]));
      }
      continue;
    }
    for (const port of service.ports) {
      if (typeof port.targetPort !== "string" || selected.some((p) => targetPortOn(port, p.ports) !== undefined)) continue;
      findings.push(
        finding(
          RULES.serviceTargetPortUnknown,
          `${id} port ${port.port}/${port.protocol} forwards to the container port named ${port.targetPort}, which none of the workloads it selects (${selected.slice(0, 3).map(describeEndpoint).join(", ")}${selected.length > 3 ? ` and ${selected.length - 3} more` : ""}) declares for ${String(port.protocol)}: the port has no endpoints, and connections to it are refused`,
          service.where,
          ["spec", "ports", port.index, "targetPort"],
        ),
      );
    }
  }
  return findings;
}
