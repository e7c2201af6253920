/** `palisade netpol` end to end through the CLI entry point (in process). */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { repoRoot } from "../support/conformance.js";
import { runNetpol } from "./cli-run.js";

const shop = join(repoRoot, "examples/network-shop.yaml");

const run = runNetpol;

afterEach(() => vi.restoreAllMocks());

describe("palisade netpol", () => {
  it("explain names the deciding policy and rule on each side", async () => {
    const r = await run("explain", shop, "--from", "shop/frontend", "--to", "shop/backend", "--port", "9090/TCP");
    expect(r.code).toBe(0);
    expect(r.out).toContain("shop/frontend[Deployment] -> shop/backend[Deployment] on 9090/TCP: ALLOWED");
    expect(r.out).toContain("allowed by NetworkPolicy/shop/frontend egress rule 0");
    expect(r.out).toContain("allowed by NetworkPolicy/shop/backend ingress rule 0");
    const denied = JSON.parse((await run("explain", shop, "--from", "shop/frontend", "--to", "shop/db", "--port", "5432", "-o", "json")).out);
    expect(denied.allowed).toBe(false);
    expect(denied.egress.reason).toBe("end-of-tier");
  });

  it("explain refuses unknown endpoints and bad ports with a hint (exit 2)", async () => {
    const r = await run("explain", shop, "--from", "shop/nope", "--to", "shop/db");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--from shop\/nope: no workload/);
    expect((await run("explain", shop, "--from", "shop/frontend", "--to", "shop/db", "--port", "99999/TCP")).err).toMatch(/expected PORT\[\/PROTOCOL\]/);
  });

  it("matrix prints allowed connections as text, JSON and CSV", async () => {
    const text = (await run("matrix", shop)).out;
    expect(text).toContain("shop/backend[Deployment] => shop/db[StatefulSet] : TCP 5432");
    expect(text).not.toContain("shop/frontend[Deployment] => shop/db");
    const json = JSON.parse((await run("matrix", shop, "-o", "json")).out);
    expect(json.connections).toContainEqual({ from: "shop/frontend[Deployment]", to: "shop/backend[Deployment]", allowed: { TCP: [[9090, 9090]] } });
    const csv = (await run("matrix", shop, "-o", "csv", "-n", "shop")).out.split("\n");
    expect(csv[0]).toBe("from,to,connections");
    expect(csv).toContain("shop/frontend[Deployment],shop/backend[Deployment],TCP 9090");
  });

  it("refuses an invalid policy with file:line:column", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netpol-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: bad }\nspec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - port: 10\n          endPort: 1\n");
    const r = await run("matrix", file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:9:\\d+: NetworkPolicy/bad spec.ingress\\[0\\].ports\\[0\\].endPort`));
    expect(r.err).not.toMatch(/at .*\.ts:/);
  });

  it("lint exits 1 on findings at or above --fail-on", async () => {
    const r = await run("lint", shop);
    expect(r.code).toBe(1);
    expect(r.out).toContain("netpol/egress-blocks-dns");
    expect((await run("lint", shop, "--fail-on", "high")).code).toBe(0);
  });

  it("generate writes policies that diff shows as exactly the flows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netpol-"));
    const flows = join(dir, "flows.json");
    writeFileSync(
      flows,
      JSON.stringify({
        workloads: [
          { namespace: "shop", name: "web", labels: { app: "web" } },
          { namespace: "shop", name: "db", labels: { app: "db" } },
        ],
        flows: [{ from: "shop/web", to: "shop/db", port: 5432 }],
      }),
    );
    const yaml = (await run("generate", "--flows", flows)).out;
    expect(yaml).toContain("kind: NetworkPolicy");
    const workloads = ["web", "db"].map((app) => `apiVersion: v1\nkind: Pod\nmetadata: { name: ${app}, namespace: shop, labels: { app: ${app} } }\nspec: { containers: [{ name: c, image: i }] }\n`).join("---\n");
    writeFileSync(join(dir, "before.yaml"), workloads);
    writeFileSync(join(dir, "after.yaml"), `${workloads}---\n${yaml}`);
    const matrix = (await run("matrix", join(dir, "after.yaml"))).out;
    expect(matrix).toBe("shop/web[Pod] => shop/db[Pod] : TCP 5432\n");
    const diff = await run("diff", join(dir, "before.yaml"), join(dir, "after.yaml"), "--exit-code");
    expect(diff.code).toBe(1);
    expect(diff.out).toContain("~ shop/web[Pod] => shop/db[Pod] : All Connections -> TCP 5432");
    expect((await run("diff", shop, shop)).out).toBe("no connectivity changes\n");
    expect((await run("generate", "--flows", join(dir, "missing.json"))).err).toMatch(/cannot read the file/);
  });
});

describe("palisade netpol explain, more", () => {
  it("says when no policy selects a side, and refuses two external ends", async () => {
    const r = await run("explain", shop, "--from", "monitoring/prometheus", "--to", "1.1.1.1", "--port", "443");
    expect(r.out).toContain("allowed: no policy selects monitoring/prometheus[Deployment] for egress");
    expect(r.out).toContain("1.1.1.1 is outside the cluster");
    expect((await run("explain", shop, "--from", "1.1.1.1", "--to", "2.2.2.2")).err).toMatch(/both outside the cluster/);
  });
});

describe("palisade netpol, input it must not answer quietly", () => {
  const write = (name: string, text: string): string => {
    const dir = mkdtempSync(join(tmpdir(), "netpol-qa-"));
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const base = "apiVersion: v1\nkind: Pod\nmetadata: { name: api, namespace: app, labels: { app: api } }\nspec: { containers: [{ name: c, image: i }] }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: prom, namespace: monitoring }\nspec: { containers: [{ name: c, image: i }] }\n";
  const deny = (apiVersion: string, kind = "NetworkPolicy") => `---\napiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { name: deny-all, namespace: app }\nspec: { podSelector: {}, policyTypes: [Ingress] }\n`;

  it("refuses a NetworkPolicy of an unserved version with file:line (exit 2)", async () => {
    const file = write("v2.yaml", base + deny("networking.k8s.io/v2"));
    const r = await run("explain", file, "--from", "monitoring/prom", "--to", "app/api");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain(`${file}:11:1: NetworkPolicy/deny-all apiVersion: Invalid value: "networking.k8s.io/v2": the API server serves NetworkPolicy only as networking.k8s.io/v1`);
  });

  it("warns on stderr that a kind typo is not enforced, and answers without it", async () => {
    const file = write("typo.yaml", base + deny("networking.k8s.io/v1", "Networkpolicy"));
    const r = await run("explain", file, "--from", "monitoring/prom", "--to", "app/api");
    expect(r.code).toBe(0);
    expect(r.err).toBe(`warning: ${file}:12:1: Networkpolicy/deny-all: kind "Networkpolicy" is a typo of NetworkPolicy (kinds are case-sensitive): no API server serves it, so nothing enforces it\n`);
    expect(r.out).toContain(": ALLOWED");
  });

  it("keeps an owned Pod's IP on its Deployment, and lists no owned controller as a workload", async () => {
    const all = [
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: ns }\nspec: { selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: x }] } } }\n",
      "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: { name: web-5d4f8, namespace: ns, ownerReferences: [{ kind: Deployment, name: web, controller: true }] }\nspec: { selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: x }] } } }\n",
      "apiVersion: v1\nkind: Pod\nmetadata: { name: web-5d4f8-abcde, namespace: ns, labels: { app: web }, ownerReferences: [{ kind: ReplicaSet, name: web-5d4f8, controller: true }] }\nspec: { containers: [{ name: c, image: x }] }\nstatus: { podIP: 10.244.1.5 }\n",
      "apiVersion: v1\nkind: Pod\nmetadata: { name: other, namespace: ns, labels: { app: other } }\nspec: { containers: [{ name: c, image: x }] }\n",
    ].join("---\n");
    const file = write("all.yaml", all);
    expect((await run("matrix", file)).out.split("\n").filter((l) => l.includes("ns/"))).toEqual([
      "0.0.0.0-255.255.255.255[External] => ns/other[Pod] : All Connections",
      "0.0.0.0-255.255.255.255[External] => ns/web[Deployment] : All Connections",
      "ns/other[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections",
      "ns/other[Pod] => ns/web[Deployment] : All Connections",
      "ns/web[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
      "ns/web[Deployment] => ns/other[Pod] : All Connections",
    ]);
    expect((await run("explain", file, "--from", "10.244.1.5", "--to", "ns/other")).out.split("\n")[0]).toBe("ns/web[Deployment] -> ns/other[Pod] on 80/TCP: ALLOWED");
  });

  it("refuses a -n namespace the input lacks, with the ones it has; JSON counts only -n's workloads", async () => {
    const typo = await run("matrix", shop, "-n", "shpo");
    expect(typo.code).toBe(2);
    expect(typo.out).toBe("");
    expect(typo.err).toContain('-n shpo: the input has no namespace of that name\n  hint: did you mean "shop"? namespaces in the input: monitoring, shop');
    expect((await run("matrix", shop, "-n", "shopp")).err).toContain('hint: did you mean "shop"? namespaces in the input: monitoring, shop');
    expect(JSON.parse((await run("matrix", shop, "-n", "shop", "-o", "json")).out).workloads).toBe(3);
    // Conflicting flags are refused, as posture and rbac refuse them, not settled silently for -n.
    const both = await run("matrix", shop, "-n", "shop", "-A");
    expect(both.code).toBe(2);
    expect(both.out).toBe("");
    expect(both.err).toContain("-n and -A both given");
    expect(JSON.parse((await run("matrix", shop, "-o", "json")).out).workloads).toBe(4);
  });

  it("refuses input without any object (exit 2), for matrix and lint", async () => {
    const empty = write("empty.yaml", "");
    const matrix = await run("matrix", empty);
    expect(matrix.code).toBe(2);
    expect(matrix.out).toBe("");
    expect(matrix.err).toContain(`nothing to analyse: no manifests found in ${empty}`);
    const dir = mkdtempSync(join(tmpdir(), "netpol-empty-"));
    const lint = await run("lint", dir);
    expect(lint.code).toBe(2);
    expect(lint.out).toBe("");
    expect(lint.err).toContain(`nothing to analyse: no manifests found in ${dir}`);
  });

  it("refuses input whose only file is binary (exit 2), instead of an empty answer that reads as nothing open", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netpol-binary-"));
    const binary = join(dir, "image.yaml");
    writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a]));
    for (const command of ["matrix", "lint"]) {
      const r = await run(command, binary);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toContain(`nothing to analyse: no manifests found in ${binary} (1 binary file skipped)`);
    }
  });

  it("every subcommand lists a skipped binary file beside real manifests on stderr, as lint and scan do, and still answers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netpol-binary-beside-"));
    copyFileSync(shop, join(dir, "shop.yaml"));
    writeFileSync(join(dir, "logo.yaml"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a]));
    const skipped = `${join(dir, "logo.yaml")}:1:1: skipped: binary file\n`;
    for (const args of [["explain", dir, "--from", "shop/frontend", "--to", "shop/backend", "--port", "9090"], ["matrix", dir], ["lint", dir, "--fail-on", "none"], ["diff", dir, dir]]) {
      const r = await run(...args);
      expect(r.code, args[0]).toBe(0);
      expect(r.out, args[0]).not.toBe("");
      // Once per input set read: diff reads two.
      expect(r.err.split(skipped).length - 1, args[0]).toBe(args[0] === "diff" ? 2 : 1);
    }
  });

  it("every subcommand lists each broken file at its line, and explain, matrix and diff, which then give no answer, do not claim the rest was scanned", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netpol-broken-"));
    copyFileSync(shop, join(dir, "shop.yaml"));
    writeFileSync(join(dir, "a.yaml"), "a: [\n");
    writeFileSync(join(dir, "b.yaml"), "b: {\n");
    for (const args of [["explain", dir, "--from", "shop/frontend", "--to", "shop/backend"], ["matrix", dir], ["lint", dir, "--fail-on", "none"], ["diff", dir, shop]]) {
      const r = await run(...args);
      expect(r.code, args[0]).toBe(2);
      for (const file of ["a.yaml", "b.yaml"]) expect(r.err, args[0]).toContain(`${join(dir, file)}:2:1: invalid YAML: unexpected end of the stream within a flow collection\n  hint: fix the YAML syntax at that position`);
      if (args[0] === "lint") continue;
      expect(r.out, args[0]).toBe("");
      expect(r.err, args[0]).not.toContain("still scanned");
      expect(r.err, args[0]).toContain("palisade: no answer: 2 input problems (listed above) may hide policies that change it");
    }
  });

  it("explain, matrix and diff tell ICMP messages and protocol numbers apart in Calico rules", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-icmp-"));
    const policy = (rules: string) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: db-icmp}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
${rules}`;
    const pingOnly = join(dir, "ping-only.yaml");
    writeFileSync(pingOnly, policy("  - {action: Allow, protocol: ICMP, icmp: {type: 8}}\n  - {action: Allow, protocol: 47}\n  - {action: Deny}\n"));
    const ask = async (...flags: string[]) => JSON.parse((await run("explain", shop, pingOnly, "--from", "monitoring/prometheus", "--to", "shop/db", ...flags, "-o", "json")).out) as { allowed: boolean; icmp?: unknown };
    const echo = await ask("--port", "/ICMP");
    expect(echo).toMatchObject({ allowed: true, icmp: { type: 8, code: 0 } });
    expect((await ask("--port", "/ICMP", "--icmp-type", "0")).allowed).toBe(false);
    expect((await ask("--port", "/ICMP", "--icmp-type", "8", "--icmp-code", "3")).allowed).toBe(true);
    expect((await ask("--port", "/47")).allowed).toBe(true);
    expect((await ask("--port", "/50")).allowed).toBe(false);
    const text = (await run("explain", shop, pingOnly, "--from", "monitoring/prometheus", "--to", "shop/db", "--port", "/ICMP")).out;
    expect(text).toContain("on ICMP type 8 code 0: ALLOWED");
    const bad = await run("explain", shop, pingOnly, "--from", "monitoring/prometheus", "--to", "shop/db", "--port", "80/TCP", "--icmp-type", "8");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--icmp-type and --icmp-code go with --port /ICMP or /ICMPv6");
    expect((await run("explain", shop, pingOnly, "--from", "monitoring/prometheus", "--to", "shop/db", "--port", "/ICMP", "--icmp-type", "256")).err).toContain("--icmp-type 256: expected a number from 0 to 255");
    // The matrix holds exactly what the rules allow: echo requests and GRE, not all of ICMP (and the TCP the shop's NetworkPolicy opens).
    const matrix = JSON.parse((await run("matrix", shop, pingOnly, "-o", "json")).out) as { connections: { from: string; to: string; allowed: unknown }[] };
    const toDb = matrix.connections.find((c) => c.from === "monitoring/prometheus[Deployment]" && c.to === "shop/db[StatefulSet]");
    expect(toDb?.allowed).toEqual({ TCP: [[8000, 9999]], OTHER: [{ protocol: 1, type: 8 }, { protocol: 47 }] });
    expect((await run("matrix", shop, pingOnly)).out).toContain("monitoring/prometheus[Deployment] => shop/db[StatefulSet] : TCP 8000-9999,ICMP type 8,protocol 47");
    // Narrowing the ping rule to one code is a change diff names, with the message it sampled.
    const [before, after] = ["before", "after"].map((name) => mkdtempSync(join(dir, name)));
    copyFileSync(shop, join(before!, "shop.yaml"));
    copyFileSync(shop, join(after!, "shop.yaml"));
    copyFileSync(pingOnly, join(before!, "db-icmp.yaml"));
    writeFileSync(join(after!, "db-icmp.yaml"), policy("  - {action: Allow, protocol: ICMP, icmp: {type: 8, code: 0}}\n  - {action: Allow, protocol: 47}\n  - {action: Deny}\n"));
    const diff = await run("diff", before!, after!);
    expect(diff.out).toContain("monitoring/prometheus[Deployment] => shop/db[StatefulSet] : TCP 8000-9999,ICMP type 8,protocol 47 -> TCP 8000-9999,ICMP type 8 code 0,protocol 47");
    const causes = JSON.parse((await run("diff", before!, after!, "-o", "json")).out) as { changes: { from: string; to: string; because?: { connection: string; now: string }[] }[] };
    const change = causes.changes.find((c) => c.from === "monitoring/prometheus[Deployment]" && c.to === "shop/db[StatefulSet]");
    expect(change?.because?.[0]).toMatchObject({ connection: "ICMP type 8 code 1", now: "denied" });
  });

  it("explain, matrix, diff and compile hold Calico source ports as a dimension of the connections", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-sport-"));
    const policy = (rules: string) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: db-sources}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
