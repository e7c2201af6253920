/**
 * `palisade authn whoami --ca` reads the CA bundle as kubectl and client-go do (Go's
 * CertPool.AppendCertsFromPEM): a damaged or non-certificate block is skipped with a warning
 * naming the file, line and block number, and only a bundle with no certificate left is
 * refused (exit 2). In-process through the real entry point, and once through the built bin.
 */
import "reflect-metadata";
import { spawnSync } from "node:child_process";
import { webcrypto } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { palisade } from "../../support/cli-in-process.js";
import { repoRoot } from "../../support/conformance.js";

const AT = "2026-06-01T12:00:00Z";
const DAY = 86_400_000;
const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const dir = mkdtempSync(join(tmpdir(), "palisade-whoami-"));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const lineCount = (pem: string) => pem.trimEnd().split("\n").length;
/** One base64 character changed to one outside the alphabet, as a bad copy leaves it. */
const corrupt = (pem: string) => {
  const lines = pem.split("\n");
  lines[3] = `${lines[3]!.slice(0, 2)}@${lines[3]!.slice(3)}`;
  return lines.join("\n");
};

let ca: string;
let other: string;
let unrelated: string;
let keyPem: string;
let cert: string;
beforeAll(async () => {
  const gen = async () => (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const [caKeys, otherKeys, unrelatedKeys, leafKeys] = await Promise.all([gen(), gen(), gen(), gen()]);
  const selfSigned = (name: string, keys: webcrypto.CryptoKeyPair) =>
    x509.X509CertificateGenerator.createSelfSigned({ name, keys, signingAlgorithm: alg, extensions: [new x509.BasicConstraintsExtension(true, undefined, true)], notBefore: new Date(Date.parse(AT) - DAY), notAfter: new Date(Date.parse(AT) + 365 * DAY) });
  ca = (await selfSigned("CN=ca", caKeys)).toString("pem") + "\n";
  other = (await selfSigned("CN=other", otherKeys)).toString("pem") + "\n";
  unrelated = (await selfSigned("CN=unrelated", unrelatedKeys)).toString("pem") + "\n";
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", unrelatedKeys.privateKey)).toString("base64");
  keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/(.{64})/g, "$1\n")}\n-----END PRIVATE KEY-----\n`;
  const leaf = await x509.X509CertificateGenerator.create({ subject: "CN=jane, O=dev", issuer: "CN=ca", publicKey: leafKeys.publicKey, signingKey: caKeys.privateKey, signingAlgorithm: alg, notBefore: new Date(Date.parse(AT) - 3600_000), notAfter: new Date(Date.parse(AT) + DAY) });
  cert = file("jane.crt", leaf.toString("pem"));
});

const SKIPPED_TOO = "kubectl and kube-apiserver skip it too";

describe("palisade authn whoami --ca with a damaged block", () => {
  it("skips the damaged block with a warning naming file, line and block, and still authenticates", async () => {
    const bundle = file("bundle.crt", other + corrupt(unrelated) + ca);
    const result = await palisade(["authn", "whoami", "--cert", cert, "--ca", bundle, "--at", AT]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^authenticated as jane\n {2}groups: {4}dev, system:authenticated\n/);
    expect(result.stderr).toBe(`palisade: warning: ${bundle}:${1 + lineCount(other)}:1: block 2 skipped: the CERTIFICATE block is corrupt: its base64 does not decode; ${SKIPPED_TOO}\n`);
  });

  it("warns about a private key in the bundle without printing it", async () => {
    const bundle = file("with-key.crt", ca + keyPem);
    const result = await palisade(["authn", "whoami", "--cert", cert, "--ca", bundle, "--at", AT]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`palisade: warning: ${bundle}:${1 + lineCount(ca)}:1: block 2 skipped: a PRIVATE KEY block, not a certificate; ${SKIPPED_TOO}\n`);
    expect(result.stdout + result.stderr).not.toContain(keyPem.split("\n")[1]!.slice(0, 20));
  });

  it("when the signing CA's own block is the damaged one, says so and does not authenticate (exit 1)", async () => {
    const bundle = file("ca-damaged.crt", other + corrupt(ca));
    const result = await palisade(["authn", "whoami", "--cert", cert, "--ca", bundle, "--at", AT]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^not authenticated: x509: certificate signed by unknown authority "CN=ca"\n/);
    expect(result.stderr).toBe(`palisade: warning: ${bundle}:${1 + lineCount(other)}:1: block 2 skipped: the CERTIFICATE block is corrupt: its base64 does not decode; ${SKIPPED_TOO}\n`);
  });

  it("refuses a bundle with no readable certificate, exit 2, after a warning for each block", async () => {
    const cut = other.slice(0, Math.floor(other.length / 2)) + "\n";
    const bundle = file("all-damaged.crt", corrupt(ca) + cut);
    const result = await palisade(["authn", "whoami", "--cert", cert, "--ca", bundle, "--at", AT]);
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toBe(
      `palisade: warning: ${bundle}:1:1: block 1 skipped: the CERTIFICATE block is corrupt: its base64 does not decode; ${SKIPPED_TOO}\n` +
        `palisade: warning: ${bundle}:${1 + lineCount(ca)}:1: block 2 skipped: the CERTIFICATE block is cut off: it has no -----END CERTIFICATE----- line; ${SKIPPED_TOO}\n` +
        `palisade: ${bundle}: no certificate could be read from the CA bundle: all 2 of its PEM blocks were skipped\n` +
        "  hint: kubectl refuses such a bundle too: copy the CA certificate again from its source (the cluster's ca.crt, or a kubeconfig's certificate-authority-data, base64-decoded)\n",
    );
    const notPem = await palisade(["authn", "whoami", "--cert", cert, "--ca", file("notes.txt", "just notes\n"), "--at", AT]);
    expect(notPem.code).toBe(2);
    expect(notPem.stderr).toBe(`palisade: ${join(dir, "notes.txt")}: not PEM-encoded certificates\n  hint: expected -----BEGIN CERTIFICATE----- blocks (convert a DER certificate with openssl x509 -inform der)\n`);
  });

  it("says that kube-apiserver, unlike kubectl, refuses a block whose DER is not X.509", async () => {
    const bundle = file("bad-der.crt", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n" + ca);
    const result = await palisade(["authn", "whoami", "--cert", cert, "--ca", bundle, "--at", AT]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`palisade: warning: ${bundle}:1:1: block 1 skipped: the CERTIFICATE block does not parse as an X.509 certificate; kubectl skips it too, but kube-apiserver refuses a --client-ca-file that holds it\n`);
  });

  it("the built bin prints the same warning and exit code", () => {
    if (!existsSync(join(repoRoot, "dist/bundle/main.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does)");
    const bundle = file("bin-bundle.crt", other + corrupt(unrelated) + ca);
    const run = spawnSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "authn", "whoami", "--cert", cert, "--ca", bundle, "--at", AT], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, CI: "true", FORCE_COLOR: "0" } });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: `palisade: warning: ${bundle}:${1 + lineCount(other)}:1: block 2 skipped: the CERTIFICATE block is corrupt: its base64 does not decode; ${SKIPPED_TOO}\n` });
    expect(run.stdout).toMatch(/^authenticated as jane\n/);
  });
});
