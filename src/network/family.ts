/** The `netpol` rule family as `palisade scan` runs it. */
import { namespaceObjectsOf } from "../k8s/snapshot.js";
import { slimmed, type K8sObject, type LoadedObject } from "../k8s/types.js";
import type { ScanFamily } from "../scan/family.js";
import { EndpointsBuilder } from "./endpoints.js";
import { lintContext, lintNetworkPolicies, unmodelledIn } from "./lint.js";
import { unmodelledPolicy } from "./unmodelled.js";
import { readServices, type ServiceView } from "./services.js";
import { NETPOL_RULES } from "./lint-rules.js";
import { buildPolicySet, isPolicyObject, type PolicySource } from "./policy-set.js";
import { isCalicoObject, withCalico } from "./calico/tiers.js";

/** What Calico's policies need beside themselves: the labels of namespaces and service accounts. */
function lendsCalicoLabels(object: LoadedObject["object"]): boolean {
  return (object.kind === "Namespace" || object.kind === "ServiceAccount") && (object.apiVersion === "v1" || object.apiVersion === undefined);
}

/** The Services (with their EndpointSlices) that Calico rules may name. */
function lendsCalicoServices(object: LoadedObject["object"]): boolean {
  return (object.kind === "Service" && object.apiVersion === "v1") || (object.kind === "EndpointSlice" && object.apiVersion === "discovery.k8s.io/v1");
}

export const netpolFamily: ScanFamily = {
  id: "netpol",
  rules: NETPOL_RULES,
  check: (snapshot, options) => lintNetworkPolicies(lintContext(snapshot, options.calicoVersion)),
  // Workloads become endpoints as they load; only policy objects are kept whole.
  stream(options, input) {
    const endpoints = new EndpointsBuilder(input.namespaces, true);
    const policies: Array<PolicySource<LoadedObject>> = [];
    // Policies of kinds Palisade does not evaluate: kept small, only to be named.
    const unmodelled: K8sObject[] = [];
    // Services are kept whole, as policies are: findings point into their fields.
    const services: ServiceView[] = [];
    // Calico policies isolate too; their refusals are the calico family's to report.
    const calico: Array<PolicySource<LoadedObject>> = [];
    const namesServices = input.mentions("services");
    // Namespaces are read ahead of every other object; only where they are is kept.
    const namespaceObjects = new Map([...namespaceObjectsOf(input.objectsAhead("Namespace"))].map(([name, o]) => [name, slimmed(o)]));
    return {
      observe(loaded) {
        endpoints.add(loaded);
        if (isPolicyObject(loaded.object)) policies.push({ object: loaded.object, where: loaded });
        else if (isCalicoObject(loaded.object)) calico.push({ object: loaded.object, where: loaded });
        else if (unmodelledPolicy(loaded.object)) unmodelled.push(loaded.object);
        // Services are kept for Calico only where some text could name one in a rule.
        if (lendsCalicoLabels(loaded.object) || (namesServices && lendsCalicoServices(loaded.object))) calico.push({ object: loaded.object });
        if (loaded.object.kind === "Service") services.push(...readServices([loaded], true));
      },
      finish: () => {
        const set = buildPolicySet(policies);
        const withCalicoSet = calico.some((s) => isCalicoObject(s.object)) ? withCalico(set, calico, options.calicoVersion ? { calicoVersion: options.calicoVersion } : {}) : undefined;
        const tiers = withCalicoSet?.tiers ?? set.tiers;
        const calicoPolicies = (withCalicoSet?.policies ?? []).filter((p) => isCalicoObject(p.object));
        return lintNetworkPolicies({ endpoints: endpoints.build(), set, tiers, namespaceObjects, unmodelled: unmodelledIn(unmodelled, withCalicoSet?.refused ?? []), services, calicoPolicies });
      },
    };
  },
};