${rules}`;
    const sources = join(dir, "sources.yaml");
    writeFileSync(sources, policy('  - {action: Allow, protocol: UDP, source: {ports: [53]}}\n  - {action: Allow, protocol: TCP, source: {ports: ["1024:65535"]}, destination: {ports: [8080]}}\n  - {action: Deny}\n'));
    const ask = async (...flags: string[]) => JSON.parse((await run("explain", shop, sources, "--from", "198.51.100.7", "--to", "shop/db", ...flags, "-o", "json")).out) as { allowed: boolean; sourcePort?: number };
    // Without a source port a rule on source ports does not match; with one, it does when the port is in its list.
    expect(await ask("--port", "8080/TCP")).toMatchObject({ allowed: false, otherwiseFromSourcePorts: [[1024, 65535]] });
    expect(await ask("--port", "8080/TCP", "--source-port", "40000")).toMatchObject({ allowed: true, sourcePort: 40000 });
    expect((await ask("--port", "8080/TCP", "--source-port", "1023")).allowed).toBe(false);
    expect((await ask("--port", "9999/UDP", "--source-port", "53")).allowed).toBe(true);
    expect((await ask("--port", "9999/UDP", "--source-port", "54")).allowed).toBe(false);
    const text = (await run("explain", shop, sources, "--from", "198.51.100.7", "--to", "shop/db", "--port", "53/UDP", "--source-port", "53")).out;
    expect(text).toContain("on 53/UDP from source port 53: ALLOWED");
    expect(text).toContain("allowed by GlobalNetworkPolicy/db-sources ingress[0]");
    expect(text).not.toContain("Calico rules on source ports");
    const unasked = (await run("explain", shop, sources, "--from", "198.51.100.7", "--to", "shop/db", "--port", "53/UDP")).out;
    expect(unasked).toContain("on 53/UDP: DENIED");
    expect(unasked).toContain("  from source port 53: ALLOWED (Calico rules on source ports; --source-port asks about one)");
    for (const [flags, message] of [
      [["--port", "/ICMP", "--source-port", "53"], "--source-port goes with a TCP, UDP or SCTP --port, not /ICMP"],
      [["--port", "53/UDP", "--source-port", "65536"], "--source-port 65536: expected a port number from 0 to 65535"],
      [["--port", "53/UDP", "--source-port", "x"], "--source-port x: expected a port number from 0 to 65535"],
    ] as const) {
      const bad = await run("explain", shop, sources, "--from", "198.51.100.7", "--to", "shop/db", ...flags);
      expect(bad.code).toBe(2);
      expect(bad.err).toContain(message);
    }
    // The matrix says which source ports hold which ports, beside what every source port holds (here none: the shop's policies leave db closed).
    expect((await run("matrix", shop, sources)).out).toContain("11.0.0.0-255.255.255.255[External] => shop/db[StatefulSet] : TCP 8080 (from source ports 1024-65535),UDP 1-65535 (from source port 53)");
    const matrix = JSON.parse((await run("matrix", shop, sources, "-o", "json")).out) as { connections: { from: string; to: string; allowed: unknown }[] };
    const toDb = matrix.connections.find((c) => c.from === "11.0.0.0-255.255.255.255[External]" && c.to === "shop/db[StatefulSet]");
    expect(toDb?.allowed).toEqual({ sourcePorts: { TCP: [{ from: [[1024, 65535]], ports: [[8080, 8080]]}], UDP: [{ from: [[53, 53]], ports: [[1, 65535]] }] } });
    // Dropping the DNS source port is a change diff names, explained from the source port it sampled.
    const [before, after] = ["before", "after"].map((name) => mkdtempSync(join(dir, name)));
    copyFileSync(shop, join(before!, "shop.yaml"));
    copyFileSync(shop, join(after!, "shop.yaml"));
    copyFileSync(sources, join(before!, "sources.yaml"));
    writeFileSync(join(after!, "sources.yaml"), policy('  - {action: Allow, protocol: TCP, source: {ports: ["1024:65535"]}, destination: {ports: [8080]}}\n  - {action: Deny}\n'));
    const causes = JSON.parse((await run("diff", before!, after!, "-o", "json")).out) as { changes: { from: string; to: string; because?: { connection: string; now: string }[] }[] };
    const change = causes.changes.find((c) => c.from === "11.0.0.0-255.255.255.255[External]" && c.to === "shop/db[StatefulSet]");
    expect(change?.because?.[0]).toMatchObject({ connection: "1/UDP from source port 53", now: "denied" });
    // The compiled rules match source ports with multiport --sports.
    const compiled = (await run("compile", shop, join(repoRoot, "examples/network-shop-pods.yaml"), sources, "-o", "json")).out;
    expect(compiled).toContain("-p udp -m multiport --sports 53 -m comment");
    expect(compiled).toContain("-p tcp -m multiport --sports 1024:65535 -m multiport --dports 8080 -m comment");
  });

  it("refuses a port number with a protocol that has none", async () => {
    const r = await run("explain", shop, "--from", "shop/frontend", "--to", "shop/db", "--port", "80/ICMP");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--port 80/ICMP: ICMP has no ports");
    expect((await run("explain", shop, "--from", "shop/frontend", "--to", "shop/db", "--port", "/ICMP")).code).toBe(0);
  });

  it("generate refuses a namespace or label the API server would refuse, naming the entry", async () => {
    const flows = (workloads: unknown[]) => write("flows.json", JSON.stringify({ workloads, flows: [{ from: "a/b", to: "1.2.3.4", port: 80 }] }));
    const badKey = await run("generate", "--flows", flows([{ namespace: "a", name: "b", labels: { "bad key!": "v" } }]));
    expect(badKey.code).toBe(2);
    expect(badKey.out).toBe("");
    expect(badKey.err).toContain(`workloads[0] (a/b): label key "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
    const badNamespace = await run("generate", "--flows", flows([{ namespace: "a", name: "b", labels: { app: "b" } }, { namespace: "Bad_NS", name: "c", labels: { app: "c" } }]));
    expect(badNamespace.code).toBe(2);
    expect(badNamespace.err).toContain('workloads[1] (Bad_NS/c): namespace "Bad_NS" is not a valid namespace name');
    const badValue = await run("generate", "--flows", flows([{ namespace: "a", name: "b", labels: { app: "-x" } }]));
    expect(badValue.err).toContain('workloads[0] (a/b): label app="-x": a valid label must be an empty string or consist of alphanumeric characters');
  });
});
