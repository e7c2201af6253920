/**
 * bench:netpol — full connectivity matrix over synthetic clusters (1k..10k pods x
 * 1k..10k NetworkPolicies), peak memory, growth as pods double, and one explain.
 *
 * Floor (same run, same cluster): matching every policy's podSelector against every pod
 * class once — the least any engine must do to know what each policy selects. The
 * matrix is reported as a ratio of that floor.
 *
 * Each size runs in a fresh child process so its peak RSS is its own.
 * Usage: node dist/bench/netpol.js            (all sizes, writes bench/results/netpol.md)
 *        node dist/bench/netpol.js --one P Q  (one size, prints JSON)
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { matchesLabelSelector, type LabelSelector } from "../src/k8s/labels.js";
import { explainConnection } from "../src/network/explain.js";
import { computeMatrix } from "../src/network/matrix.js";
import type { PodEndpoint } from "../src/network/model.js";
import { buildPolicySet } from "../src/network/policy-set.js";
import { writeResult } from "./common.js";
import { cluster, eachSizeInFreshProcess } from "./synthetic-cluster.js";

interface One {
  pods: number;
  policies: number;
  classes: number;
  floorMs: number;
  floorCpuMs: number;
  compileMs: number;
  compileCpuMs: number;
  matrixMs: number;
  matrixCpuMs: number;
  allowedPodPairs: number;
  explainMedianMs: number;
  peakRssMb: number;
}

/** CPU time (user + system) in ms: on a shared, loaded machine wall time overstates the work. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function runOne(podCount: number, policyCount: number): One {
  const { pods, policies } = cluster(podCount, policyCount);
  let t = performance.now();
  let c = cpuMs();
  const set = buildPolicySet(policies.map((object) => ({ object })));
  const compileMs = performance.now() - t;
  const compileCpuMs = cpuMs() - c;
  if (set.refused.length > 0) throw new Error(`synthetic policy refused: ${set.refused[0]!.message}`);

  // Floor: each policy's podSelector against one pod of each distinct label set.
  const distinct = new Map<string, PodEndpoint>();
  for (const p of pods) distinct.set(`${p.namespace}|${JSON.stringify(p.labels)}`, p);
  const reps = [...distinct.values()];
  t = performance.now();
  c = cpuMs();
  let selected = 0;
  for (const object of policies) {
    const selector = ((object.spec as { podSelector?: LabelSelector }).podSelector ?? {}) as LabelSelector;
    const ns = object.metadata?.namespace;
    for (const p of reps) if (p.namespace === ns && matchesLabelSelector(selector, p.labels)) selected++;
  }
  const floorMs = performance.now() - t;
  const floorCpuMs = cpuMs() - c;
  if (selected === 0) throw new Error("floor selected nothing");

  t = performance.now();
  c = cpuMs();
  const matrix = computeMatrix(set.tiers, pods);
  // Every pod pair's answer, via the classes: count allowed pairs weighted by class sizes.
  const classOfPod = new Map<number, number>();
  const firstOfClass: number[] = [];
  const size: number[] = [];
  const key = new Map<string, number>();
  pods.forEach((p, i) => {
    const k = `${p.namespace}|${JSON.stringify(p.labels)}`;
    let c = key.get(k);
    if (c === undefined) {
      c = firstOfClass.length;
      key.set(k, c);
      firstOfClass.push(i);
      size.push(0);
    }
    size[c]!++;
    classOfPod.set(i, c);
  });
  let allowedPodPairs = 0;
  for (let a = 0; a < firstOfClass.length; a++) {
    for (let b = 0; b < firstOfClass.length; b++) {
      const i = firstOfClass[a]!;
      // A different pod of the same class when there is one (a pod to itself is always allowed).
      const j = a === b ? (size[a]! > 1 ? firstOfClass[a]! + 1 : -1) : firstOfClass[b]!;
      if (j < 0 || (a === b && classOfPod.get(j) !== a)) continue;
      if (!matrix.podToPod(i, j).isEmpty()) allowedPodPairs += a === b ? size[a]! * (size[a]! - 1) : size[a]! * size[b]!;
    }
  }
  for (let b = 0; b < matrix.externalSources.length; b++) for (let j = 0; j < Math.min(pods.length, 50); j++) matrix.externalToPod(b, j);
  const matrixMs = performance.now() - t;
  const matrixCpuMs = cpuMs() - c;

  const times: number[] = [];
  for (let k = 0; k < 41; k++) {
    const src = pods[(k * 7919) % pods.length]!;
    const dst = pods[(k * 104729 + 13) % pods.length]!;
    t = performance.now();
    explainConnection(set.tiers, src, dst, "TCP", 8080);
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  return {
    pods: podCount,
    policies: policyCount,
    classes: matrix.classCount,
    floorMs,
    floorCpuMs,
    compileMs,
    compileCpuMs,
    matrixMs,
    matrixCpuMs,
    allowedPodPairs,
    explainMedianMs: times[Math.floor(times.length / 2)]!,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function loadAverage(): string {
  return os.loadavg()[0]!.toFixed(1);
}

function main(): void {
  const sizes: [number, number][] = [
    [1000, 1000],
    [1250, 10000],
    [2500, 10000],
    [5000, 10000],
    [10000, 1000],
    [10000, 10000],
  ];
  const results = eachSizeInFreshProcess(import.meta.url, sizes, runOne, (r: One) =>
    `matrix ${r.matrixCpuMs.toFixed(0)} ms CPU / ${r.matrixMs.toFixed(0)} ms wall (${(r.matrixCpuMs / r.floorCpuMs).toFixed(1)}x floor CPU), peak ${r.peakRssMb.toFixed(0)} MB, explain ${r.explainMedianMs.toFixed(2)} ms`,
  );
  if (!results) return;
  const rows = results.map(
    (r) =>
      `| ${r.pods} | ${r.policies} | ${r.classes} | ${r.compileCpuMs.toFixed(0)} / ${r.compileMs.toFixed(0)} | ${r.floorCpuMs.toFixed(0)} / ${r.floorMs.toFixed(0)} | ${r.matrixCpuMs.toFixed(0)} / ${r.matrixMs.toFixed(0)} | ${(r.matrixCpuMs / r.floorCpuMs).toFixed(1)}x | ${(r.compileCpuMs + r.matrixCpuMs).toFixed(0)} | ${r.allowedPodPairs} | ${r.peakRssMb.toFixed(0)} | ${r.explainMedianMs.toFixed(2)} |`,
  );
  const growth = results
    .filter((r) => r.policies === 10000 && r.pods >= 1250)
    .map((r, i, all) => (i === 0 ? `${r.pods}: ${r.matrixCpuMs.toFixed(0)} ms CPU` : `${r.pods}: x${(r.matrixCpuMs / all[i - 1]!.matrixCpuMs).toFixed(2)}`))
    .join(", ");
  const md = [
    "# bench:netpol",
    "",
    "Command: `npm run bench:netpol` (builds, then `node dist/bench/netpol.js`; each size in a fresh process).",
    `Machine: ${process.platform} ${process.arch}, Node ${process.version}, run ${new Date().toISOString()}.`,
    "",
    "Synthetic clusters: namespaces of 200 pods and 20 apps (replicas share labels), a default-deny per namespace,",
    "then per-app policies with a named-port pod peer, a namespace+pod peer with a port range, an ipBlock with except,",
    "and egress to another app and to DNS. Floor = matching every policy's podSelector against one pod of each",
    "label set (the least any engine must do). Matrix = every pod pair's connections (answered per class: pods no",
    "policy can tell apart share one computation) plus external blocks; compile (validate + build) is separate.",
    "",
    "Times are CPU ms / wall ms: the machine is shared (2 cores, load average " + loadAverage() + "), so wall time",
    "overstates the work; CPU time (process.cpuUsage) is what the engine spends. Ratios use CPU time.",
    "",
    "| pods | policies | classes | compile ms (CPU / wall) | floor ms (CPU / wall) | matrix ms (CPU / wall) | matrix/floor | compile+matrix CPU ms | allowed pod pairs | peak RSS MB | explain median ms (wall) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `Growth as pods double (10k policies): ${growth}.`,
    "",
  ].join("\n");
  writeResult("netpol", md);
}

main();
