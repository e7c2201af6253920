/**
 * The file forms of a kubeconfig's certificates (certificate-authority, client-certificate,
 * client-key), opened as client-go opens them: a relative path from the kubeconfig's directory
 * (clientcmd ResolveLocalPaths), the data winning when both are set (transport
 * dataFromSliceOrFile), and judged exactly as the `*-data` forms are. A file kubectl cannot read
 * stops it before it connects (clientcmd ConfirmUsable, transport loadTLSFiles).
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { webcrypto } from "node:crypto";
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { MAX_REFERENCED_FILE_BYTES, openReferencedFile } from "../../src/hardening/kubeconfig/referenced-file.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { repoRoot } from "../support/conformance.js";
import { kubeconfigText } from "../support/kubeconfig-text.js";
import { CERTIFICATE_NOW, makeCertificate, type MadeCertificate } from "../support/test-certificates.js";

const pem = (...made: MadeCertificate[]) => made.map((m) => m.cert.toString("pem") + "\n").join("");
const b64 = (...made: MadeCertificate[]) => Buffer.from(pem(...made)).toString("base64");
const CLIENT_AUTH = [x509.ExtendedKeyUsage.clientAuth];
const SERVER_AUTH = [x509.ExtendedKeyUsage.serverAuth];
/** Stands for a secret in a file named by mistake: it must never reach a finding. */
const SECRET_TEXT = "s3cr3t-value-in-a-file-that-is-no-certificate";

const kubeconfig = (cluster: string, user?: string) => kubeconfigText({ cluster, user });

function judge(file: string, text: string) {
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile(file, text).objects };
  return checkKubeconfigs(snapshot, { now: CERTIFICATE_NOW });
}

const summary = (findings: ReturnType<typeof judge>) => findings.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`).sort();

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "palisade-kubeconfig-files-"));
}

/** A P-256 key pair's private half as PKCS #8 PEM, for a client-key file. */
async function keyPem(made: MadeCertificate): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", made.keys.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64")}\n-----END PRIVATE KEY-----\n`;
}

