/**
 * hostNetwork pods and NetworkPolicy. Kubernetes leaves their behaviour to the network
 * plugin; Palisade takes what plugins do (a selector never matches a host-network pod, whose
 * traffic is the node's), so every message that rests on that choice says so: without it a
 * person sees "selects nothing" where their selector plainly matches the pod.
 */
import type { PodEndpoint } from "./model.js";

export const HOST_NETWORK_NOTE = "NetworkPolicy does not govern host-network pods (their traffic is the node's)";

/** The hostNetwork pods among `pods` that `matches` would accept if they were on the pod network. */
export function hostNetworkMatches(pods: readonly PodEndpoint[], matches: (pod: PodEndpoint) => boolean): PodEndpoint[] {
  return pods.filter((p) => p.hostNetwork === true && matches({ ...p, hostNetwork: false }));
}

export function listPods(pods: readonly PodEndpoint[], limit = 3): string {
  const names = pods.slice(0, limit).map((p) => `${p.namespace}/${p.name}`);
  return pods.length > limit ? `${names.join(", ")} and ${pods.length - limit} more` : names.join(", ");
}

/** "mon/agent, which uses hostNetwork" or "mon/a, mon/b, which use hostNetwork". */
export function usesHostNetwork(pods: readonly PodEndpoint[]): string {
  return `${listPods(pods)}, which ${pods.length === 1 ? "uses" : "use"} hostNetwork`;
}
