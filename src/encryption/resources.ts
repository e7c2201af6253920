/**
 * Resource strings of an EncryptionConfiguration, parsed as apimachinery's
 * ParseGroupResource: split at the FIRST dot, so `secrets` is core, `*.` is every core
 * resource, `*.apps` every resource of apps and `*.*` everything (CRDs added later too).
 */
export interface GroupResource {
  group: string;
  resource: string;
}

export function parseGroupResource(text: string): GroupResource {
  const dot = text.indexOf(".");
  return dot < 0 ? { group: "", resource: text } : { group: text.slice(dot + 1), resource: text.slice(0, dot) };
}

/** How upstream prints a group-resource in errors: `secrets`, `*.`, `deployments.apps`. */
export function formatGroupResource(gr: GroupResource): string {
  if (gr.group === "" && gr.resource !== "*") return gr.resource;
  return `${gr.resource}.${gr.group}`;
}

export function groupResourceKey(gr: GroupResource): string {
  return `${gr.resource}\u0000${gr.group}`;
}

export const ANY_GROUP_ANY_RESOURCE: GroupResource = { group: "*", resource: "*" };

/**
 * The rule keys a resource is looked up under, in upstream order: exact `resource.group`,
 * then `*.group`, then `*.*`. Nothing matching means the identity reader.
 */
export function lookupOrder(gr: GroupResource): GroupResource[] {
  return [gr, { group: gr.group, resource: "*" }, ANY_GROUP_ANY_RESOURCE];
}
