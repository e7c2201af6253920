/**
 * Explicit denials RBAC cannot express (RBAC only adds permissions): no Secret reads across
 * tenants, no exec/attach into namespaces marked production. Both read namespace labels
 * from the webhook's view of the cluster.
 */
import type { Labels } from "../../k8s/labels.js";
import type { Guardrail, SubjectAccessRequest } from "./subject-access-review.js";

const SA_PREFIX = "system:serviceaccount:";
const READ_VERBS = new Set(["get", "list", "watch"]);

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
      if (!ra || ra.group !== "" || ra.resource !== "secrets" || !READ_VERBS.has(ra.verb)) return undefined;
      const mine = requesterTenants(request, options);
      if (mine.size === 0) return undefined;
      const targets = ra.namespace === "" ? options.namespaces() : [ra.namespace];
      for (const namespace of targets) {
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

export function productionExecGuardrail(label: { key: string; value: string }, namespaceLabels: (name: string) => Labels | undefined): Guardrail {
  return {
    id: "no-exec-in-production",
    check(request) {
      const ra = request.resource;
      if (!ra || ra.group !== "" || ra.resource !== "pods" || (ra.subresource !== "exec" && ra.subresource !== "attach")) return undefined;
      // exec/attach are authorized as `create`, and as `get` for websocket clients.
      if (ra.verb !== "create" && ra.verb !== "get") return undefined;
      if (namespaceLabels(ra.namespace)?.[label.key] !== label.value) return undefined;
      return `pods/${ra.subresource} into namespace ${ra.namespace} (labelled ${label.key}=${label.value}) is not allowed`;
    },
  };
}
