/** `palisade scan FILE` on CertificateSigningRequests, through the built CLI. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../support/etcd.js";
import { base64, csrManifest, makeRequest, withBadSignature } from "./support.js";

const CLIENT = "kubernetes.io/kube-apiserver-client";

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-csr-")), "csr.yaml");
  writeFileSync(file, text);
  return file;
}

describe("palisade scan on a CertificateSigningRequest", () => {
  it("reports a system:masters request as critical at its spec.request line, and fails", async () => {
    const pem = await makeRequest({ subject: "CN=mallory, O=system:masters", key: "ecdsa" });
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: before }\n---\n${csrManifest("break-glass", CLIENT, pem)}`;
    const line = text.split("\n").findIndex((l) => l.startsWith("  request:")) + 1;
    const file = write(text);
    const result = await runCli(["scan", file, "--no-color"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`\\n {4}${line}:3 +critical csr/system-masters `));
    const json = await runCli(["scan", file, "-o", "json"]);
    const report = JSON.parse(json.stdout) as { findings: Array<{ ruleId: string; severity: string; position: { file: string; line: number } }> };
    expect(report.findings.find((f) => f.ruleId === "csr/system-masters")).toMatchObject({ severity: "critical", position: { file, line } });
    // The request's text never reaches the report.
    expect(json.stdout).not.toContain(base64(pem).slice(0, 60));
  });

  it("says what is wrong with a malformed or tampered request, at its line, without a stack trace", async () => {
    const tampered = withBadSignature(await makeRequest({ subject: "CN=alice" }));
    const text = `${csrManifest("junk", CLIENT, "not a request")}---\n${csrManifest("tampered", CLIENT, tampered)}`;
    const [junkLine, tamperedLine] = text.split("\n").flatMap((l, i) => (l.startsWith("  request:") ? [i + 1] : []));
    const result = await runCli(["scan", write(text), "--no-color"]);
    expect(result.stdout).toMatch(new RegExp(`\\n {4}${junkLine}:3 +medium`));
    expect(result.stdout).toMatch(/ +medium +csr\/invalid-request +the API server refuses this CertificateSigningRequest: spec\.request: Invalid value: PEM block type must be CERTIFICATE REQUEST/);
    expect(result.stdout).toMatch(new RegExp(`\\n {4}${tamperedLine}:3 +medium`));
    expect(result.stdout).toMatch(/ +medium +csr\/invalid-request +.*the request's signature does not verify: crypto\/rsa: verification error/);
    expect(result.stderr).not.toContain("    at ");
  });
});
