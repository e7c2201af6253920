/** The `netpol` rule family as `palisade scan` runs it. */
import { namespaceObjectsOf } from "../k8s/snapshot.js";
import { slimmed, type LoadedObject } from "../k8s/types.js";
import type { ScanFamily } from "../scan/family.js";
import { EndpointsBuilder } from "./endpoints.js";
import { lintContext, lintNetworkPolicies } from "./lint.js";
import { NETPOL_RULES } from "./lint-rules.js";
import { buildPolicySet, isPolicyObject, type PolicySource } from "./policy-set.js";

export const netpolFamily: ScanFamily = {
  id: "netpol",
  rules: NETPOL_RULES,
  check: (snapshot) => lintNetworkPolicies(lintContext(snapshot)),
  // Workloads become endpoints as they load; only policy objects are kept whole.
  stream(_options, input) {
    const endpoints = new EndpointsBuilder(input.namespaces, true);
    const policies: Array<PolicySource<LoadedObject>> = [];
    // Namespaces are read ahead of every other object; only where they are is kept.
    const namespaceObjects = new Map([...namespaceObjectsOf(input.objectsAhead("Namespace"))].map(([name, o]) => [name, slimmed(o)]));
    return {
      observe(loaded) {
        endpoints.add(loaded);
        if (isPolicyObject(loaded.object)) policies.push({ object: loaded.object, where: loaded });
      },
      finish: () => lintNetworkPolicies({ endpoints: endpoints.build(), set: buildPolicySet(policies), namespaceObjects }),
    };
  },
};
