/** `palisade netpol` end to end through the CLI entry point (in process). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { repoRoot } from "../support/conformance.js";
import { main } from "../../src/cli/main.js";

const shop = join(repoRoot, "examples/network-shop.yaml");

async function run(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  const write = (sink: (s: string) => void) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    sink(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  const o = vi.spyOn(process.stdout, "write").mockImplementation(write((s) => (out += s)));
  const e = vi.spyOn(process.stderr, "write").mockImplementation(write((s) => (err += s)));
  process.exitCode = 0;
  try {
    await main(["node", "palisade", "netpol", ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}

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
