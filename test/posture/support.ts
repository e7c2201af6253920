/** Posture of manifests given as text, as `palisade posture` computes it. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSnapshot } from "../../src/k8s/load.js";
import { buildPosture, type PostureMeta } from "../../src/posture/build.js";
import type { PostureReport, WorkloadPosture } from "../../src/posture/types.js";
import { runScan } from "../../src/scan/run.js";

/** `dir`: where to write the input (a new temporary directory by default), for reports compared position by position. */
export async function postureOf(yaml: string, options: Partial<PostureMeta> = {}, dir = mkdtempSync(join(tmpdir(), "palisade-posture-"))): Promise<PostureReport> {
  const file = join(dir, "input.yaml");
  writeFileSync(file, yaml);
  const snapshot = await loadSnapshot({ paths: [file] });
  const now = new Date("2026-11-30T00:00:00Z");
  const scan = runScan(snapshot, { now, defaultLevel: "restricted" });
  return buildPosture(snapshot, scan, { source: file, now, tool: { name: "palisade", version: "test" }, ...options });
}

export function workload(report: PostureReport, name: string): WorkloadPosture {
  const found = report.workloads.find((w) => w.ref.name === name);
  if (!found) throw new Error(`no workload ${name} in ${report.workloads.map((w) => w.ref.name).join(", ")}`);
  return found;
}

export function ruleIds(w: WorkloadPosture): string[] {
  return Object.values(w.pillars).flatMap((p) => p.deductions.map((d) => d.ruleId));
}

/** A pod that passes Pod Security restricted, in `namespace`, with extra pod-spec YAML indented under spec. */
export function deployment(name: string, namespace: string, spec = "", labels = `app: ${name}`): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {${labels}}}
  template:
    metadata: {labels: {${labels}}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: app
          image: registry.example.com/app@sha256:${"a".repeat(64)}
          resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 32Mi}}
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
${spec}
---
`;
}

/** Service web in namespace shop, in front of Deployment web: what a route publishes. */
const WEB_SERVICE = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
`;

/** Why posture counts Deployment shop/web as published outside the cluster, given the routing `yaml` in front of its Service; undefined when it is not. */
export async function webPublishedReason(yaml: string): Promise<string | undefined> {
  const report = await postureOf(yaml + WEB_SERVICE + deployment("web", "shop"));
  return workload(report, "web").pillars.network.deductions.find((d) => d.ruleId === "posture/published-to-every-address")?.reason;
}
