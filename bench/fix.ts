/**
 * bench:fix — `palisade fix` and PSP admission on synthetic manifests.
 *
 * Floors (same run, same data):
 *  - fix: parsing the same multi-document YAML with the `yaml` Document API and printing
 *    every document back (what any formatting-preserving rewriter must at least do);
 *  - psp admit: deep-copying each pod twice (admission works on a copy per policy tried),
 *    the least a defaulting admission controller pays per pod and policy.
 *
 * Usage: npm run build && node dist/bench/fix.js   (writes bench/results/fix.md)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parseAllDocuments } from "yaml";
import { fixManifestText } from "../src/fix/fix-text.js";
import { LATEST } from "../src/podsecurity/levels.js";
import { admitPod } from "../src/psp/admit.js";
import type { PodJson } from "../src/psp/pod.js";
import { readPodSecurityPolicy } from "../src/psp/policy.js";

function time(fn: () => void, minMs = 400): number {
  for (let i = 0; i < 3; i++) fn();
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    runs++;
  }
  return (performance.now() - start) / runs;
}

function deployment(i: number): string {
  return `# service ${i}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-${i}   # owned by team-${i % 7}
  labels: {app: svc-${i}}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: app
        image: "registry.example.com/svc-${i}:1.${i}"
        ports:
        - containerPort: 8080
        securityContext:
          capabilities:
            add: [NET_ADMIN]
      - name: sidecar
        image: registry.example.com/proxy:2
`;
}

const DOCS = 300;
const text = Array.from({ length: DOCS }, (_, i) => deployment(i)).join("---\n");
const floorFix = time(() => {
  for (const d of parseAllDocuments(text)) d.toString();
});
const fix = time(() => fixManifestText(text, { level: "restricted", version: LATEST }));

const policies = ["restricted", "baseline", "privileged"].map((name, i) =>
  readPodSecurityPolicy({
    apiVersion: "policy/v1beta1",
    kind: "PodSecurityPolicy",
    metadata: { name },
    spec: {
      privileged: i === 2,
      hostNetwork: i === 2,
      allowPrivilegeEscalation: i !== 0,
      requiredDropCapabilities: i === 0 ? ["ALL"] : [],
      runAsUser: { rule: i === 0 ? "MustRunAsNonRoot" : "RunAsAny" },
      seLinux: { rule: "RunAsAny" },
      supplementalGroups: { rule: i === 0 ? "MustRunAs" : "RunAsAny", ranges: [{ min: 1, max: 65535 }] },
      fsGroup: { rule: i === 0 ? "MustRunAs" : "RunAsAny", ranges: [{ min: 1, max: 65535 }] },
      volumes: i === 2 ? ["*"] : ["configMap", "secret", "emptyDir"],
    },
  }).policy,
);
const pods: PodJson[] = Array.from({ length: 2000 }, (_, i) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `p${i}`, namespace: "ns" },
  spec: {
    hostNetwork: i % 10 === 0,
    containers: [{ name: "a", image: "x", securityContext: i % 3 === 0 ? { privileged: i % 9 === 0 } : {} }, { name: "b", image: "y" }],
    volumes: [{ name: "v", emptyDir: {} }],
  },
}));
const floorAdmit = time(() => {
  for (const p of pods) {
    structuredClone(p);
    structuredClone(p);
  }
});
const admit = time(() => {
  for (const p of pods) admitPod(policies, { pod: p });
});

const load = loadavg()[0]?.toFixed(1) ?? "?";
const report = `# bench:fix

Command: \`npm run build && node dist/bench/fix.js\` (2-core machine shared with other builds; 1-minute load average at the end of the run: ${load}).

| what | data | time | floor (same run) | ratio |
| --- | --- | --- | --- | --- |
| \`palisade fix --level restricted\` (plan, splice each edit into the text and read it again, verify with evaluatePod) | ${DOCS} Deployments, one file | ${fix.toFixed(1)} ms | parse + print every document with the yaml Document API: ${floorFix.toFixed(1)} ms | ${(fix / floorFix).toFixed(1)}x |
| PSP admission (3 policies, name order, defaulting + validation) | ${pods.length} pods | ${admit.toFixed(1)} ms | two structuredClone per pod: ${floorAdmit.toFixed(1)} ms | ${(admit / floorAdmit).toFixed(1)}x |
`;
const out = resolve(dirname(fileURLToPath(import.meta.url)), "../../bench/results/fix.md");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
process.stdout.write(report);
