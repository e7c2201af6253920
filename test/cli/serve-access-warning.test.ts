/**
 * `palisade serve` (the built CLI) warns once at start-up, from the primary and not from each
 * worker, when /authenticate or /authorize would answer any caller (no server.clientCAFile),
 * and not otherwise; with a client CA it then refuses callers without a certificate (401) and
 * still answers the probe the kubelet would send.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../../src/adapters/webhook/certificates.js";
import { builtCli } from "../support/etcd.js";
import { startServe } from "../support/serve-process.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-serve-warning-"));
const WARNING = /any caller that can reach the port/;

beforeAll(async () => {
  builtCli();
  const ca = await createCertificateAuthority("apiserver-client-ca");
  writeFileSync(join(dir, "apiserver-ca.crt"), ca.certPem);
  // Generated per run: no token material in the repo.
  writeFileSync(join(dir, "tokens.csv"), `tok-${Math.random().toString(36).slice(2)},alice,1001\n`);
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, server: string, access: string): string {
  const file = join(dir, name);
  writeFileSync(file, `apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  address: 127.0.0.1\n${server}policies:\n  nodeRestriction: {mode: enforce}\n${access}`);
  return file;
}

/** The start-up log lines of a serve run that reached listening, as JSON. */
async function startupLines(file: string, check?: (call: (path: string, body?: unknown) => Promise<{ status: number; text: string }>) => Promise<void>): Promise<Record<string, unknown>[]> {
  const server = await startServe(file, { extra: ["--self-signed", "localhost"] });
  try {
    await check?.(server.call);
    return server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } finally {
    await server.stop();
  }
}

const warnings = (lines: Record<string, unknown>[]) => lines.filter((line) => typeof line.msg === "string" && WARNING.test(line.msg));

describe("palisade serve and callers of /authenticate and /authorize", () => {
  it("warns once, from the primary of two workers, when they are served without server.clientCAFile", async () => {
    const lines = await startupLines(config("open.yaml", "  workers: 2\n", "access:\n  tokenFile: tokens.csv\n  guardrails:\n    production: { key: env, value: prod }\n"));
    // Both workers listened: the warning is not one per process.
    expect(lines.filter((line) => line.msg === "palisade webhook listening")).toHaveLength(2);
    const found = warnings(lines);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ level: 40, endpoints: ["/authenticate", "/authorize"], setting: "server.clientCAFile" });
  }, 60_000);

  it("does not warn with server.clientCAFile, and then refuses callers without a certificate while the probes answer", async () => {
    const lines = await startupLines(config("closed.yaml", "  clientCAFile: apiserver-ca.crt\n", "access:\n  tokenFile: tokens.csv\n  guardrails:\n    production: { key: env, value: prod }\n"), async (call) => {
      expect(await call("/readyz")).toEqual({ status: 200, text: "ok" });
      const refused = await call("/authorize", { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user: "alice", nonResourceAttributes: { path: "/healthz", verb: "get" } } });
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.text)).toMatchObject({ kind: "Status", code: 401, reason: "Unauthorized" });
      expect(JSON.parse(refused.text).message).toMatch(/^\/authorize is served only to callers presenting a client certificate signed by the CA in server\.clientCAFile .*; none was presented$/);
    });
    expect(warnings(lines)).toEqual([]);
  }, 60_000);

  it("does not warn when neither is served", async () => {
    const lines = await startupLines(config("admission-only.yaml", "", ""));
    expect(lines.some((line) => line.msg === "palisade webhook listening")).toBe(true);
    expect(warnings(lines)).toEqual([]);
  }, 60_000);
});
