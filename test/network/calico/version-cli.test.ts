/**
 * `--calico-version` on the commands that order Calico policies (netpol explain, matrix,
 * lint, diff; calico tiers), and the ClusterInformation it overrides.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../src/cli/main.js";
import { runNetpol } from "../cli-run.js";

afterEach(() => vi.restoreAllMocks());

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-calico-version-")), "cluster.yaml");
  writeFileSync(file, text);
  return file;
}

const pods = ["web", "client"]
  .map((app) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${app}, namespace: prod, labels: {app: ${app}}}\nspec: {containers: [{name: c, image: x}]}\n`)
  .join("---\n");
const fromClient = (action: string): string => `ingress: [{action: ${action}, source: {selector: "app == 'client'"}}]`;
// Equal orders: v3.29-v3.31 key "default.b-deny" < "prod/default.a-allow" (deny first);
// v3.32+ key "a-allow/prod/NetworkPolicy" < "b-deny//GlobalNetworkPolicy" (allow first).
const policies = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: b-deny}
spec: {order: 100, selector: "app == 'web'", ${fromClient("Deny")}}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: a-allow, namespace: prod}
spec: {order: 100, selector: "app == 'web'", ${fromClient("Allow")}}
`;
const clusterInformation = (version: string): string => `apiVersion: crd.projectcalico.org/v1\nkind: ClusterInformation\nmetadata: {name: default}\nspec: {calicoVersion: ${version}, clusterType: "k8s,bgp,kubeadm,kdd"}\n`;

async function explain(file: string, ...flags: string[]) {
  const r = await runNetpol("explain", file, "--from", "prod/client", "--to", "prod/web", "-o", "json", ...flags);
  expect(r.code).toBe(0);
  return { ...(JSON.parse(r.out) as { allowed: boolean; ingress: { policy?: string }; calicoOrdering?: string }), err: r.err };
}

async function runCalico(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  return runMain("calico", ...args);
}

async function runMain(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  // writeStdout waits for the write's callback: call it, as a stream would.
  const sink = (append: (s: string) => void) => ((chunk: string, ...rest: unknown[]) => {
    append(chunk);
    (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  vi.spyOn(process.stdout, "write").mockImplementation(sink((s) => (out += s)));
  vi.spyOn(process.stderr, "write").mockImplementation(sink((s) => (err += s)));
  process.exitCode = 0;
  try {
    await main(["node", "palisade", ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}

describe("netpol explain and matrix follow the chosen Calico version", () => {
  it("explain: v3.30 denies, v3.32 allows; without a version the latest is assumed and said so", async () => {
    const file = write(`${pods}---\n${policies}`);
    const old = await explain(file, "--calico-version", "v3.30");
    expect([old.allowed, old.ingress.policy]).toEqual([false, "GlobalNetworkPolicy/b-deny"]);
    const latest = await explain(file, "--calico-version", "3.32.0");
    expect([latest.allowed, latest.ingress.policy]).toEqual([true, "NetworkPolicy.projectcalico.org/prod/a-allow"]);
    expect(old.err).toBe("");
    const assumed = await explain(file);
    expect(assumed.allowed).toBe(true);
    expect(assumed.err).toContain('note: Calico v3.32+: equal orders broken by "<name>/<namespace>/<kind>", assumed');
    // The JSON answer says which ordering it rests on, and where that came from.
    expect(old.calicoOrdering).toMatch(/^Calico v3\.29-v3\.31: .*from --calico-version$/);
    expect(assumed.calicoOrdering).toMatch(/^Calico v3\.32\+: .*assumed/);
  });

  it("says nothing of the assumed version when no two policies of a tier share an order: every version orders them alike", async () => {
    const untied = write(`${pods}---\n${policies.replace("order: 100,", "order: 90,")}`);
    const r = await explain(untied);
    expect([r.allowed, r.err]).toEqual([false, ""]);
  });

  it("matrix: the client reaches web under v3.32 only", async () => {
    const file = write(`${pods}---\n${policies}`);
    const rows = async (version: string) => (await runNetpol("matrix", file, "--calico-version", version)).out.split("\n").filter((line) => line.startsWith("prod/client") && line.includes("=> prod/web"));
    expect(await rows("v3.30")).toEqual([]);
    expect(await rows("v3.32")).toHaveLength(1);
  });

  it("reads the ClusterInformation in the inputs, and the flag wins over it", async () => {
    const file = write(`${clusterInformation("v3.30.2")}---\n${pods}---\n${policies}`);
    const fromCluster = await explain(file);
    expect(fromCluster.allowed).toBe(false);
    expect(fromCluster.err).toBe("");
    expect((await explain(file, "--calico-version", "v3.32")).allowed).toBe(true);
  });

  it("a bad version is a usage error (exit 2) that says what to give", async () => {
    const file = write(`${pods}---\n${policies}`);
    for (const command of ["explain", "matrix", "lint"]) {
      const args = command === "explain" ? ["--from", "prod/client", "--to", "prod/web"] : [];
      const r = await runNetpol(command, file, ...args, "--calico-version", "3.x");
      expect(r.code).toBe(2);
      expect(r.err).toContain("--calico-version 3.x: expected a Calico 3.x release such as v3.30 or v3.30.2");
      expect(r.err).not.toMatch(/at .*\.ts:/);
    }
  });

  it("a tier-less name in a tier is refused for v3.30 only; lint takes the flag", async () => {
    const tiered = `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 100}\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: block}\nspec: {tier: security, selector: "app == 'web'", ${fromClient("Deny")}}\n`;
    const file = write(`${pods}---\n${tiered}`);
    const explainOld = await runNetpol("explain", file, "--from", "prod/client", "--to", "prod/web", "--calico-version", "v3.30");
    expect(explainOld.code).toBe(2);
    expect(explainOld.err).toContain('must be named "security.<name>"');
    expect((await runNetpol("explain", file, "--from", "prod/client", "--to", "prod/web", "--calico-version", "v3.32")).code).toBe(0);
    const lint = await runNetpol("lint", file, "--calico-version", "v3.30", "-o", "json");
    expect(lint.code).not.toBe(2);
    expect(lint.err).toBe("");
    // scan's calico family reports the name Calico v3.30 rejects; for v3.32 it is fine.
    const invalidNames = async (version: string) => {
      const r = await runMain("scan", file, "--calico-version", version, "-o", "json", "--rules", "calico/*");
      return (JSON.parse(r.out) as { findings: { ruleId: string; message: string }[] }).findings.filter((f) => f.ruleId === "calico/invalid-policy").map((f) => f.message);
    };
    expect(await invalidNames("v3.30")).toEqual([expect.stringContaining('must be named "security.<name>"')]);
    expect(await invalidNames("v3.32")).toEqual([]);
    expect((await runMain("scan", file, "--calico-version", "nope")).code).toBe(2);
  });
});

describe("calico tiers", () => {
  it("lists the policies in the chosen version's order and says which", async () => {
    const file = write(policies);
    const old = await runCalico("tiers", file, "--calico-version", "v3.30");
    expect(old.out.split("\n").slice(0, 4)).toEqual([
      'ordering: Calico v3.29-v3.31: equal orders broken by "[<namespace>/]<tier>.<name>" (for v3.30), from --calico-version',
      "tier default (order 1000000, end of tier: Deny)",
      "       100  GlobalNetworkPolicy/b-deny  [ingress]",
      "       100  NetworkPolicy.projectcalico.org/prod/a-allow  [ingress]",
    ]);
    const latest = await runCalico("tiers", file, "--calico-version", "v3.32");
    expect(latest.out.split("\n").slice(2, 4)).toEqual(["       100  NetworkPolicy.projectcalico.org/prod/a-allow  [ingress]", "       100  GlobalNetworkPolicy/b-deny  [ingress]"]);
    expect((await runCalico("tiers", file, "--calico-version", "v2.6")).code).toBe(2);
  });
});
