/**
 * An object the input defines more than once is one object to the API server: applied in
 * order, the later definition replaces the earlier (posture/last-copies.ts). explain, matrix,
 * compile and diff answer for the last copy, as `kubectl apply -f` leaves it, and say so
 * where the copies differ, of the kinds the network model reads.
 */
import { apiGroupOf, type Snapshot } from "../k8s/snapshot.js";
import type { K8sObject } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";
import { isCalicoObject } from "../network/calico/tiers.js";
import { isPolicyObject } from "../network/policy-set.js";
import { lastCopies } from "../posture/last-copies.js";
import { differingDefinitions } from "../posture/duplicates.js";
import { formatPosition } from "../errors.js";
import { printable } from "../report/printable.js";

/** Workloads, Namespaces, policies (Kubernetes, network policy API, Calico) and Services with their slices. */
function readByNetworkModel(object: K8sObject): boolean {
  if (podTemplate(object) !== undefined || isPolicyObject(object) || isCalicoObject(object)) return true;
  const group = apiGroupOf(object.apiVersion);
  return (group === "" && (object.kind === "Namespace" || object.kind === "Service")) || (group === "discovery.k8s.io" && object.kind === "EndpointSlice");
}

/** The snapshot with only the last copy of each object; a warning on stderr for each the copies of which differ. */
export function keepLastCopies(snapshot: Snapshot): Snapshot {
  const copies = lastCopies(snapshot.objects);
  if (copies.earlier.size === 0) return snapshot;
  for (const { all, description } of differingDefinitions(copies, readByNetworkModel)) {
    const at = all[0]?.source.position;
    const where = at ? `${formatPosition(at)}: ` : "";
    process.stderr.write(printable(`warning: ${where}${description}: the answer below reads the last definition, as kubectl apply -f leaves it`) + "\n");
  }
  return { ...snapshot, objects: copies.objects };
}