describe("certificate-authority as a file", () => {
  it("is read from the kubeconfig's directory, not the current one, and judged at its field", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "kube"));
    const clientOnlyCa = await makeCertificate({ subject: "CN=client-ca", ca: true, eku: CLIENT_AUTH });
    writeFileSync(join(dir, "kube", "ca.crt"), pem(clientOnlyCa));
    const text = kubeconfig("certificate-authority: ca.crt");
    const findings = judge(join(dir, "kube", "config"), text).filter((f) => f.ruleId === "kubeconfig/ca-cannot-sign");
    expect(findings.map((f) => [f.severity, f.fieldPath])).toEqual([["high", "clusters[0].cluster.certificate-authority"]]);
    expect(text.split("\n")[(findings[0]?.position?.line ?? 0) - 1]).toContain("certificate-authority: ca.crt");
    // Lines count in the file itself, not in decoded data.
    expect(findings[0]?.message).toMatch(/^the certificate-authority file ca\.crt of cluster prod verifies no API server: .*\(CA certificate client-ca \(line 1\): /);
  });

  it("finds exactly what the same certificates find as certificate-authority-data", async () => {
    const dir = scratch();
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const clientOnlyCa = await makeCertificate({ subject: "CN=client-ca", ca: true, eku: CLIENT_AUTH });
    const pinned = await makeCertificate({ subject: "CN=kube-apiserver", ca: false, eku: SERVER_AUTH });
    for (const [name, bundle] of [["sound", [ca]], ["mixed", [ca, clientOnlyCa]], ["pinned", [pinned]], ["dead", [clientOnlyCa]]] as const) {
      writeFileSync(join(dir, `${name}.crt`), pem(...bundle));
      const fromData = judge(join(dir, "config"), kubeconfig(`certificate-authority-data: ${b64(...bundle)}`));
      const fromFile = judge(join(dir, "config"), kubeconfig(`certificate-authority: ${name}.crt`));
      const asData = summary(fromData).map((line) => line.replace(/certificate-authority-data$/, "certificate-authority"));
      expect(summary(fromFile), name).toEqual(asData);
    }
    // And something is found at all: the comparison is not between two empty lists.
    expect(summary(judge(join(dir, "config"), kubeconfig("certificate-authority: mixed.crt")))).toContain("kubeconfig/ca-cannot-sign medium clusters[0].cluster.certificate-authority");
  });

  it("reports a missing file, a directory and a file that is not PEM at the field, and never what the file holds", () => {
    const dir = scratch();
    mkdirSync(join(dir, "certs"));
    writeFileSync(join(dir, "notes.txt"), `${SECRET_TEXT}\n`);
    const at = (ref: string) => judge(join(dir, "config"), kubeconfig(`certificate-authority: ${ref}`)).filter((f) => /unreadable/.test(f.ruleId));
    const missing = at("missing.crt");
    expect(missing.map((f) => [f.ruleId, f.severity, f.fieldPath])).toEqual([["kubeconfig/unreadable-file", "medium", "clusters[0].cluster.certificate-authority"]]);
    expect(missing[0]?.message).toBe(`the certificate-authority file missing.crt (${join(dir, "missing.crt")}) of cluster prod does not exist: kubectl and client-go stop with an error before connecting with it`);
    expect(at("certs").map((f) => f.message)).toEqual([expect.stringMatching(/^the certificate-authority file certs \(.*\) of cluster prod is a directory: kubectl/)]);
    const notPem = at("notes.txt");
    expect(notPem.map((f) => [f.ruleId, f.message])).toEqual([["kubeconfig/unreadable-certificate", "the CA certificate of cluster prod in notes.txt is not a PEM certificate"]]);
    for (const f of [...missing, ...notPem]) expect(JSON.stringify(f)).not.toContain(SECRET_TEXT);
  });

  it("does not read a file over the bound, nor a FIFO (which would block), and says so", () => {
    const dir = scratch();
    writeFileSync(join(dir, "huge.crt"), "");
    truncateSync(join(dir, "huge.crt"), MAX_REFERENCED_FILE_BYTES + 1);
    const huge = judge(join(dir, "config"), kubeconfig("certificate-authority: huge.crt")).filter((f) => /unreadable/.test(f.ruleId));
    expect(huge.map((f) => [f.ruleId, f.severity, f.message])).toEqual([["kubeconfig/unreadable-file", "info", `the certificate-authority file huge.crt (${join(dir, "huge.crt")}) of cluster prod is over 4 MiB, so it was not read nor judged`]]);
    execFileSync("mkfifo", [join(dir, "pipe.crt")]);
    const fifo = judge(join(dir, "config"), kubeconfig("certificate-authority: pipe.crt")).filter((f) => /unreadable/.test(f.ruleId));
    expect(fifo.map((f) => f.message)).toEqual([expect.stringContaining("is not a regular file (a device, socket or FIFO), so it was not read nor judged")]);
    // kubectl would read it: not judged is all that is said, at info, with no claim that kubectl stops.
    expect(fifo.map((f) => [f.severity, /stop with an error/.test(f.message)])).toEqual([["info", false]]);
  });

  it("leaves the file unread when certificate-authority-data is set too: client-go uses the data, and kubectl refuses the pair", async () => {
    const dir = scratch();
    const clientOnlyCa = await makeCertificate({ subject: "CN=client-ca", ca: true, eku: CLIENT_AUTH });
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    writeFileSync(join(dir, "ca.crt"), pem(clientOnlyCa));
    expect(summary(judge(join(dir, "config"), kubeconfig(`certificate-authority: ca.crt\ncertificate-authority-data: ${b64(ca)}`)))).toEqual(["kubeconfig/refused-entry medium clusters[0].cluster.certificate-authority"]);
    expect(summary(judge(join(dir, "config"), kubeconfig(`certificate-authority: missing.crt\ncertificate-authority-data: ${b64(clientOnlyCa)}`)))).toEqual(["kubeconfig/ca-cannot-sign high clusters[0].cluster.certificate-authority-data", "kubeconfig/refused-entry medium clusters[0].cluster.certificate-authority"]);
  });

  it("opens nothing outside the kubeconfig's directory: an absolute path elsewhere, ../, a link leading out", async () => {
    const outside = scratch();
    const dir = scratch();
    const clientOnlyCa = await makeCertificate({ subject: "CN=client-ca", ca: true, eku: CLIENT_AUTH });
    writeFileSync(join(outside, "ca.crt"), pem(clientOnlyCa));
    symlinkSync(join(outside, "ca.crt"), join(dir, "linked.crt"));
    for (const ref of [join(outside, "ca.crt"), `../${outside.split("/").pop()}/ca.crt`, "linked.crt", join(outside, "missing.crt")]) {
      expect(summary(judge(join(dir, "config"), kubeconfig(`certificate-authority: ${ref}`))), ref).toEqual([]);
    }
    // An absolute path inside the directory is opened.
    writeFileSync(join(dir, "ca.crt"), pem(clientOnlyCa));
    expect(summary(judge(join(dir, "config"), kubeconfig(`certificate-authority: ${join(dir, "ca.crt")}`)))).toEqual(["kubeconfig/ca-cannot-sign high clusters[0].cluster.certificate-authority"]);
  });

  it("resolves against the current directory for standard input, and opens nothing for a live cluster's objects", async () => {
    const dir = scratch();
    const clientOnlyCa = await makeCertificate({ subject: "CN=client-ca", ca: true, eku: CLIENT_AUTH });
    writeFileSync(join(dir, "ca.crt"), pem(clientOnlyCa));
    expect(openReferencedFile("<stdin>", "ca.crt", dir)).toEqual({ text: pem(clientOnlyCa), resolved: join(dir, "ca.crt") });
    expect(openReferencedFile("<cluster prod>", "ca.crt", dir)).toEqual({ notOpened: true });
    expect(openReferencedFile("kustomize:overlays/prod", "ca.crt", dir)).toEqual({ notOpened: true });
  });

  it("palisade scan - judges the file beside the current directory, as kubectl does for a kubeconfig with no file of origin", async () => {
    const dir = scratch();
    const clientOnlyCa = await makeCertificate({ subject: "CN=client-ca", ca: true, eku: CLIENT_AUTH });
    writeFileSync(join(dir, "ca.crt"), pem(clientOnlyCa) + `# ${SECRET_TEXT}\n`);
    let out = "";
    try {
      execFileSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "scan", "-", "-o", "json"], { cwd: dir, input: kubeconfig("certificate-authority: ca.crt"), encoding: "utf8" });
      throw new Error("expected exit 1");
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      expect(e.status).toBe(1);
      out = e.stdout + e.stderr;
    }
    const report = JSON.parse(out) as { findings: Array<{ ruleId: string; fieldPath: string }> };
    expect(report.findings.filter((f) => f.ruleId.startsWith("kubeconfig/")).map((f) => `${f.ruleId} ${f.fieldPath}`)).toEqual(["kubeconfig/ca-cannot-sign clusters[0].cluster.certificate-authority"]);
    expect(out).not.toContain(SECRET_TEXT);
    expect(out).not.toContain("BEGIN CERTIFICATE");
  });
});

