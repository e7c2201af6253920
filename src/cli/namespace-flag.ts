/**
 * `-n NAME` for commands that read every namespace and report one: a name the input never
 * mentions is a slip (`-n shpo`), and reporting nothing for it would pass any CI gate.
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

/** A UserError (exit 2) when `namespace` is none of the input's, naming the likeliest one meant. */
export function requireKnownNamespace(namespace: string, objects: readonly LoadedObject[]): void {
  const known = namespacesIn(objects);
  if (known.has(namespace)) return;
  const candidates = [...known].sort();
  const guess = didYouMean(namespace, candidates);
  const listed = candidates.length === 0 ? "it names none" : candidates.length > 10 ? `it names ${candidates.length}, among them ${candidates.slice(0, 10).join(", ")}` : `it names ${candidates.join(", ")}`;
  throw new UserError(`-n ${namespace}: no object of the input is in that namespace (${listed})`, {
    hint: guess !== undefined ? `did you mean -n ${guess}?` : "check the name, or leave -n out to report every namespace",
  });
}
