/**
 * The webhook pods use priorityClassName system-cluster-critical outside kube-system. Where
 * the ResourceQuota admission plugin limits that priority (limitedResources with matchScopes
 * PriorityClass In [system-node-critical, system-cluster-critical], as GKE configures it), a
 * pod is admitted only when a ResourceQuota of its namespace has a PriorityClass scope
 * selector matching it (upstream CheckRequest + the pod evaluator's UncoveredQuotaScopes),
 * and then only within every matching quota's hard limits. This replays those rules against
 * the printed manifests for the pods a rollout holds at once.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { palisade } from "../support/cli-in-process.js";
import { findObject, type Obj } from "./support.js";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

interface ScopeRequirement {
  scopeName: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** The limitedResources GKE and the upstream docs ("Limit Priority Class consumption by default") configure. */
const LIMITED_SCOPES: ScopeRequirement[] = [{ scopeName: "PriorityClass", operator: "In", values: ["system-node-critical", "system-cluster-critical"] }];

/** podMatchesScopeFunc for the PriorityClass scope: a label selector over {PriorityClass: <name>}. */
function podMatchesScope(priorityClassName: string | undefined, requirement: ScopeRequirement): boolean {
  if (requirement.scopeName !== "PriorityClass") return false;
  const has = priorityClassName !== undefined && priorityClassName !== "";
  switch (requirement.operator) {
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "In":
      return has && (requirement.values ?? []).includes(priorityClassName);
    case "NotIn":
      return !has || !(requirement.values ?? []).includes(priorityClassName);
  }
}

const quotaScopes = (quota: Obj): ScopeRequirement[] => [...((quota.spec.scopes as string[] | undefined) ?? []).map((scopeName) => ({ scopeName, operator: "Exists" as const })), ...((quota.spec.scopeSelector?.matchExpressions as ScopeRequirement[] | undefined) ?? [])];

/** Would the quota admission plugin admit one more pod, given the pods already charged? */
function admits(quotas: Obj[], priorityClassName: string | undefined, charged: number): string | undefined {
  const limited = LIMITED_SCOPES.filter((scope) => podMatchesScope(priorityClassName, scope));
  const restricted = quotas.flatMap((quota) => quotaScopes(quota).filter((scope) => podMatchesScope(priorityClassName, scope)));
  const uncovered = limited.filter((scope) => !restricted.some((r) => r.scopeName === scope.scopeName));
  if (uncovered.length > 0) return "insufficient quota to match these scopes";
  for (const quota of quotas) {
    if (!quotaScopes(quota).every((scope) => podMatchesScope(priorityClassName, scope))) continue;
    if (Number(quota.spec.hard.pods) < charged + 1) return `exceeded quota: ${quota.metadata.name}`;
  }
  return undefined;
}

async function install(replicas: number): Promise<Obj[]> {
  const result = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", "--replicas", String(replicas)]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { items: Obj[] }).items;
}

describe("palisade install where critical priority is limited", () => {
  it("ships a quota whose PriorityClass scope covers the webhook pods, sized for a rollout with old pods still terminating", async () => {
    for (const replicas of [2, 3, 5]) {
      const objects = await install(replicas);
      const namespace = findObject(objects, "Namespace").metadata.name;
      const deployment = findObject(objects, "Deployment");
      const spec = deployment.spec.template.spec;
      expect(spec.priorityClassName).toBe("system-cluster-critical");
      const quotas = objects.filter((o) => o.kind === "ResourceQuota");
      expect(quotas.every((q) => q.metadata.namespace === namespace)).toBe(true);

      // During a rollout: replicas + maxSurge running, and the old replicas terminating (charged until their grace period ends).
      const surge = deployment.spec.strategy.rollingUpdate.maxSurge as number;
      const atOnce = replicas + surge + replicas;
      for (let charged = 0; charged < atOnce; charged++) expect(admits(quotas, spec.priorityClassName, charged), `pod ${charged + 1} of ${atOnce}`).toBeUndefined();
      // And no more: the namespace cannot become a home for other critical pods.
      expect(admits(quotas, spec.priorityClassName, atOnce)).toMatch(/^exceeded quota/);
      // Without the scoped quota the same pod is refused outright.
      expect(admits(quotas.filter((q) => !q.spec.scopeSelector), spec.priorityClassName, 0)).toBe("insufficient quota to match these scopes");
    }
  });

  it("keeps every container within the quotas' compute limits, which require requests and limits to be set", async () => {
    const objects = await install(2);
    const quota = findObject(objects, "ResourceQuota", "palisade");
    const resources = findObject(objects, "Deployment").spec.template.spec.containers.map((c: { resources: { requests: Record<string, string>; limits: Record<string, string> } }) => c.resources);
    const quantity = (text: string) => (text.endsWith("m") ? Number(text.slice(0, -1)) / 1000 : text.endsWith("Mi") ? Number(text.slice(0, -2)) : Number(text));
    const pods = Number(quota.spec.hard.pods);
    for (const [field, hard] of Object.entries(quota.spec.hard as Record<string, string>)) {
      if (field === "pods") continue;
      const [kind, resource] = field.split(".") as ["requests" | "limits", string];
      const perPod = resources.reduce((sum: number, r: { requests: Record<string, string>; limits: Record<string, string> }) => sum + quantity(r[kind][resource]!), 0);
      expect(perPod * pods, field).toBeLessThanOrEqual(quantity(hard));
    }
  });
});
