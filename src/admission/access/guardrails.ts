/**
 * Explicit denials RBAC cannot express (RBAC only adds permissions): no Secret reads across
 * tenants, no exec/attach into namespaces marked production. Both read namespace labels
 * from the webhook's view of the cluster.
 *
 * A SubjectAccessReview may ask about more than one concrete request (authorization/v1
 * types): "*" as verb, group or resource means all of them, and namespace "" of a namespaced
 * resource means every namespace. A guardrail denies such a review when any request it covers
 * would be denied, so that `kubectl auth can-i '*' secrets -n other-tenant` is not answered
 * "yes" by RBAC while each concrete read is refused.
 */
import type { Labels } from "../../k8s/labels.js";
import type { Guardrail, SubjectAccessRequest } from "./subject-access-review.js";

const SA_PREFIX = "system:serviceaccount:";
const READ_VERBS = ["get", "list", "watch"];
const EXEC_SUBRESOURCES = new Set(["exec", "attach"]);
// exec/attach are authorized as `create`, and as `get` for websocket clients.
const EXEC_VERBS = ["create", "get"];

/** Whether a review's verb, group or resource covers `target` ("*" means all). Subresource has no wildcard in the API. */
function covers(requested: string, target: string): boolean {
  return requested === "*" || requested === target;
}

/** The namespaces a namespaced request reaches: "" is every namespace the webhook knows. */
function reachedNamespaces(namespace: string, known: () => readonly string[]): readonly string[] {
  return namespace === "" ? known() : [namespace];
}

export interface TenantGuardrailOptions {
  /** Namespace label naming the tenant. */
  tenantLabel: string;
  /** Users in group `<prefix><tenant>` belong to that tenant (service accounts: their namespace's tenant). */
  tenantGroupPrefix: string;
  namespaceLabels(name: string): Labels | undefined;
  /** Namespaces known to the webhook, for cluster-wide lists. */
  namespaces(): readonly string[];
}

/** The tenants a requester acts for: their tenant groups, or their service account namespace's tenant. */
export function requesterTenants(request: SubjectAccessRequest, options: TenantGuardrailOptions): Set<string> {
  const tenants = new Set<string>();
  for (const group of request.groups) if (group.startsWith(options.tenantGroupPrefix)) tenants.add(group.slice(options.tenantGroupPrefix.length));
  if (request.user.startsWith(SA_PREFIX)) {
    const namespace = request.user.slice(SA_PREFIX.length).split(":")[0] ?? "";
    const tenant = options.namespaceLabels(namespace)?.[options.tenantLabel];
    if (tenant) tenants.add(tenant);
  }
  return tenants;
}

export function crossTenantSecretsGuardrail(options: TenantGuardrailOptions): Guardrail {
  return {
    id: "no-cross-tenant-secret-read",
    check(request) {
      const ra = request.resource;
      if (!ra || !covers(ra.group, "") || !covers(ra.resource, "secrets") || !READ_VERBS.some((verb) => covers(ra.verb, verb))) return undefined;
      const mine = requesterTenants(request, options);
      if (mine.size === 0) return undefined;
      for (const namespace of reachedNamespaces(ra.namespace, options.namespaces)) {
        const owner = options.namespaceLabels(namespace)?.[options.tenantLabel];
        if (owner && !mine.has(owner)) {
          return ra.namespace === ""
            ? `${ra.verb} secrets across all namespaces would read tenant ${JSON.stringify(owner)}'s secrets (namespace ${namespace})`
            : `namespace ${namespace} belongs to tenant ${JSON.stringify(owner)}, not ${[...mine].map((t) => JSON.stringify(t)).join(", ")}`;
        }
      }
      return undefined;
    },
  };
}

export function productionExecGuardrail(
  label: { key: string; value: string },
  namespaceLabels: (name: string) => Labels | undefined,
  /** Namespaces known to the webhook, for reviews of every namespace (namespace ""). */
  namespaces: () => readonly string[],
): Guardrail {
  return {
    id: "no-exec-in-production",
    check(request) {
      const ra = request.resource;
      if (!ra || !covers(ra.group, "") || !covers(ra.resource, "pods") || !EXEC_SUBRESOURCES.has(ra.subresource)) return undefined;
      if (!EXEC_VERBS.some((verb) => covers(ra.verb, verb))) return undefined;
      const production = reachedNamespaces(ra.namespace, namespaces).find((namespace) => namespaceLabels(namespace)?.[label.key] === label.value);
      if (production === undefined) return undefined;
      return ra.namespace === ""
        ? `pods/${ra.subresource} across all namespaces would reach namespace ${production} (labelled ${label.key}=${label.value}), where it is not allowed`
        : `pods/${ra.subresource} into namespace ${ra.namespace} (labelled ${label.key}=${label.value}) is not allowed`;
    },
  };
}
