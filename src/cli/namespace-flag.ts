/**
 * `-n NAME` for commands that read every namespace and report one: a name the input does
 * not have is a slip (`-n shpo`), and reporting nothing for it would pass any CI gate.
 */
import { didYouMean } from "../did-you-mean.js";
import { UserError } from "../errors.js";
import { namespaceObjectsOf } from "../k8s/snapshot.js";
import type { LoadedObject } from "../k8s/types.js";

/** Every namespace the input names: its Namespace objects and the namespaces of its objects. */
export function namespacesIn(objects: readonly LoadedObject[]): Set<string> {
  const names = new Set(namespaceObjectsOf(objects).keys());
  for (const { object } of objects) {
    const namespace = object.metadata?.namespace;
    if (typeof namespace === "string" && namespace !== "") names.add(namespace);
  }
  return names;
}

/** A UserError (exit 2) when `namespace` is none of `known`, naming the likeliest one meant and those there are. */
export function requireKnownNamespace(namespace: string, known: ReadonlySet<string> | ReadonlyMap<string, unknown>): void {
  if (known.has(namespace)) return;
  const names = [...known.keys()].sort();
  const near = didYouMean(namespace, names);
  const listed = names.length === 0 ? "none" : names.length <= 20 ? names.join(", ") : `${names.slice(0, 20).join(", ")} and ${names.length - 20} more`;
  throw new UserError(`-n ${namespace}: the input has no namespace of that name`, { hint: `${near !== undefined ? `did you mean ${JSON.stringify(near)}? ` : ""}namespaces in the input: ${listed}` });
}
