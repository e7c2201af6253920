// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, issueCertificate } from "../../src/adapters/webhook/certificates.js";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { scanInEveryFormat } from "../support/every-format.js";

const NOW = new Date("2026-12-01T00:00:00Z");
const DAY = 86_400_000;
const b64 = (pem: string) => Buffer.from(pem).toString("base64");
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.c2ln";
const PASSWORD = "correct-horse-battery-staple";

/** A self-signed RSA certificate of `bits` (webcrypto will make a 1024-bit key; no CA would today), valid from a month before NOW. */
async function rsaCertificate(bits: number, notAfter: Date): Promise<string> {
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: bits };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: "01", name: "CN=old-ca", notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter, keys, signingAlgorithm: algorithm });
  return cert.toString("pem");
}

let kubeconfig = "";

beforeAll(async () => {
  const ca = await createCertificateAuthority("kubernetes", NOW);
  const admin = await issueCertificate(ca, { commonName: "kubernetes-admin", organization: "system:masters", usage: "client", now: new Date(NOW.getTime() - 300 * DAY), days: 310 });
  const expired = await issueCertificate(ca, { commonName: "ci", usage: "client", now: new Date(NOW.getTime() - 400 * DAY), days: 30 });
  // Issued by a machine whose clock runs two days ahead: valid from NOW + 2 days (less the issuer's minute of slack).
  const early = await issueCertificate(ca, { commonName: "early-bird", usage: "client", now: new Date(NOW.getTime() + 2 * DAY), days: 365 });
  const weakCa = await rsaCertificate(1024, new Date(NOW.getTime() + 3650 * DAY));
  kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: ${b64(ca.certPem)}
- name: lab
  cluster:
    server: https://lab.example:6443
    insecure-skip-tls-verify: true
- name: proxy
  cluster:
    server: http://127.0.0.1:8001
- name: legacy
  cluster:
    server: https://legacy.example:6443
    certificate-authority-data: ${b64(weakCa)}
- name: broken
  cluster:
    server: https://broken.example:6443
    certificate-authority-data: Zm9vYmFy
users:
- name: admin
  user:
    client-certificate-data: ${b64(admin.certPem)}
    client-key-data: ${b64(admin.keyPem)}
- name: ci
  user:
    client-certificate-data: ${b64(expired.certPem)}
    client-key-data: ${b64(expired.keyPem)}
- name: deployer
  user:
    token: ${TOKEN}
- name: reader
  user:
    tokenFile: /var/run/secrets/reader-token
- name: old-timer
  user:
    username: admin
    password: ${PASSWORD}
- name: gke
  user:
    auth-provider:
      name: gcp
      config: {access-token: ya29.secret-access-token}
- name: modern
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubelogin
      args: [get-token]
      env:
      - {name: AZURE_CONFIG_DIR, value: /home/ci/.azure}
      - {name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMI-example-secret}
      - {name: TOKEN_FILE, value: /run/token}
      - {name: AWS_ACCESS_KEY_ID, value: AKIAIOSFODNN7EXAMPLE}
- name: early
  user:
    client-certificate-data: ${b64(early.certPem)}
contexts:
- name: prod
  context: {cluster: prod, user: admin}
current-context: prod
`;
});

function judge(now: Date | undefined) {
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile("config", kubeconfig).objects };
  return checkKubeconfigs(snapshot, now ? { now } : {});
}

describe("kubeconfig rules", () => {
  it("finds each weakness at its field, and nothing on the users and clusters that are sound", () => {
    const got = judge(NOW).map((f) => `${f.ruleId} ${f.fieldPath}`);
    expect(got.sort()).toEqual(
      [
        "kubeconfig/insecure-skip-tls-verify clusters[1].cluster.insecure-skip-tls-verify",
        "kubeconfig/plain-http clusters[2].cluster.server",
        "kubeconfig/weak-key clusters[3].cluster.certificate-authority-data",
        // A version 3 certificate without basicConstraints (createSelfSigned writes none) may sign nothing in Go: pinned, at info.
        "kubeconfig/ca-cannot-sign clusters[3].cluster.certificate-authority-data",
        // ...and, pinned with no subjectAltName, it can never be the certificate of legacy.example: nothing connects.
        "kubeconfig/server-name-mismatch clusters[3].cluster.server",
        "kubeconfig/unreadable-certificate clusters[4].cluster.certificate-authority-data",
        "kubeconfig/system-masters users[0].user.client-certificate-data",
        "kubeconfig/client-key users[0].user.client-key-data",
        "kubeconfig/client-key users[1].user.client-key-data",
        "kubeconfig/exec-env-secret users[6].user.exec.env[1].value",
        "kubeconfig/certificate-expiring users[0].user.client-certificate-data",
        "kubeconfig/certificate-expired users[1].user.client-certificate-data",
        "kubeconfig/certificate-not-yet-valid users[7].user.client-certificate-data",
        "kubeconfig/static-token users[2].user.token",
        "kubeconfig/static-token users[3].user.tokenFile",
        "kubeconfig/basic-auth users[4].user.password",
        "kubeconfig/removed-auth-provider users[5].user.auth-provider.name",
        // The access token the removed gcp plugin cached stays in the file all the same.
        "kubeconfig/static-token users[5].user.auth-provider.config.access-token",
        // An exec plugin of client.authentication.k8s.io/v1 must say its interactiveMode, and a client certificate needs a key: kubectl refuses both (not in use: low).
        "kubeconfig/refused-entry users[6].user.exec",
        "kubeconfig/refused-entry users[7].user.client-certificate-data",
      ].sort(),
    );
    const expiring = judge(NOW).find((f) => f.ruleId === "kubeconfig/certificate-expiring");
    expect(expiring?.message).toMatch(/expires on \d{4}-\d\d-\d\d, in (9|10) days/);
    expect(judge(NOW).find((f) => f.ruleId === "kubeconfig/weak-key")?.message).toBe("the CA certificate of cluster legacy has a 1024-bit RSA key");
    expect(judge(NOW).find((f) => f.ruleId === "kubeconfig/ca-cannot-sign")).toMatchObject({ severity: "info", message: expect.stringMatching(/^certificate old-ca in the certificate-authority-data of cluster legacy is a pinned server certificate, trusted only for itself/) });
    expect(judge(NOW).find((f) => f.ruleId === "kubeconfig/certificate-not-yet-valid")?.message).toBe("the client certificate is not valid before 2026-12-02 23:59 UTC: it is refused until then");
  });

  it("points at the line of the field", () => {
    const lines = kubeconfig.split("\n");
    for (const f of judge(NOW)) {
      const key = f.fieldPath?.split(".").at(-1) ?? "";
      expect(lines[(f.position?.line ?? 0) - 1]).toContain(`${key}:`);
    }
  });

  it("judges no expiry without a clock", () => {
    expect(judge(undefined).filter((f) => /^kubeconfig\/certificate-(exp|not-yet)/.test(f.ruleId))).toEqual([]);
  });

  it("takes a certificate as valid from the very second its validity starts, as Go does", () => {
    const notYet = (now: Date) => judge(now).filter((f) => f.ruleId === "kubeconfig/certificate-not-yet-valid").length;
    const start = new Date(NOW.getTime() + 2 * DAY - 60_000);
    expect(notYet(new Date(start.getTime() - 1000))).toBe(1);
    expect(notYet(start)).toBe(0);
  });

  it("palisade scan reads a kubeconfig with no extension, and prints no token, password or key", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-kubeconfig-"));
    const file = join(dir, "config");
    writeFileSync(file, kubeconfig);
    const out = scanInEveryFormat(file);
    expect(out).toContain("kubeconfig/system-masters");
    // A client's file is no API object: no namespace "default" is implied by it (no quota finding).
    expect(out).not.toContain("namespace default has no ResourceQuota");
    expect(out).toContain("Config/prod");
    for (const secret of [TOKEN, PASSWORD, "ya29.secret-access-token", "BEGIN PRIVATE KEY", "LS0tLS1CRUdJTiBQUklWQVRF", "wJalrXUtnFEMI-example-secret"]) expect(out).not.toContain(secret);
  });
});
