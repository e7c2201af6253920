/**
 * Properties of the posture over random small clusters (workloads, Services, policies and
 * RBAC bindings): every score is the arithmetic scoring.ts states, the summary counts what
 * the report holds, and the two passes over who may reach whom (the facts and the graph)
 * agree.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { POSTURE_FACTS } from "../../src/posture/facts.js";
import { gradeOf, pillarScore } from "../../src/posture/scoring.js";
import { FAMILIES } from "../../src/scan/families.js";
import { POSTURE_PILLARS, type PostureReport } from "../../src/posture/types.js";
import { NAMESPACES, networkPolicies, pods } from "../network/arbitraries.js";
import { postureOf } from "./support.js";

const workloadExtras = fc.record({
  serviceAccount: fc.constantFrom("default", "robot"),
  automount: fc.constantFrom(true, false, undefined),
  hostNetwork: fc.boolean(),
  secretEnv: fc.boolean(),
});
const services = fc.array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), type: fc.constantFrom("ClusterIP", "NodePort", "LoadBalancer"), app: fc.constantFrom("x", "y", "z") }), { maxLength: 3 });
const bindings = fc.array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), role: fc.constantFrom("view", "edit", "admin", "cluster-admin"), cluster: fc.boolean() }), { maxLength: 3 });

const cluster = fc.tuple(pods, fc.array(workloadExtras, { minLength: 7, maxLength: 7 }), services, networkPolicies, bindings).map(([endpoints, extras, svcs, policies, rbac]) => {
  const docs: unknown[] = [];
  endpoints.forEach((pod, i) => {
    const extra = extras[i]!;
    const spec: Record<string, unknown> = {
      serviceAccountName: extra.serviceAccount,
      containers: [{ name: "c", image: "nginx", ports: pod.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) })), ...(extra.secretEnv ? { env: [{ name: "P", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] } : {}) }],
    };
    if (extra.automount !== undefined) spec.automountServiceAccountToken = extra.automount;
    if (extra.hostNetwork) spec.hostNetwork = true;
    docs.push({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: pod.name, namespace: pod.namespace }, spec: { selector: { matchLabels: pod.labels }, template: { metadata: { labels: pod.labels }, spec } } });
  });
  svcs.forEach((s, i) => docs.push({ apiVersion: "v1", kind: "Service", metadata: { name: `s${i}`, namespace: s.namespace }, spec: { type: s.type, selector: { app: s.app }, ports: [{ port: 80 }] } }));
  for (const policy of policies) docs.push(policy);
  rbac.forEach((b, i) =>
    docs.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: b.cluster ? "ClusterRoleBinding" : "RoleBinding",
      metadata: b.cluster ? { name: `b${i}` } : { name: `b${i}`, namespace: b.namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: b.role },
      subjects: [{ kind: "ServiceAccount", name: "robot", namespace: b.namespace }],
    }),
  );
  // JSON is YAML: the real loader reads it, positions and all.
  const tokenless = new Set(endpoints.filter((_, i) => extras[i]!.automount === false).map((pod) => pod.name));
  return { yaml: docs.map((d) => JSON.stringify(d)).join("\n---\n"), tokenless };
});

const KNOWN_RULES = new Set([...FAMILIES.flatMap((f) => f.rules), ...POSTURE_FACTS].map((r) => r.id));

function checkReport(report: PostureReport, tokenless: ReadonlySet<string>): void {
  for (const w of report.workloads) {
    for (const pillar of POSTURE_PILLARS) {
      const { score, deductions } = w.pillars[pillar];
      expect(score).toBe(pillarScore(deductions));
      for (const d of deductions) expect(d.pillar).toBe(pillar);
      expect(deductions.map((d) => d.points)).toEqual([...deductions.map((d) => d.points)].sort((a, b) => b - a));
      // A rule costs once per workload.
      expect(new Set(deductions.map((d) => d.ruleId)).size).toBe(deductions.length);
    }
    expect(w.score).toBe(Math.min(...POSTURE_PILLARS.map((p) => w.pillars[p].score)));
    expect(w.grade).toBe(gradeOf(w.score));
    const ids = POSTURE_PILLARS.flatMap((p) => w.pillars[p].deductions.map((d) => d.ruleId));
    // Every deduction is a documented rule: a scan rule, or a posture fact (palisade rules 'posture/*').
    for (const id of ids) expect(KNOWN_RULES.has(id), id).toBe(true);
    // A pod that mounts no token is charged nothing for what its account may do.
    if (tokenless.has(w.ref.name)) expect(ids.filter((id) => id.startsWith("posture/token"))).toEqual([]);
    // The facts' count of who may reach it (reachSummary) and the graph's edges into it (podToPod) are two passes: they agree.
    const node = report.graph.nodes.find((n) => n.workload === `${w.ref.namespace}/${w.ref.kind}/${w.ref.name}`)!;
    const inbound = report.graph.edges.filter((e) => e.target === node.id && e.source !== "outside").length;
    expect(w.facts.some((f) => f.startsWith(`reachable from ${inbound} of the other ${report.workloads.length - 1} workloads`))).toBe(true);
    // Published to every address: then the outside world is linked to it.
    if (ids.includes("posture/published-to-every-address")) expect(report.graph.edges.some((e) => e.source === "outside" && e.target === node.id)).toBe(true);
  }
  const s = report.summary;
  expect(s.workloads).toBe(report.workloads.length);
  expect(Object.values(s.grades).reduce((a, b) => a + b, 0)).toBe(report.workloads.length);
  expect(s.meanScore).toBe(Math.round(report.workloads.reduce((sum, w) => sum + w.score, 0) / report.workloads.length));
}

describe("posture properties", () => {
  it("scores are scoring.ts's arithmetic, the summary counts the report, and reach agrees with the graph", async () => {
    await fc.assert(
      fc.asyncProperty(cluster, async ({ yaml, tokenless }) => checkReport(await postureOf(yaml), tokenless)),
      { numRuns: 40 },
    );
  }, 120_000);
});
