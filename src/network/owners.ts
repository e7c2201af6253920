/**
 * Which workload an object belongs to, by its controller owner references: a Pod to its
 * ReplicaSet and that to its Deployment, a Pod to its Job and that to its CronJob, a Pod to
 * its StatefulSet or DaemonSet. An object stands for itself unless its controller is in the
 * input and makes pods from a template (`kubectl get all` lists every level of the chain:
 * counting each as a workload would list one application three times).
 */

export interface OwnedObject {
  namespace: string;
  kind: string;
  name: string;
  /** The controller owner reference, when there is one. */
  owner?: { kind: string; name: string } | undefined;
}

export function objectKey(namespace: string, kind: string, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

/**
 * The topmost object of `start`'s controller chain that `present` holds (`start` itself when
 * its controller is not there). Owners live in their dependant's namespace. In a cycle, which
 * the garbage collector would never leave behind, no member is the top: `start` stands for itself.
 */
export function controllingRoot<T extends OwnedObject>(start: T, present: ReadonlyMap<string, T>): T {
  let current = start;
  const seen = new Set<T>([start]);
  for (;;) {
    const owner = current.owner;
    const next = owner && present.get(objectKey(current.namespace, owner.kind, owner.name));
    if (!next) return current;
    if (seen.has(next)) return start;
    seen.add(next);
    current = next;
  }
}
