/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1,
 * sig-network's network-policy-api), validated as their CRD schema and CEL rules do
 * (validate.ts), and compiled into the model as the API server stores them (prune.ts):
 * ANPs form the tier before NetworkPolicy (lower priority number first, rules in order,
 * first match wins, Pass hands over to NetworkPolicy), the BANP the tier after it (only for
 * what NetworkPolicy left undecided).
 *
 * `networks` peers match any address, the pod network's included, as the API says ("if you
 * Allow or Deny traffic to 0.0.0.0/0, that will allow or deny all IPv4 pod-to-pod traffic
 * as well"): external addresses, and pods by their IPs; a pod whose IPs the manifests do
 * not give matches only a network covering a whole address family (0.0.0.0/0, ::/0).
 * `nodes` peers need node objects the model does not have, so they match nothing and
 * lint says so.
 */
import type { LabelSelector } from "../../k8s/labels.js";
import type { K8sObject } from "../../k8s/types.js";
import type { EnforcedPolicy } from "../model.js";
import { EVERY_CONNECTION, ruleConnections, type RuleConnections } from "../network-policy-api/connections.js";
import type { Peer } from "../network-policy-api/peers.js";
import { compileTieredPolicy, type ApiSpec } from "../network-policy-api/tiered-policy.js";
import { PortSet, type PortProtocol } from "../ports.js";
import { prunedAsStored } from "./prune.js";

export { validateAdminNetworkPolicy } from "./validate.js";

export const ANP_GROUP = "policy.networking.k8s.io";
export const ADMIN_TIER = "adminnetworkpolicy";
export const BASELINE_TIER = "baselineadminnetworkpolicy";

interface AdminPeer extends Peer {
  nodes?: LabelSelector;
}
/** A `ports` entry as written (validated: exactly one of the three). */
export interface AdminPort {
  portNumber?: { protocol?: string; port: number };
  namedPort?: string;
  portRange?: { protocol?: string; start: number; end: number };
}

/** A portNumber's or portRange's protocol: TCP when not given. */
export function adminPortProtocol(port: { protocol?: string }): PortProtocol {
  return (port.protocol ?? "TCP") as PortProtocol;
}
interface AdminRule {
  name?: string;
  action: "Allow" | "Deny" | "Pass";
  from?: AdminPeer[];
  to?: AdminPeer[];
  ports?: AdminPort[];
}
interface AdminSpec extends ApiSpec<AdminRule> {
  priority?: number;
}

function compilePorts(ports: AdminPort[] | undefined): RuleConnections {
  if (!ports || ports.length === 0) return EVERY_CONNECTION;
  let fixed = PortSet.none;
  const named: string[] = [];
  for (const p of ports) {
    if (p.portNumber) fixed = fixed.union(PortSet.range(adminPortProtocol(p.portNumber), p.portNumber.port, p.portNumber.port));
    else if (p.portRange) fixed = fixed.union(PortSet.range(adminPortProtocol(p.portRange), p.portRange.start, p.portRange.end));
    else if (p.namedPort) named.push(p.namedPort);
  }
  return ruleConnections(fixed, named);
}

/** `written` must have passed validateAdminNetworkPolicy; what is compiled is the object as the API server stores it. */
function compile(written: K8sObject, baseline: boolean): EnforcedPolicy {
  const object = prunedAsStored(written);
  const spec = object.spec as unknown as AdminSpec;
  return compileTieredPolicy<AdminRule>({
    kind: baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy",
    name: object.metadata?.name ?? "",
    tier: baseline ? BASELINE_TIER : ADMIN_TIER,
    // The one BANP has no priority.
    order: baseline ? 0 : spec.priority,
    spec,
    connectionsOf: (rule) => compilePorts(rule.ports),
    // Allow, Deny and Pass are the model's own actions.
    modelAction: (action) => action,
  });
}

export function compileAdminNetworkPolicy(object: K8sObject): EnforcedPolicy {
  return compile(object, false);
}

export function compileBaselineAdminNetworkPolicy(object: K8sObject): EnforcedPolicy {
  return compile(object, true);
}
