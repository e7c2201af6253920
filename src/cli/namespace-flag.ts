/**
 * `-n NAME` for commands that read every namespace and report one: a name the input does
 * not have is a slip (`-n shpo`), and reporting nothing for it would pass any CI gate.
 */
import { isNamespaced } from "../access/quota/namespaces.js";
import { didYouMean } from "../did-you-mean.js";
import { UserError } from "../errors.js";
import { namespaceObjectsOf } from "../k8s/snapshot.js";
import type { LoadedObject } from "../k8s/types.js";
import { printable } from "../report/printable.js";

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
  // Names from the input: a newline in one must not start a line of the hint (see printable.ts).
  const names = [...known.keys()].sort();
  const near = didYouMean(namespace, names);
  const shown = names.map(printable);
  const listed = shown.length === 0 ? "none" : shown.length <= 20 ? shown.join(", ") : `${shown.slice(0, 20).join(", ")} and ${shown.length - 20} more`;
  throw new UserError(`-n ${namespace}: the input has no namespace of that name`, { hint: `${near !== undefined ? `did you mean ${JSON.stringify(near)}? ` : ""}namespaces in the input: ${listed}` });
}

/**
 * Objects as `kubectl apply -n NAME` sends them: a namespaced object that names no namespace
 * (or an empty one) is in NAME; cluster-scoped ones and those naming another stay as they are
 * (kubectl refuses the latter: manifest/namespace-mismatch says so). Every rule family then
 * judges the object where it would live, not in `default`.
 */
export function placeInNamespace(objects: readonly LoadedObject[], namespace: string): void {
  for (const { object } of objects) {
    const metadata = object.metadata;
    if (metadata !== undefined && (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))) continue;
    if (metadata?.namespace !== undefined && metadata.namespace !== "") continue;
    if (!isNamespaced(object)) continue;
    // In place: a loaded object's tree is the one its source positions were read for.
    if (metadata === undefined) object.metadata = { namespace };
    else metadata.namespace = namespace;
  }
}
