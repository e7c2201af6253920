/**
 * Tenant isolation at admission: pods in a tenant's namespace get the tenant's toleration and
 * node selector (mutate), and no pod may tolerate or select another tenant's nodes (validate).
 * The rules themselves are src/tenancy/tenants.ts.
 */
import type { JsonPatchOperation } from "../../findings/types.js";
import { formatFieldPath } from "../../k8s/types.js";
import { placementViolations, tenantOfNamespace, tenantPlacementPatch, type TenancyModel } from "../../tenancy/tenants.js";
import { emptyVerdict, type AdmissionContext, type AdmissionPolicy, type PolicyMode, type PolicyVerdict } from "../policy.js";
import { podSpecOf } from "../pod-specs.js";
import type { AdmissionRequest } from "../review.js";

export const TENANCY_POLICY = "tenancy";

function appliesTo(request: AdmissionRequest): boolean {
  return (request.operation === "CREATE" || request.operation === "UPDATE") && (request.subResource === "" || request.subResource === "ephemeralcontainers");
}

function applies(context: AdmissionContext): boolean {
  return appliesTo(context.request);
}

export function tenancyPolicy(model: TenancyModel, mode: PolicyMode): AdmissionPolicy {
  return {
    name: TENANCY_POLICY,
    mode,
    appliesTo,
    mutate(context): JsonPatchOperation[] {
      if (!applies(context) || context.request.operation !== "CREATE") return [];
      const location = podSpecOf(context.request.object);
      if (!location) return [];
      const tenant = tenantOfNamespace(model, context.cluster.namespaceLabels(context.request.namespace));
      if (tenant === undefined || tenant === "unknown") return [];
      return tenantPlacementPatch(tenant, location.spec, location.pointer);
    },
    validate(context): PolicyVerdict {
      const verdict = emptyVerdict();
      if (!applies(context)) return verdict;
      const location = podSpecOf(context.request.object);
      if (!location) return verdict;
      const tenant = tenantOfNamespace(model, context.cluster.namespaceLabels(context.request.namespace));
      const nodeLabels = (name: string) => context.cluster.node(name)?.metadata?.labels;
      for (const v of placementViolations(model, tenant, location.spec, nodeLabels)) {
        const where = v.path.length > 0 ? ` (${formatFieldPath(v.path)})` : "";
        verdict.deny.push({ policy: TENANCY_POLICY, rule: v.rule, message: `${v.message}${where}` });
      }
      return verdict;
    },
  };
}
