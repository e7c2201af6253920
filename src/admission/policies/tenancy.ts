/**
 * Tenant isolation at admission: pods in a tenant's namespace get the tenant's toleration and
 * node selector (mutate), and no pod may tolerate or select another tenant's nodes (validate).
 * The rules themselves are src/tenancy/tenants.ts. An update is refused only for placement
 * it changes: a pod or template placed before the policy (or before its namespace joined a
 * tenant) can still be scaled, relabelled and finalized.
 */
import type { JsonPatchOperation } from "../../findings/types.js";
import { formatFieldPath, isRecord } from "../../k8s/types.js";
import { placementViolations, tenantOfNamespace, tenantPlacementPatch, type TenancyModel, type TenancyViolation } from "../../tenancy/tenants.js";
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

function bump(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/**
 * What a violation is about, independent of where it sits in the list: a toleration that
 * moved from index 2 to 0 is the same toleration (the message numbers it, the key does not).
 */
function violationKey(v: TenancyViolation, spec: Record<string, unknown>): string {
  let value: unknown = v.path.length === 0 ? undefined : spec;
  for (const part of v.path) value = isRecord(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[part] : undefined;
  return `${v.rule}\u0000${v.message.replace(/^toleration \d+ /, "toleration ")}\u0000${JSON.stringify(value ?? null)}`;
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
      const old = context.request.operation === "UPDATE" ? podSpecOf(context.request.oldObject) : undefined;
      const known = new Map<string, number>();
      if (old) for (const v of placementViolations(model, tenant, old.spec, nodeLabels)) bump(known, violationKey(v, old.spec), 1);
      for (const v of placementViolations(model, tenant, location.spec, nodeLabels)) {
        const key = violationKey(v, location.spec);
        if ((known.get(key) ?? 0) > 0) {
          bump(known, key, -1);
          continue;
        }
        const where = v.path.length > 0 ? ` (${formatFieldPath(v.path)})` : "";
        verdict.deny.push({ policy: TENANCY_POLICY, rule: v.rule, message: `${v.message}${where}` });
      }
      return verdict;
    },
  };
}
