/**
 * bench:calico — the Calico engine on synthetic clusters: selector evaluation, compiling
 * v3 policies, and per-connection explain through tiers.
 *
 * Floors (same run, same data):
 *  - selectors: a hand-written JavaScript predicate equivalent to each selector, so the
 *    ratio is the cost of interpreting Calico's language over compiled-in code;
 *  - compile: parsing the same policies' YAML text (eemeli/yaml), the least any tool that
 *    reads manifests pays;
 *  - explain: matching every policy's selector against both endpoints of each connection,
 *    the least any engine must do to know which policies apply.
 *
 * Usage: npm run build && node dist/bench/calico.js   (writes bench/results/calico.md)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parseAllDocuments, stringify } from "yaml";
import type { K8sObject } from "../src/k8s/types.js";
import { evaluateConnection } from "../src/network/evaluate.js";
import type { PodEndpoint } from "../src/network/model.js";
import { workloadEndpointLabels } from "../src/network/calico/scope.js";
import { parseCalicoSelector } from "../src/network/calico/selector/index.js";
import { compileCalico } from "../src/network/calico/tiers.js";

function time(fn: () => void, minMs = 300): number {
  for (let i = 0; i < 5; i++) fn(); // warm up: let the JIT settle before measuring
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    fn();
    runs++;
    elapsed = performance.now() - start;
  }
  return elapsed / runs;
}

function pods(count: number, namespaces: number): PodEndpoint[] {
  const out: PodEndpoint[] = [];
  for (let i = 0; i < count; i++) {
    const ns = `ns${i % namespaces}`;
    const app = Math.floor(i / namespaces) % 20;
    out.push({
      kind: "pod",
      namespace: ns,
      name: `pod${i}`,
      labels: { app: `app${app}`, tier: ["web", "api", "db"][app % 3] as string },
      namespaceLabels: { "kubernetes.io/metadata.name": ns, team: `team${i % 7}` },
      serviceAccount: `sa${app % 5}`,
      ips: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    });
  }
  return out;
}

function policies(count: number, namespaces: number): K8sObject[] {
  const out: K8sObject[] = [
    { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } },
    { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkSet", metadata: { name: "feed", labels: { feed: "bad" } }, spec: { nets: ["198.51.100.0/24"] } },
    {
      apiVersion: "projectcalico.org/v3",
      kind: "GlobalNetworkPolicy",
      metadata: { name: "security.feed" },
      spec: { tier: "security", selector: "all()", types: ["Ingress"], ingress: [{ action: "Deny", source: { namespaceSelector: "global()", selector: "feed == 'bad'" } }, { action: "Pass" }] },
    },
  ];
  for (let i = 0; out.length < count; i++) {
    const app = i % 20;
    out.push({
      apiVersion: "projectcalico.org/v3",
      kind: "NetworkPolicy",
      metadata: { name: `p${i}`, namespace: `ns${i % namespaces}` },
      spec: {
        order: 100 + (i % 50),
        selector: `app == 'app${app}'`,
        types: ["Ingress", "Egress"],
        ingress: [
          { action: "Allow", protocol: "TCP", source: { selector: `tier in {'web', 'api'} && app != 'app${(app + 1) % 20}'` }, destination: { ports: ["http", "9000:9100"] } },
          { action: "Allow", protocol: "TCP", source: { namespaceSelector: `team == 'team${i % 7}'`, serviceAccounts: { names: ["sa1", "sa2"] } } },
          { action: "Deny", source: { nets: ["192.0.2.0/24"] } },
        ],
        egress: [{ action: "Allow", protocol: "UDP", destination: { ports: [53] } }, { action: "Allow", destination: { selector: "has(tier)" } }],
      },
    });
  }
  return out;
}

const SELECTORS: Array<[string, (l: Record<string, string>) => boolean]> = [
  [`app == "app3"`, (l) => l.app === "app3"],
  [`tier in {"web", "api"} && app != "app4"`, (l) => (l.tier === "web" || l.tier === "api") && l.app !== "app4"],
  [`(has(tier) && !has(quarantine)) || app starts with "app1"`, (l) => ("tier" in l && !("quarantine" in l)) || (l.app !== undefined && l.app.startsWith("app1"))],
];

function benchSelectors(labelMaps: Record<string, string>[]): string[] {
  const lines: string[] = [];
  for (const [text, native] of SELECTORS) {
    const selector = parseCalicoSelector(text);
    let sink = 0;
    const calico = time(() => {
      for (const labels of labelMaps) if (selector.matches(labels)) sink++;
    });
    const floor = time(() => {
      for (const labels of labelMaps) if (native(labels)) sink++;
    });
    if (sink < 0) console.log(sink);
    lines.push(`| \`${text}\` | ${((calico / labelMaps.length) * 1e6).toFixed(0)} ns | ${((floor / labelMaps.length) * 1e6).toFixed(0)} ns | ${(calico / floor).toFixed(1)}x |`);
  }
  return lines;
}

function benchCluster(podCount: number, policyCount: number, namespaces: number): string {
  const endpoints = pods(podCount, namespaces);
  const objects = policies(policyCount, namespaces);
  const yamlText = objects.map((o) => stringify(o)).join("---\n");
  const parseMs = time(() => {
    parseAllDocuments(yamlText);
  });
  const compileMs = time(() => {
    compileCalico(objects.map((object) => ({ object })));
  });
  const compiled = compileCalico(objects.map((object) => ({ object })));
  if (compiled.refused.length > 0) throw new Error(`bench policies refused: ${compiled.refused[0]?.message}`);
  const pairs: Array<[PodEndpoint, PodEndpoint]> = [];
  for (let i = 0; i < 2000; i++) pairs.push([endpoints[(i * 7919) % podCount] as PodEndpoint, endpoints[(i * 104729 + 1) % podCount] as PodEndpoint]);
  let allowed = 0;
  const explainMs = time(() => {
    for (const [src, dst] of pairs) if (evaluateConnection(compiled.tiers, { src, dst, protocol: "TCP", port: 8080 }).allowed) allowed++;
  });
  // Floor: each policy's selector against both endpoints, on the labels Felix sees.
  const selectors = objects.filter((o) => o.kind === "NetworkPolicy" || o.kind === "GlobalNetworkPolicy").map((o) => parseCalicoSelector(String((o.spec as { selector?: string }).selector ?? "")));
  const labelsOf = new Map(endpoints.map((ep) => [ep, workloadEndpointLabels(ep)]));
  let selected = 0;
  const floorMs = time(() => {
    for (const [src, dst] of pairs) {
      const a = labelsOf.get(src) as Record<string, string>;
      const b = labelsOf.get(dst) as Record<string, string>;
      for (const s of selectors) if (s.matches(a) || s.matches(b)) selected++;
    }
  });
  if (allowed < 0 || selected < 0) console.log(allowed, selected);
  const perExplain = (explainMs / pairs.length) * 1000;
  return `| ${podCount} | ${policyCount} | ${compileMs.toFixed(1)} ms | ${parseMs.toFixed(1)} ms | ${(compileMs / parseMs).toFixed(2)}x | ${perExplain.toFixed(1)} µs | ${(explainMs / floorMs).toFixed(2)}x |`;
}

function main(): void {
  const labelMaps = pods(2000, 10).map((ep) => workloadEndpointLabels(ep));
  const selectorRows = benchSelectors(labelMaps);
  const clusterRows = [benchCluster(1000, 100, 5), benchCluster(2000, 500, 10), benchCluster(5000, 1000, 25)];
  const report = [
    "# bench:calico",
    "",
    "Command: `npm run build && node dist/bench/calico.js` (Node " + process.version + ", " + new Date().toISOString().slice(0, 10) + ", load average " + loadavg()[0]!.toFixed(1) + ": ratios, not absolute times, are the result; both sides of each ratio ran under the same load)",
    "",
    "## Selector evaluation (per label map, Felix's label view of 2000 pods)",
    "",
    "| selector | Calico selector | floor: hand-written predicate | ratio |",
    "| --- | --- | --- | --- |",
    ...selectorRows,
    "",
    "## Compile and explain",
    "",
    "Compile: v3 objects to tiers; floor: parsing the same policies' YAML. Explain: one",
    "evaluateConnection (egress and ingress through every tier); floor: matching every",
    "policy selector against both endpoints.",
    "",
    "| pods | policies | compile | floor: YAML parse | ratio | explain (per connection) | explain / floor |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...clusterRows,
    "",
  ].join("\n");
  console.log(report);
  const out = resolve(dirname(fileURLToPath(import.meta.url)), "../../bench/results/calico.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, report);
}

main();
