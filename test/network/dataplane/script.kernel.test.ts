/**
 * The script `palisade netpol compile` writes, run as a user runs it: by a root shell, in a
 * fresh network namespace standing for the node, again unchanged, and then for a cluster
 * that has changed (a pod gone, a policy's peers changed). After each run the node must
 * hold exactly the chains, rules and sets of the last compile, and FORWARD one jump to
 * them. Under CI a machine that cannot make namespaces fails the suite; elsewhere it is
 * skipped with the reason.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompiledDataplane } from "../../../src/network/dataplane/compile.js";
import { netnsUnavailable } from "../../support/netns/topology.js";
import { runNetpol } from "../cli-run.js";

const unavailable = await netnsUnavailable();
if (unavailable && process.env.CI) throw new Error(`the compile script tests need network namespaces, iptables and ipset, and CI must run them: ${unavailable}`);
if (unavailable) console.warn(`skipping the compile script kernel tests: ${unavailable}`);

function pod(name: string, app: string, node: string, ips: string[]): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: ${app}}}
spec: {nodeName: ${node}, containers: [{name: c, image: img, ports: [{name: http, containerPort: 8080}]}]}
status: {phase: Running, podIPs: [${ips.map((ip) => `{ip: "${ip}"}`).join(", ")}]}
`;
}

function egressPolicy(name: string, selected: string, peer: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  podSelector: {matchLabels: {app: ${selected}}}
  policyTypes: [Ingress, Egress]
  ingress: [{ports: [{port: http}]}]
  egress: [{to: [{podSelector: {matchLabels: {app: ${peer}}}}]}]
`;
}

/** Before: web and api on n1, talking to db; after: api gone, web talks to cache instead. */
const BEFORE = [
  pod("web-1", "web", "n1", ["10.0.1.5", "fd00::5"]),
  pod("api-1", "api", "n1", ["10.0.1.6", "fd00::6"]),
  pod("db-0", "db", "n2", ["10.0.2.7", "fd00::7"]),
  pod("cache-0", "cache", "n2", ["10.0.3.9", "fd00::9"]),
  egressPolicy("web", "web", "db"),
  egressPolicy("api", "api", "db"),
].join("---\n");
const AFTER = [
  pod("web-1", "web", "n1", ["10.0.1.5", "fd00::5"]),
  pod("db-0", "db", "n2", ["10.0.2.7", "fd00::7"]),
  pod("cache-0", "cache", "n2", ["10.0.3.9", "fd00::9"]),
  egressPolicy("web", "web", "cache"),
].join("---\n");

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-script-")), "cluster.yaml");
  writeFileSync(file, text);
  return file;
}

function run(argv: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0]!, argv.slice(1), { encoding: "utf8", maxBuffer: 1 << 26 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${argv.join(" ")}: ${stderr || error.message}`)) : resolve(stdout),
    );
    // A tool that exits without reading its input closes the pipe: the exit status tells what happened.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input ?? "");
  });
}

async function compile(text: string): Promise<{ script: string; compiled: CompiledDataplane }> {
  const file = write(text);
  const script = await runNetpol("compile", file, "--node", "n1");
  const json = await runNetpol("compile", file, "--node", "n1", "-o", "json");
  expect([script.code, json.code, script.err, json.err]).toEqual([0, 0, "", ""]);
  return { script: script.out, compiled: JSON.parse(json.out) as CompiledDataplane };
}

/** What the node holds of ours: chain names, our rules as iptables-save prints them, set names, FORWARD's jumps. */
async function nodeState(netns: string, tool: "iptables" | "ip6tables") {
  const saved = await run(["ip", "netns", "exec", netns, `${tool}-save`, "-t", "filter"]);
  const lines = saved.split("\n");
  return {
    chains: lines.filter((l) => l.startsWith(":PAL-")).map((l) => l.slice(1).split(" ")[0]!).sort(),
    rules: lines.filter((l) => l.startsWith("-A PAL-")).length,
    jumps: lines.filter((l) => l === "-A FORWARD -j PAL-FORWARD").length,
  };
}

async function setNames(netns: string): Promise<string[]> {
  return (await run(["ip", "netns", "exec", netns, "ipset", "list", "-n"])).split("\n").filter((n) => n.startsWith("pal")).sort();
}

describe.skipIf(unavailable !== undefined)("the netpol compile script on a real kernel", () => {
  const netns = `pal-script-${randomBytes(4).toString("hex")}`;
  beforeAll(async () => {
    await run(["ip", "netns", "add", netns]);
  });
  afterAll(async () => {
    await run(["ip", "netns", "del", netns]).catch(() => undefined);
  });

  async function expectExactly(compiled: CompiledDataplane): Promise<void> {
    for (const [tool, rules] of [["iptables", compiled.ipv4], ["ip6tables", compiled.ipv6]] as const) {
      const state = await nodeState(netns, tool);
      expect(state.chains, tool).toEqual([...rules.chains].sort());
      expect(state.rules, tool).toBe(rules.iptables.split("\n").filter((l) => l.startsWith("-A ")).length);
      expect(state.jumps, tool).toBe(1);
    }
    expect(await setNames(netns)).toEqual([...compiled.ipv4.sets, ...compiled.ipv6.sets].sort());
  }

  it("loads every chain, rule and set, and running it again changes nothing", async () => {
    const { script, compiled } = await compile(BEFORE);
    expect(compiled.local.map((l) => l.pod).sort()).toEqual(["shop/api-1", "shop/web-1"]);
    expect(compiled.ipv4.sets.length).toBeGreaterThan(0);
    expect(compiled.ipv6.sets.length).toBeGreaterThan(0);
    await run(["ip", "netns", "exec", netns, "sh", "-s"], script);
    await expectExactly(compiled);
    await run(["ip", "netns", "exec", netns, "sh", "-s"], script);
    await expectExactly(compiled);
  });

  it("removes the chains and sets of a pod that has gone and of peers that changed", async () => {
    const before = await compile(BEFORE);
    const after = await compile(AFTER);
    await run(["ip", "netns", "exec", netns, "sh", "-s"], before.script);
    await expectExactly(before.compiled);
    const gone = before.compiled.ipv4.chains.filter((c) => !after.compiled.ipv4.chains.includes(c));
    const replacedSets = before.compiled.ipv4.sets.filter((s) => !after.compiled.ipv4.sets.includes(s));
    expect(gone.length).toBeGreaterThan(0);
    expect(replacedSets.length).toBeGreaterThan(0);
    await run(["ip", "netns", "exec", netns, "sh", "-s"], after.script);
    await expectExactly(after.compiled);
  });
});
