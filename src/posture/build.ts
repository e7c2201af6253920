/**
 * The posture of a snapshot: the scan's findings attributed to the workloads they are
 * about, joined with what the snapshot says of each workload's identity, reach and data,
 * scored by pillar (scoring.ts). The judgement stays with the rule families and the
 * network and RBAC models; this module only links their results to workloads.
 */
import { buildEscalationGraph } from "../access/rbac/escalation.js";
import { rbacAuthorizerFor } from "../access/rbac/family.js";
import { SEVERITIES, severityRank, type Finding, type ObjectRef, type Severity } from "../findings/types.js";
import type { Snapshot } from "../k8s/snapshot.js";
import { formatFieldPath, isRecord, objectRef } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";
import { withCalico } from "../network/calico/tiers.js";
import type { CalicoVersion } from "../network/calico/version.js";
import { buildEndpoints } from "../network/endpoints.js";
import { computeMatrix } from "../network/matrix.js";
import { buildPolicySet } from "../network/policy-set.js";
import { compareFindings, type ScanResult } from "../scan/run.js";
import { apiServerAudiences } from "../access/authn/api-audiences.js";
import { dataDeductions, PLAINTEXT_SECRETS_RULES } from "./data.js";
import { networkDeductions, publications, type Publication } from "./exposure.js";
import { postureGraph } from "./graph.js";
import { reachSummary } from "./reach.js";
import { identityDeductions, serviceAccountsOf } from "./identity.js";
import { duplicateFact } from "./duplicates.js";
import { findingDeductions } from "./finding-deductions.js";
import { lastCopies } from "./last-copies.js";
import { withoutReplacedCopies } from "./replaced-findings.js";
import { gradeOf, scored } from "./scoring.js";
import { POSTURE_PILLARS, POSTURE_SCHEMA_VERSION, type Grade, type PodFieldLocator, type PostureReport, type PosturePillar, type WorkloadPosture, workloadName } from "./types.js";

/**
 * Rule prefixes that judge the control plane and its files: their findings are about the
 * cluster, even when the object they point at is a static pod (kube-apiserver's flags).
 */
const PLATFORM_RULES: ReadonlySet<string> = new Set(["apiserver", "authn", "controller-manager", "encryption", "etcd", "kubeconfig", "kubelet", "pki", "scheduler", "webhook"]);

function isPlatformRule(ruleId: string): boolean {
  return PLATFORM_RULES.has(ruleId.slice(0, ruleId.indexOf("/")));
}

export interface PostureMeta {
  source: string;
  now: Date;
  tool: { name: string; version: string };
  /** Report only this namespace's workloads and findings; every namespace still counts (who may reach them, who may use their accounts). */
  namespace?: string;
  /** The Calico release whose ordering of tied policies to follow (--calico-version); else the inputs' ClusterInformation, else the newest. */
  calicoVersion?: CalicoVersion;
}

/**
 * Workloads are namespaced: one without metadata.namespace is in `default`, as the API
 * server places it, so a finding about its ReplicaSet or Pod that names `default` is its.
 */
function refKey(ref: Pick<ObjectRef, "kind" | "name" | "namespace">): string {
  return `${ref.namespace ?? "default"}/${ref.kind}/${ref.name}`;
}

