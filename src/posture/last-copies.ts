/**
 * The objects as `kubectl apply -f` leaves them: applied in order, a later definition of
 * an object replaces the earlier one, so of an object the input defines more than once
 * the cluster runs the last copy. The RBAC model reads roles and bindings the same way
 * (access/rbac/policy.ts); the posture reads every kind so, so that a workload, its
 * Namespace, the policies around it and its ServiceAccount are all the copies the cluster
 * keeps.
 */
import { isNamespaced } from "../access/quota/namespaces.js";
import { apiGroupOf } from "../k8s/snapshot.js";
import type { K8sObject, LoadedObject } from "../k8s/types.js";

export interface LastCopies {
  /** The input without the copies a later one replaces, in input order. */
  objects: LoadedObject[];
  /** Each last copy of an object defined more than once, with the copies it replaces, in input order. */
  earlier: Map<LoadedObject, LoadedObject[]>;
}

/**
 * What makes two definitions one object in the API server: group (not version: apps/v1
 * and apps/v1beta2 are one Deployment), kind, namespace and name. A namespaced object
 * without a namespace lands in `default`, as the posture places it. undefined for an
 * object without a name: a generateName object gets a name of its own at each create.
 */
export function objectIdentity(object: K8sObject): string | undefined {
  const name = object.metadata?.name;
  if (typeof name !== "string" || name === "") return undefined;
  const namespace = isNamespaced(object) ? object.metadata?.namespace || "default" : "";
  return `${apiGroupOf(object.apiVersion)}/${object.kind ?? ""}/${namespace}/${name}`;
}

export function lastCopies(objects: readonly LoadedObject[]): LastCopies {
  const copies = new Map<string, LoadedObject[]>();
  for (const loaded of objects) {
    const identity = objectIdentity(loaded.object);
    if (identity === undefined) continue;
    const list = copies.get(identity);
    if (list) list.push(loaded);
    else copies.set(identity, [loaded]);
  }
  const earlier = new Map<LoadedObject, LoadedObject[]>();
  const replaced = new Set<LoadedObject>();
  for (const list of copies.values()) {
    if (list.length < 2) continue;
    const before = list.slice(0, -1);
    earlier.set(list[list.length - 1] as LoadedObject, before);
    for (const copy of before) replaced.add(copy);
  }
  return { objects: objects.filter((o) => !replaced.has(o)), earlier };
}
