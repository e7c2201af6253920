/**
 * The dataplane plan: what a node must enforce, per workload interface and direction, as
 * ordered tiers of rules over address sets and port sets. It is the boundary between the
 * policy model (which knows Kubernetes and Calico objects and builds the plan) and the
 * renderers (which know iptables or another dataplane and nothing of Kubernetes), as
 * Felix keeps its calculation graph apart from its iptables writer.
 */
import type { IpFamily } from "../cidr.js";
import type { PortSet } from "../ports.js";

/**
 * A set of addresses of one family: CIDRs, minus single addresses marked `except` inside
 * them (a pod whose IP falls in a matched block but which the rule does not match).
 * `any` stands for the whole family.
 */
export type AddressSet = { any: true } | { any?: false; entries: readonly AddressEntry[] };

export interface AddressEntry {
  cidr: string;
  /** Inside a broader entry of the same set, but not matched: ipset's `nomatch`. */
  except?: true;
}

export interface PlanRule {
  /** Allow and Pass end the tier's evaluation for the packet; Deny drops it; Log records it and goes on. */
  action: "Allow" | "Deny" | "Pass" | "Log";
  /** The peer: the source of an ingress rule, the destination of an egress rule. */
  peers: AddressSet;
  /** Protocols and destination ports covered. */
  connections: PortSet;
  /** Which policy rule this is, for the comment on the rendered rule. */
  origin: string;
}

export interface TierPlan {
  name: string;
  /** Packets a rule of this tier did not decide are dropped (the endpoint is selected here). */
  dropAtEnd: boolean;
  rules: readonly PlanRule[];
}

export interface SidePlan {
  /** The tiers whose policies select the endpoint for this direction, in evaluation order; none: everything is allowed. */
  tiers: readonly TierPlan[];
}

export interface EndpointPlan {
  /** The workload's interface on the node (the host side of its veth). */
  interfaceName: string;
  /** `namespace/name` of the pod, for comments. */
  pod: string;
  /** Traffic the pod sends (enters the node from its interface). */
  egress: SidePlan;
  /** Traffic to the pod (leaves the node through its interface). */
  ingress: SidePlan;
}

export interface DataplanePlan {
  family: IpFamily;
  endpoints: readonly EndpointPlan[];
  /**
   * Interfaces whose names start with this prefix are workloads: one the plan does not
   * know is dropped, as Felix drops traffic of a workload it has not programmed yet.
   */
  interfacePrefix?: string;
}
