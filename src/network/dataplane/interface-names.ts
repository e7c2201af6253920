/**
 * The host-side name of a pod's veth as Calico's CNI plugin makes it: the prefix and the
 * first 11 hex digits of the SHA-1 of `namespace.pod`, so rules rendered from manifests
 * name the interfaces a Calico node really has. Linux allows 15 characters.
 */
import { createHash } from "node:crypto";

export const DEFAULT_INTERFACE_PREFIX = "cali";

export function calicoInterfaceName(namespace: string, pod: string, prefix = DEFAULT_INTERFACE_PREFIX): string {
  return `${prefix}${createHash("sha1").update(`${namespace}.${pod}`).digest("hex").slice(0, 11)}`;
}
