/**
 * Which resource a single etcd value belongs to, for `encryption encrypt|decrypt`: the
 * provider list kube-apiserver uses is chosen by the resource, so a resource it never
 * looks up (a singular, a made-up group) or one that does not match the etcd key would
 * silently pick another list, often identity (plaintext).
 */
import { builtInResources, resolveResource } from "../access/rbac/resources.js";
import { didYouMean } from "../did-you-mean.js";
import type { EncryptionConfiguration } from "./config-types.js";
import { formatGroupResource, parseGroupResource, type GroupResource } from "./resources.js";
import { locateKey } from "./rotation-keys.js";

/**
 * The resource kube-apiserver stores under `key` (with the etcd prefix `prefix`), as the
 * encryption config names it (`configmaps`, `deployments.apps`, `widgets.example.com`),
 * or undefined when the key names no known resource prefix: not under the prefix, a core
 * name that is no built-in resource (`/registry/secret/...`), or apiserver bookkeeping.
 */
export function resourceOfEtcdKey(key: string, prefix = "/registry"): string | undefined {
  const location = locateKey(prefix, key);
  if (!location) return undefined;
  // A group from the key's location is known: a special prefix, a built-in group's
  // resource, or `<group>/<resource>/` of a custom resource. Core names must be built-in.
  if (location.group === "" && !isBuiltIn(location)) return undefined;
  return formatGroupResource(location);
}

/** Why kube-apiserver would never look `resource` up, or undefined when it might. */
export interface UnstoredResource {
  message: string;
  /** The resource most likely meant, in the spelling kube-apiserver looks up. */
  suggestion?: string;
}

/**
 * Is `resource` (already lower-case `resource[.group]`, no wildcard) one kube-apiserver
 * stores? A name the config's rules list explicitly is always accepted. Otherwise a core
 * name must be a built-in core resource's plural, and a group without a dot must be a
 * built-in group serving that resource (a custom resource's group always has a dot, so
 * `widgets.example.com` passes; `secrets.v1` and `deployment.apps` do not).
 */
export function checkStoredResource(resource: string, config: EncryptionConfiguration): UnstoredResource | undefined {
  const named = explicitlyNamed(config);
  if (named.includes(resource)) return undefined;
  const gr = parseGroupResource(resource);
  if (gr.group.includes(".")) return undefined;
  if (isBuiltIn(gr)) return undefined;
  const message = "not a resource kube-apiserver stores";
  const suggestion = suggest(gr, named);
  return suggestion === undefined ? { message } : { message, suggestion };
}

function isBuiltIn(gr: GroupResource): boolean {
  return builtInResources().some((known) => known.group === gr.group && known.resource === gr.resource);
}

/** Resource names (not wildcards) the config's rules list. */
function explicitlyNamed(config: EncryptionConfiguration): string[] {
  return config.resources.flatMap((rule) => rule.resources).filter((name) => !name.includes("*"));
}

function suggest(gr: GroupResource, named: readonly string[]): string | undefined {
  // A singular, a short name or a plural in the wrong group: the table knows which it is.
  const resolved = resolveResource(gr.resource);
  if (resolved.namespaced !== undefined) return formatGroupResource(resolved);
  const candidates = [...builtInResources().map((known) => formatGroupResource(known)), ...named];
  return didYouMean(formatGroupResource(gr), candidates);
}
