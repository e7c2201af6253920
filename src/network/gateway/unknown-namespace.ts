/**
 * Routes whose namespace the input does not hold, attached through a listener whose
 * `from: Selector` asks for labels other than the namespace's name: of such a namespace only
 * the name label (set by the API server) is known, so whether the selector matches it cannot
 * be judged. The model takes the route as admitted (k8s/gateway-route-judge.ts), as it takes a
 * parent the input lacks as accepting it; this says which conclusions rest on that, so that the
 * assumption never passes for the Gateway's verdict.
 */
import type { GatewayApi, GatewayRoute } from "../../k8s/gateway-api.js";
import { listenerLabel } from "../../k8s/gateway-conflicts.js";
import type { FieldPath } from "../../k8s/types.js";

export interface AssumedAdmission {
  route: GatewayRoute;
  path: FieldPath;
  message: string;
}

/** One per parent that admits a route only by that assumption on some listener, at the parentRef (or useDefaultGateways) that asks for it. */
export function assumedNamespaceLabels(model: GatewayApi): AssumedAdmission[] {
  return model.routes.flatMap((route) =>
    route.attachments.flatMap((attachment) => {
      const { parent, assumedAdmission: assumed } = attachment;
      if (!parent || !assumed) return [];
      const listeners = assumed.map((l) => listenerLabel(parent.listeners[l] as Record<string, unknown>, l)).join(", ");
      const path: FieldPath = attachment.parentRef === undefined ? ["spec", "useDefaultGateways"] : ["spec", "parentRefs", attachment.parentRef];
      const message =
        `${route.kind} ${route.namespace}/${route.name} is in namespace ${route.namespace}, which the input does not hold: whether ${listeners} of ${parent.kind} ${parent.namespace}/${parent.name} admit${assumed.length === 1 ? "s" : ""} it turns on labels of that namespace ` +
        `the input does not show, so Palisade assumes the selector matches and the route is accepted; scan the Namespace with the route to have it judged`;
      return [{ route, path, message }];
    }),
  );
}