describe("client-certificate and client-key as files", () => {
  it("judges the certificate file as client-certificate-data, checks that the key file opens, and prints no key", async () => {
    const dir = scratch();
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const admin = await makeCertificate({ subject: "CN=kubernetes-admin, O=system:masters", signer: ca, eku: CLIENT_AUTH });
    const key = await keyPem(admin);
    writeFileSync(join(dir, "admin.crt"), pem(admin));
    writeFileSync(join(dir, "admin.key"), key);
    const cluster = `certificate-authority-data: ${b64(ca)}`;
    const good = judge(join(dir, "config"), kubeconfig(cluster, "{client-certificate: admin.crt, client-key: admin.key}"));
    expect(summary(good)).toEqual(["kubeconfig/system-masters high users[0].user.client-certificate"]);
    const missingKey = judge(join(dir, "config"), kubeconfig(cluster, "{client-certificate: admin.crt, client-key: gone.key}"));
    expect(summary(missingKey)).toEqual(["kubeconfig/system-masters high users[0].user.client-certificate", "kubeconfig/unreadable-file medium users[0].user.client-key"]);
    expect(missingKey.find((f) => f.ruleId === "kubeconfig/unreadable-file")?.message).toMatch(/^the client-key file gone\.key \(.*\) of user admin does not exist: kubectl/);
    // A key file named as the certificate is not a certificate: reported, its content never shown.
    const swapped = judge(join(dir, "config"), kubeconfig(cluster, "{client-certificate: admin.key, client-key: admin.key}"));
    expect(summary(swapped)).toEqual(["kubeconfig/unreadable-certificate medium users[0].user.client-certificate"]);
    const body = key.split("\n")[1] as string;
    for (const f of [...good, ...missingKey, ...swapped]) expect(JSON.stringify(f)).not.toContain(body.slice(10, 50));
  });

  it("opens no key file without a client certificate, as client-go's ConfirmUsable", () => {
    const dir = scratch();
    expect(summary(judge(join(dir, "config"), kubeconfig("insecure-skip-tls-verify: false", "{client-key: gone.key}")))).toEqual([]);
  });
});
