/**
 * bench:dataplane — `netpol compile` for one node of a synthetic cluster (bench:netpol's),
 * its pods given addresses, and the time a real kernel takes to load the result.
 *
 * Floors, same run, same cluster: (1) matching every policy's podSelector against one pod
 * of each label set, the least any engine must do (bench:netpol's floor); (2) loading the
 * rendered sets and rules with `ipset restore` and `iptables-restore` into a fresh network
 * namespace, which any iptables dataplane pays (skipped, and said so, when this machine
 * cannot make namespaces).
 * Usage: node dist/bench/dataplane.js   (writes bench/results/dataplane.md)
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { matchesLabelSelector, type LabelSelector } from "../src/k8s/labels.js";
import { compileDataplane } from "../src/network/dataplane/compile.js";
import type { RunningPod } from "../src/network/dataplane/pod-endpoints.js";
import type { PodEndpoint } from "../src/network/model.js";
import { buildPolicySet } from "../src/network/policy-set.js";
import { writeResult } from "./common.js";
import { cluster, eachSizeInFreshProcess } from "./synthetic-cluster.js";

const PODS_PER_NODE = 110;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Wall ms of loading the texts into a fresh namespace; undefined when namespaces are out of reach. */
function kernelLoadMs(ipset: string, iptables: string): number | undefined {
  const netns = `pal-bench-${randomBytes(4).toString("hex")}`;
  try {
    execFileSync("ip", ["netns", "add", netns], { stdio: "ignore" });
  } catch {
    return undefined;
  }
  try {
    const t = performance.now();
    execFileSync("ip", ["netns", "exec", netns, "ipset", "restore"], { input: ipset, stdio: ["pipe", "ignore", "pipe"] });
    execFileSync("ip", ["netns", "exec", netns, "iptables-restore", "--noflush"], { input: iptables, stdio: ["pipe", "ignore", "pipe"], maxBuffer: 1 << 28 });
    return performance.now() - t;
  } finally {
    execFileSync("ip", ["netns", "del", netns], { stdio: "ignore" });
  }
}

interface Row {
  pods: number;
  policies: number;
  floorCpuMs: number;
  compileCpuMs: number;
  compileMs: number;
  rules: number;
  sets: number;
  setEntries: number;
  kbytes: number;
  loadMs: number | undefined;
  peakRssMb: number;
}

function runOne(podCount: number, policyCount: number): Row {
  const generated = cluster(podCount, policyCount);
  const pods: RunningPod[] = generated.pods.map((endpoint: PodEndpoint, i) => {
    const withIp: PodEndpoint = { ...endpoint, ips: [`10.244.${i >> 8}.${i & 255}`], workload: `Pod/${endpoint.name}` };
    return { endpoint: withIp, nodeName: `node${i % Math.ceil(podCount / PODS_PER_NODE)}` };
  });
  const set = buildPolicySet(generated.policies.map((object) => ({ object })));
  if (set.refused.length > 0) throw new Error(`synthetic policy refused: ${set.refused[0]!.message}`);

  const distinct = new Map<string, PodEndpoint>();
  for (const p of generated.pods) distinct.set(`${p.namespace}|${JSON.stringify(p.labels)}`, p);
  let c = cpuMs();
  let selected = 0;
  for (const object of generated.policies) {
    const selector = ((object.spec as { podSelector?: LabelSelector }).podSelector ?? {}) as LabelSelector;
    for (const p of distinct.values()) if (p.namespace === object.metadata?.namespace && matchesLabelSelector(selector, p.labels)) selected++;
  }
  const floorCpuMs = cpuMs() - c;
  if (selected === 0) throw new Error("floor selected nothing");

  c = cpuMs();
  const t = performance.now();
  const compiled = compileDataplane(set.tiers, pods, { node: "node0" });
  const compileMs = performance.now() - t;
  const compileCpuMs = cpuMs() - c;
  const rules = compiled.ipv4.iptables.split("\n").filter((l) => l.startsWith("-A ")).length;
  const sets = compiled.ipv4.ipset.split("\n").filter((l) => l.startsWith("create ")).length;
  const setEntries = compiled.ipv4.ipset.split("\n").filter((l) => l.startsWith("add ")).length;
  const kbytes = (compiled.ipv4.iptables.length + compiled.ipv4.ipset.length) / 1024;
  const loadMs = kernelLoadMs(compiled.ipv4.ipset, compiled.ipv4.iptables);
  return { pods: podCount, policies: policyCount, floorCpuMs, compileCpuMs, compileMs, rules, sets, setEntries, kbytes, loadMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

function main(): void {
  const rows = eachSizeInFreshProcess(import.meta.url, [[1000, 1000], [10000, 1000], [10000, 10000]], runOne, (r: Row) =>
    `compile ${r.compileCpuMs.toFixed(0)} ms CPU, ${r.rules} rules, load ${r.loadMs?.toFixed(0) ?? "n/a"} ms`,
  );
  if (!rows) return;
  const md = [
    "# bench:dataplane",
    "",
    `Command: \`npm run bench:dataplane\`, ${new Date().toISOString()} (load average ${os.loadavg()[0]!.toFixed(1)}). bench:netpol's synthetic cluster, pod i at 10.244.(i/256).(i%256) (inside one of the policies' ipBlocks, so its set carries \`nomatch\` exceptions), ${PODS_PER_NODE} pods per node; node0's rules (IPv4), each size in a fresh process.`,
    "",
    "| pods | policies | selector floor CPU ms | compile CPU / wall ms | × floor | iptables rules | sets | set entries | KiB | kernel load ms | compile / load | peak RSS MB |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.pods} | ${r.policies} | ${r.floorCpuMs.toFixed(0)} | ${r.compileCpuMs.toFixed(0)} / ${r.compileMs.toFixed(0)} | ${(r.compileCpuMs / r.floorCpuMs).toFixed(1)}× | ${r.rules} | ${r.sets} | ${r.setEntries} | ${r.kbytes.toFixed(0)} | ${r.loadMs === undefined ? "n/a (no namespaces)" : r.loadMs.toFixed(0)} | ${r.loadMs === undefined ? "—" : `${(r.compileMs / r.loadMs).toFixed(2)}×`} | ${r.peakRssMb.toFixed(0)} |`),
    "",
  ].join("\n");
  writeResult("dataplane", md);
}

main();