export function buildPosture(input: Snapshot, scan: ScanResult, meta: PostureMeta): PostureReport {
  // The cluster as kubectl apply -f leaves it: of an object defined twice, the last copy, for every kind read below.
  const copies = lastCopies(input.objects);
  const snapshot: Snapshot = { ...input, objects: copies.objects };
  const findings = withoutReplacedCopies(scan.findings, input.objects, copies);
  const { workloads } = buildEndpoints(snapshot);
  const pods = workloads.map((w) => w.endpoint);
  const templates = workloads.map((w) => podTemplate(w.source.object));
  const specs = templates.map((template) => (isRecord(template?.pod.spec) ? template.pod.spec : {}));

  // Which workload each object finding is about: the workload's own object, and what is folded into it (its ReplicaSets, Jobs and Pods) or made by it.
  const index = new Map<string, number>();
  workloads.forEach((w, i) => {
    const ref = objectRef(w.source.object);
    index.set(refKey(ref), i);
    for (const pod of w.podNames) index.set(refKey({ kind: "Pod", name: pod, namespace: ref.namespace }), i);
    for (const member of w.folded) index.set(refKey({ ...member, namespace: ref.namespace }), i);
  });
  const perWorkload: Finding[][] = workloads.map(() => []);
  const clusterFindings: Finding[] = [];
  for (const finding of findings) {
    const at = finding.object && !isPlatformRule(finding.ruleId) ? index.get(refKey(finding.object)) : undefined;
    if (at === undefined) clusterFindings.push(finding);
    else (perWorkload[at] as Finding[]).push(finding);
  }
  // The most severe first: what a reader of the cluster section should see at the top.
  clusterFindings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || compareFindings(a, b));
  const plaintextSecrets = findings.filter((f) => PLAINTEXT_SECRETS_RULES.has(f.ruleId));
  const encryption = plaintextSecrets.length > 0 || snapshot.objects.some((o) => o.object.kind === "EncryptionConfiguration") ? "judged" : "unknown";

  const sources = snapshot.objects.map((o) => ({ object: o.object, where: o }));
  const matrix = computeMatrix(withCalico(buildPolicySet(sources), sources, meta.calicoVersion ? { calicoVersion: meta.calicoVersion } : {}).tiers, pods);
  const reach = reachSummary(matrix);
  const published = publications(snapshot.objects, pods, specs);
  const authorizer = rbacAuthorizerFor(snapshot, { bootstrap: true });
  const audiences = apiServerAudiences(snapshot.objects);
  const identity = { authorizer, escalation: buildEscalationGraph(authorizer), serviceAccounts: serviceAccountsOf(snapshot.objects), ...(audiences ? { apiAudiences: audiences } : {}) };

  const exposed: boolean[] = [];
  const postures: WorkloadPosture[] = workloads.map((w, i) => {
    const pod = w.endpoint;
    const spec = specs[i] as Record<string, unknown>;
    const locate: PodFieldLocator = (podPath) => {
      const path = [...(templates[i]?.path ?? []), ...podPath];
      const position = w.source.source.locate(path);
      return position ? { position, fieldPath: formatFieldPath(path) } : { fieldPath: formatFieldPath(path) };
    };
    const who = identityDeductions(pod.namespace, pod.serviceAccount ?? "default", spec, identity, locate);
    const network = networkDeductions(matrix, reach, i, published[i] as Publication[], locate);
    const data = dataDeductions(spec, plaintextSecrets, locate, encryption);
    exposed.push(network.reachableFromOutside);
    const all = [...findingDeductions(perWorkload[i] as Finding[]), ...who.deductions, ...network.deductions, ...data.deductions];
    const pillars = Object.fromEntries(POSTURE_PILLARS.map((p) => [p, scored(all.filter((d) => d.pillar === p))])) as WorkloadPosture["pillars"];
    const score = Math.min(...POSTURE_PILLARS.map((p) => pillars[p].score));
    const [kind, ...name] = (pod.workload ?? `Pod/${pod.name}`).split("/");
    const posture: WorkloadPosture = {
      ref: { kind: kind as string, name: name.join("/"), namespace: pod.namespace },
      serviceAccount: pod.serviceAccount ?? "default",
      score,
      grade: gradeOf(score),
      pillars,
      facts: [...who.facts, ...network.facts, ...data.facts, ...optional(duplicateFact(w.source, copies))],
    };
    const at = w.source.source.position;
    if (at) posture.position = at;
    return posture;
  });

  // -n scopes everything reported, here and only here: the workloads, the findings beside them, the summary over those, and the graph.
  const only = meta.namespace;
  const graph = postureGraph(
    matrix,
    reach,
    postures.map((p) => workloadName(p.ref)),
    postures.map((p) => p.score),
    exposed,
    only,
  );
  const reported = only === undefined ? postures : postures.filter((p) => p.ref.namespace === only);
  const reportedFindings = only === undefined ? clusterFindings : clusterFindings.filter((f) => (f.object?.kind === "Namespace" ? f.object.name === only : f.object?.namespace === undefined || f.object.namespace === only));
  return {
    schemaVersion: POSTURE_SCHEMA_VERSION,
    tool: meta.tool,
    source: meta.source,
    generatedAt: meta.now.toISOString(),
    ...(only === undefined ? {} : { namespace: only }),
    summary: summarize(reported, reportedFindings),
    workloads: reported,
    clusterFindings: reportedFindings,
    graph,
  };
}

const optional = (fact: string | undefined): string[] => (fact === undefined ? [] : [fact]);

function summarize(postures: readonly WorkloadPosture[], clusterFindings: readonly Finding[]): PostureReport["summary"] {
  const grades: Record<Grade, number> = { A: 0, B: 0, C: 0, D: 0, F: 0 };
  const weakestPillar = Object.fromEntries(POSTURE_PILLARS.map((p) => [p, 0])) as Record<PosturePillar, number>;
  for (const p of postures) {
    grades[p.grade]++;
    if (p.score < 100) weakestPillar[POSTURE_PILLARS.find((pillar) => p.pillars[pillar].score === p.score) as PosturePillar]++;
  }
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of clusterFindings) bySeverity[f.severity]++;
  const mean = postures.length === 0 ? 100 : Math.round(postures.reduce((sum, p) => sum + p.score, 0) / postures.length);
  return { workloads: postures.length, meanScore: mean, grades, weakestPillar, clusterFindings: bySeverity };
}
