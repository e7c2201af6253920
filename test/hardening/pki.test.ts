// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { spawnSync } from "node:child_process";
import { webcrypto } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, issueCertificate } from "../../src/adapters/webhook/certificates.js";
import { auditPki, type PkiFile } from "../../src/hardening/pki/audit.js";
import { repoRoot } from "../support/conformance.js";

const NOW = new Date();
const DAY = 86_400_000;

/** A self-signed RSA certificate of `bits`, signed with `hash` (webcrypto still makes SHA-1 signatures; no CA should). */
async function legacyCertificate(bits: number, hash: "SHA-1" | "SHA-256", notAfter: Date): Promise<{ certPem: string; keyPem: string }> {
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash, publicExponent: new Uint8Array([1, 0, 1]), modulusLength: bits };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: "01", name: "CN=legacy-front-proxy", notBefore: new Date(notAfter.getTime() - 700 * DAY), notAfter, keys, signingAlgorithm: algorithm });
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  return { certPem: cert.toString("pem") + "\n", keyPem: `-----BEGIN PRIVATE KEY-----\n${der.replace(/(.{64})/g, "$1\n")}\n-----END PRIVATE KEY-----\n` };
}

let dir = "";

/** kubeadm's layout: ca, apiserver (chain file with its CA), a system:masters client, an etcd subdirectory, and the problems. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "palisade-pki-"));
  mkdirSync(join(dir, "etcd"));
  const ca = await createCertificateAuthority("kubernetes", NOW, 3650);
  const impostorCa = await createCertificateAuthority("kubernetes", NOW, 3650);
  const etcdCa = await createCertificateAuthority("etcd-ca", NOW, 3650);
  const apiserver = await issueCertificate(ca, { commonName: "kube-apiserver", dnsNames: ["kubernetes"], usage: "server", days: 365 });
  const admin = await issueCertificate(ca, { commonName: "kubernetes-admin", organization: "system:masters", usage: "client", days: 365 });
  const soon = await issueCertificate(ca, { commonName: "kube-apiserver-kubelet-client", organization: "kubeadm:cluster-admins", usage: "client", now: new Date(NOW.getTime() - 355 * DAY), days: 365 });
  const forged = await issueCertificate(impostorCa, { commonName: "front-proxy-client", usage: "client", days: 365 });
  const etcdServer = await issueCertificate(etcdCa, { commonName: "etcd-server", usage: "server", days: 365 });
  const write = (file: string, text: string, mode = 0o644) => {
    writeFileSync(join(dir, file), text);
    chmodSync(join(dir, file), mode);
  };
  write("ca.crt", ca.certPem);
  write("ca.key", ca.keyPem, 0o600);
  write("apiserver.crt", apiserver.certPem + ca.certPem);
  write("apiserver.key", apiserver.keyPem, 0o640);
  write("admin.crt", admin.certPem);
  write("apiserver-kubelet-client.crt", soon.certPem);
  write("front-proxy-client.crt", forged.certPem);
  const legacy = await legacyCertificate(1024, "SHA-1", new Date(NOW.getTime() - DAY));
  write("legacy.pem", legacy.certPem);
  // Its key: weak too, but reported once, with its certificate.
  write("legacy.key", legacy.keyPem, 0o600);
  write("broken.crt", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
  write("etcd/ca.crt", etcdCa.certPem);
  write("etcd/server.crt", etcdServer.certPem);
  write("etcd/server.key", etcdServer.keyPem, 0o604);
  write("notes.txt", "not read");
  // The service-account signing key, alone (no certificate): 1024 bits, so tokens can be forged.
  const weak = (await webcrypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 1024 }, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", weak.privateKey)).toString("base64");
  write("sa.key", `-----BEGIN PRIVATE KEY-----\n${der.replace(/(.{64})/g, "$1\n")}\n-----END PRIVATE KEY-----\n`, 0o600);
});

function palisade(args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "pki", ...args], { encoding: "utf8", env: { ...process.env, CI: "true" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("palisade pki", () => {
  it("finds each problem of the directory at its file, and lists every certificate with who signed it", () => {
    const run = palisade([dir, "-o", "json", "--fail-on", "none"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { certificates: Array<{ file: string; commonName: string; signedBy?: string; residualDays: number; key: string }>; findings: Array<{ ruleId: string; message: string; position: { file: string; line: number } }> };
    const got = report.findings.map((f) => `${f.ruleId} ${f.position.file.slice(dir.length + 1)}:${f.position.line}`).sort();
    expect(got).toEqual(
      [
        "pki/expired legacy.pem:1",
        "pki/expiring apiserver-kubelet-client.crt:1",
        "pki/key-permissions apiserver.key:1",
        "pki/key-permissions etcd/server.key:1",
        "pki/system-masters admin.crt:1",
        "pki/unreadable broken.crt:1",
        "pki/unverified-issuer front-proxy-client.crt:1",
        "pki/weak-key legacy.pem:1",
        "pki/weak-key sa.key:1",
      ].sort(),
    );
    const message = (id: string, file: string) => report.findings.find((f) => f.ruleId === id && f.position.file.endsWith(file))?.message;
    expect(message("pki/key-permissions", "apiserver.key")).toBe("apiserver.key holds a private key that its group may read (mode 0640)");
    expect(message("pki/key-permissions", "etcd/server.key")).toBe("server.key holds a private key that everyone may read (mode 0604)");
    // Self-signed: Go never checks its own SHA-1 signature (pki-weak-signature.test.ts has one a CA signed).
    expect(message("pki/weak-signature", "legacy.pem")).toBeUndefined();
    expect(message("pki/expiring", "apiserver-kubelet-client.crt")).toMatch(/in (9|10) days$/);
    // The finding and the expiry table count the same whole days (a QA pass found 9d beside "in 10 days").
    const soonDays = report.certificates.find((c) => c.file.endsWith("apiserver-kubelet-client.crt"))?.residualDays;
    expect(message("pki/expiring", "apiserver-kubelet-client.crt")).toMatch(new RegExp(`in ${soonDays} days$`));
    const byFile = new Map(report.certificates.map((c) => [`${c.file.slice(dir.length + 1)} ${c.commonName}`, c]));
    expect(byFile.get("apiserver.crt kube-apiserver")?.signedBy).toBe(join(dir, "ca.crt"));
    // The CA's own file, not the copy at the end of apiserver.crt's chain.
    expect(byFile.get("admin.crt kubernetes-admin")?.signedBy).toBe(join(dir, "ca.crt"));
    expect(byFile.get("apiserver.crt kubernetes")?.signedBy).toBeUndefined();
    expect(byFile.get("etcd/server.crt etcd-server")?.signedBy).toBe(join(dir, "etcd/ca.crt"));
    expect(byFile.get("front-proxy-client.crt front-proxy-client")?.signedBy).toBeUndefined();
    expect(byFile.get("legacy.pem legacy-front-proxy")).toMatchObject({ key: "RSA 1024" });
    expect(byFile.get("ca.crt kubernetes")).toMatchObject({ key: "ECDSA 256" });
  });

  it("prints kubeadm's expiry table, then the findings, and exits 1 at --fail-on", () => {
    const run = palisade([dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^CERTIFICATE\s+FILE\s+EXPIRES\s+RESIDUAL\s+SIGNED BY\s+KEY$/m);
    expect(run.stdout).toMatch(/^kube-apiserver\s+apiserver\.crt\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+36\dd\s+ca\.crt\s+ECDSA 256$/m);
    expect(run.stdout).toMatch(/^kubernetes\s+apiserver\.crt #2 /m);
    expect(run.stdout).toMatch(/^legacy-front-proxy\s+legacy\.pem\s+\S+ \S+ UTC\s+expired\s+\(CA\)|^legacy-front-proxy\s+legacy\.pem\s+\S+ \S+ UTC\s+expired\s+-/m);
    expect(run.stdout).not.toContain("BEGIN");
    expect(palisade([dir, "--fail-on", "critical"]).code).toBe(0);
  });

  it("says clearly what is wrong with the directory", () => {
    const missing = palisade([join(dir, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope: no such directory/);
    const file = palisade([join(dir, "ca.crt")]);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/is not a directory/);
  });

  // As root (CI), run as nobody (who must be able to read the checkout): a directory it may not read is an input error, not a crash.
  const asNobody = process.getuid?.() === 0 && spawnSync("runuser", ["-u", "nobody", "--", "test", "-r", join(repoRoot, "dist/bundle/main.js")]).status === 0;
  it.skipIf(!asNobody)("says which directory it may not read", () => {
    const locked = mkdtempSync(join(tmpdir(), "palisade-pki-locked-"));
    chmodSync(locked, 0o700);
    const r = spawnSync("runuser", ["-u", "nobody", "--", process.execPath, join(repoRoot, "bin/palisade.js"), "pki", locked], { encoding: "utf8", env: { ...process.env, CI: "true" } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`palisade: cannot read ${locked}: EACCES\n  hint: run as a user who may read the PKI directory (root on kubeadm nodes)\n`);
  });

  it("judges expiry at the moment it is given", () => {
    const files: PkiFile[] = [{ file: join(dir, "ca.crt"), text: readFileSync(join(dir, "ca.crt"), "utf8"), mode: 0o644 }];
    expect(auditPki(files, NOW).findings).toEqual([]);
    expect(auditPki(files, new Date(NOW.getTime() + 3640 * DAY)).findings.map((f) => f.ruleId)).toEqual(["pki/expiring"]);
    expect(auditPki(files, new Date(NOW.getTime() + 3651 * DAY)).findings.map((f) => f.ruleId)).toEqual(["pki/expired"]);
    // Issued a minute before NOW: a node whose clock is behind that refuses it, as Go does an expired one.
    const early = auditPki(files, new Date(NOW.getTime() - DAY)).findings;
    expect(early.map((f) => f.ruleId)).toEqual(["pki/not-yet-valid"]);
    expect(early[0]?.message).toMatch(/^CA certificate kubernetes \(ca\.crt\) is not valid before \d{4}-\d\d-\d\d \d\d:\d\d UTC: every component refuses it until then$/);
    expect(auditPki(files, new Date(NOW.getTime() + 1000)).findings).toEqual([]);
  });
});

describe("palisade pki over damaged files and symbolic links", () => {
  let linked = "";
  let ca = { certPem: "", keyPem: "" };
  beforeAll(async () => {
    linked = mkdtempSync(join(tmpdir(), "palisade-pki-links-"));
    ca = await createCertificateAuthority("front-proxy-ca", NOW, 3650);
    const client = await issueCertificate(await createCertificateAuthority("kubernetes", NOW, 3650), { commonName: "kubelet-client", usage: "client", days: 365 });
    // A Secret volume's layout: tls.crt -> ..data/tls.crt, ..data -> ..2026_01_01.
    mkdirSync(join(linked, "..2026_01_01"));
    writeFileSync(join(linked, "..2026_01_01", "tls.crt"), client.certPem);
    symlinkSync("..2026_01_01", join(linked, "..data"));
    symlinkSync("..data/tls.crt", join(linked, "tls.crt"));
    // kubeadm's kubelet-client-current.pem, a link beside the file it names; a directory linked from outside; a loop.
    writeFileSync(join(linked, "kubelet-client-2026-01-01.pem"), ca.certPem);
    symlinkSync("kubelet-client-2026-01-01.pem", join(linked, "kubelet-client-current.pem"));
    const outside = mkdtempSync(join(tmpdir(), "palisade-pki-outside-"));
    writeFileSync(join(outside, "etcd-ca.crt"), ca.certPem);
    symlinkSync(outside, join(linked, "etcd"));
    symlinkSync(".", join(linked, "self"));
    symlinkSync("loop-b.crt", join(linked, "loop-a.crt"));
    symlinkSync("loop-a.crt", join(linked, "loop-b.crt"));
    symlinkSync("gone.crt", join(linked, "dangling.crt"));
    // What kube-apiserver would not start with: random bytes, a certificate cut mid-block.
    const bytes = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7919 + 3) % 256));
    writeFileSync(join(linked, "front-proxy-ca.crt"), bytes);
    writeFileSync(join(linked, "front-proxy-client.crt"), ca.certPem.slice(0, 300));
  });

  it("follows links to files and directories once each, and reports every file no component could load", () => {
    const run = palisade([linked, "-o", "json", "--fail-on", "none"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { certificates: Array<{ file: string; commonName: string }>; findings: Array<{ ruleId: string; message: string; position: { file: string; line: number } }> };
    expect(report.certificates.map((c) => `${c.file.slice(linked.length + 1)} ${c.commonName}`)).toEqual(["etcd/etcd-ca.crt front-proxy-ca", "kubelet-client-current.pem front-proxy-ca", "tls.crt kubelet-client"]);
    expect(report.findings.map((f) => `${f.ruleId} ${f.position.file.slice(linked.length + 1)}:${f.position.line} ${f.message}`)).toEqual([
      "pki/unreadable dangling.crt:1 dangling.crt is a symbolic link to gone.crt, which does not exist",
      "pki/unreadable front-proxy-ca.crt:1 front-proxy-ca.crt: is binary data, not PEM, and no DER certificate either",
      "pki/unreadable front-proxy-client.crt:1 front-proxy-client.crt: the CERTIFICATE block at line 1 is cut off: it has no -----END CERTIFICATE----- line",
      "pki/unreadable loop-a.crt:1 loop-a.crt is a symbolic link in a loop of links: it leads to no file",
      "pki/unreadable loop-b.crt:1 loop-b.crt is a symbolic link in a loop of links: it leads to no file",
    ]);
    expect(run.stdout).not.toContain(ca.certPem.slice(28, 60));
  });

  it("exits 1 on a directory holding only a cut-off certificate, which it no longer calls clean", () => {
    const only = mkdtempSync(join(tmpdir(), "palisade-pki-cut-"));
    writeFileSync(join(only, "front-proxy-client.crt"), ca.certPem.slice(0, 300));
    const run = palisade([only]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`no certificates under ${only}`);
    expect(run.stdout).toMatch(/medium +pki\/unreadable +front-proxy-client\.crt: the CERTIFICATE block at line 1 is cut off/);
    expect(run.stdout).toMatch(/^1 finding \(1 medium\) in 1 of 1 object, across 1 file\.$/m);
  });
});
