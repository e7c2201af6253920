/**
 * The connections a rule of the network-policy-api's policies covers: fixed ports and
 * ranges, plus named ports, which carry no protocol in either API version and so resolve on
 * the destination pod to its container port's own number and protocol.
 */
import type { Endpoint } from "../model.js";
import { PortSet } from "../ports.js";

export interface RuleConnections {
  connections(dst: Endpoint): PortSet;
  /** True when connections depend on the destination (named ports). */
  named: boolean;
}

/** A rule without ports or protocols: they "will not be used to match traffic", so all of it. */
export const EVERY_CONNECTION: RuleConnections = { connections: () => PortSet.all, named: false };

/** `fixed` ports plus the container ports named `namedPorts` of a destination pod. */
export function ruleConnections(fixed: PortSet, namedPorts: readonly string[]): RuleConnections {
  if (namedPorts.length === 0) return { connections: () => fixed, named: false };
  return {
    named: true,
    connections(dst) {
      if (dst.kind !== "pod") return fixed;
      let set = fixed;
      for (const name of namedPorts) {
        const declared = dst.ports.find((p) => p.name === name);
        if (declared) set = set.union(PortSet.range(declared.protocol, declared.port, declared.port));
      }
      return set;
    },
  };
}
