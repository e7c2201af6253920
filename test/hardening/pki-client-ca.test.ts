/**
 * pki/system-masters judges a certificate against kube-apiserver's client CA when it is known:
 * ca.crt in a kubeadm directory (kubeadm's --client-ca-file), or --client-ca-file. Older kubeadm
 * releases put apiserver-etcd-client.crt and etcd/healthcheck-client.crt in system:masters but
 * sign them with the etcd CA (cmd/kubeadm/app/phases/certs/certlist.go): they authenticate to
 * etcd only, and are not reported. The chain is verified by signature, as Go's x509.Verify
 * builds it, not by names: every case here is also put to Palisade's model of kube-apiserver's
 * X.509 authenticator (src/access/authn/x509.ts) where that model covers it.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { spawnSync } from "node:child_process";
import { webcrypto } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, Version } from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { CERTIFICATE_NOW, makeCertificate, type CertificateSpec, type MadeCertificate } from "../support/test-certificates.js";
import { authenticateClientCertificate } from "../../src/access/authn/x509.js";
import { auditPki, type PkiFile } from "../../src/hardening/pki/audit.js";
import { kubeadmClientCa, readClientCaBundle } from "../../src/hardening/pki/client-ca.js";
import { repoRoot } from "../support/conformance.js";

const NOW = CERTIFICATE_NOW;
const DAY = 86_400_000;
type Made = MadeCertificate;
type Spec = CertificateSpec;
const make = makeCertificate;

const CLIENT = [x509.ExtendedKeyUsage.clientAuth];
const MASTERS = (cn: string) => `CN=${cn}, O=system:masters`;

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

/** An RSA certificate, self-signed or signed by `signer`; `version1` rewrites it without version and extensions, as old tools issued CAs. */
async function rsaCertificate(subject: string, signer: Made | undefined, version1: boolean, spec: Partial<Spec> = {}): Promise<Made> {
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const signingKey = signer ? signer.keys.privateKey : keys.privateKey;
  const extensions = spec.eku ? [new x509.ExtendedKeyUsageExtension(spec.eku)] : [];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "0a01",
    subject,
    issuer: signer ? signer.cert.subject : subject,
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 300 * DAY),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: RSA,
    extensions,
  });
  if (!version1) return { cert, keys };
  const asn = AsnConvert.parse(cert.rawData, Certificate);
  asn.tbsCertificate.version = Version.v1;
  delete asn.tbsCertificate.extensions;
  asn.signatureValue = await webcrypto.subtle.sign(RSA, signingKey, AsnConvert.serialize(asn.tbsCertificate));
  return { cert: new x509.X509Certificate(AsnConvert.serialize(asn)), keys };
}

/** A kubeadm PKI directory, older release (etcd clients in system:masters), with the cases around it. */
const tree = new Map<string, Made>();
/** Whether kube-apiserver, given ca.crt as --client-ca-file, takes the file's certificate as system:masters. */
const expected = new Map<string, boolean>();
let dir = "";

beforeAll(async () => {
  const ca = await make({ subject: "CN=kubernetes", ca: true });
  const etcdCa = await make({ subject: "CN=etcd-ca", ca: true });
  const frontProxyCa = await make({ subject: "CN=front-proxy-ca", ca: true });
  const impostor = await make({ subject: "CN=kubernetes", ca: true });
  const intermediate = await make({ subject: "CN=people-ca", ca: true, signer: ca });
  const serverOnlyIntermediate = await make({ subject: "CN=serving-ca", ca: true, eku: [x509.ExtendedKeyUsage.serverAuth], signer: ca });
  const notACa = await make({ subject: "CN=not-a-ca", eku: CLIENT, signer: ca });
  const noPathRoot = await make({ subject: "CN=strict-root", ca: true, pathLength: 0 });
  const underStrictRoot = await make({ subject: "CN=strict-intermediate", ca: true, signer: noPathRoot });
  const add = (file: string, made: Made, masters?: boolean) => {
    tree.set(file, made);
    if (masters !== undefined) expected.set(file, masters);
  };
  add("ca.crt", ca);
  add("etcd/ca.crt", etcdCa);
  add("front-proxy-ca.crt", frontProxyCa);
  add("apiserver.crt", await make({ subject: "CN=kube-apiserver", eku: [x509.ExtendedKeyUsage.serverAuth], signer: ca }));
  // Older kubeadm: in system:masters, signed by ca.crt: a real bypass of authorization.
  add("apiserver-kubelet-client.crt", await make({ subject: MASTERS("kube-apiserver-kubelet-client"), eku: CLIENT, signer: ca }), true);
  // Older kubeadm: in system:masters, signed by the etcd CA: etcd's clients, not kube-apiserver's.
  add("apiserver-etcd-client.crt", await make({ subject: MASTERS("kube-apiserver-etcd-client"), eku: CLIENT, signer: etcdCa }), false);
  add("etcd/healthcheck-client.crt", await make({ subject: MASTERS("kube-etcd-healthcheck-client"), eku: CLIENT, signer: etcdCa }), false);
  add("front-proxy-masters.crt", await make({ subject: MASTERS("proxy-admin"), eku: CLIENT, signer: frontProxyCa }), false);
  // Names the cluster CA as its issuer, signed by another key with the same name: only a signature check tells.
  add("forged-admin.crt", await make({ subject: MASTERS("forged-admin"), eku: CLIENT, signer: impostor }), false);
  // Through an intermediate CA of the directory, which whoever holds the leaf can present.
  add("people-ca.crt", intermediate);
  add("break-glass.crt", await make({ subject: MASTERS("break-glass"), eku: CLIENT, signer: intermediate }), true);
  // Go nests extended key usage down the chain: an intermediate for servers only cannot vouch for a client.
  add("serving-ca.crt", serverOnlyIntermediate);
  add("served-admin.crt", await make({ subject: MASTERS("served-admin"), eku: CLIENT, signer: serverOnlyIntermediate }), false);
  // Signed by a certificate that is no CA: Go refuses the link (CheckSignatureFrom).
  add("not-a-ca.crt", notACa);
  add("under-leaf.crt", await make({ subject: MASTERS("under-leaf"), eku: CLIENT, signer: notACa }), false);
  // Signed by the client CA with SHA-1, which Go refuses to build a chain with since 1.18.
  add("sha1-admin.crt", await make({ subject: MASTERS("sha1-admin"), eku: CLIENT, signer: ca, hash: "SHA-1" }), false);
  // A CA whose keyUsage leaves out keyCertSign: Go's CheckSignatureFrom refuses it as a parent.
  const noCertSign = await make({ subject: "CN=no-certsign-ca", ca: true, keyUsage: x509.KeyUsageFlags.digitalSignature, signer: ca });
  add("no-certsign-ca.crt", noCertSign);
  add("under-no-certsign.crt", await make({ subject: MASTERS("under-no-certsign"), eku: CLIENT, signer: noCertSign }), false);
  // A system:masters CA signed by the client CA: accepted as a client certificate like any other.
  add("masters-sub-ca.crt", await make({ subject: MASTERS("masters-sub-ca"), ca: true, signer: ca }), true);
  // Self-signed in system:masters, not in the client-CA bundle: no chain.
  add("masters-root.crt", await make({ subject: MASTERS("masters-root"), ca: true }), false);
  add("etcd/strict-root.crt", noPathRoot);
  add("etcd/strict-intermediate.crt", underStrictRoot);
  add("etcd/too-deep.crt", await make({ subject: MASTERS("too-deep"), eku: CLIENT, signer: underStrictRoot }));
  add("etcd/strict-direct.crt", await make({ subject: MASTERS("strict-direct"), eku: CLIENT, signer: noPathRoot }));
  dir = mkdtempSync(join(tmpdir(), "palisade-pki-client-ca-"));
  for (const [file, made] of tree) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), made.cert.toString("pem"));
  }
}, 60_000);

function files(): PkiFile[] {
  return [...tree].map(([file, made]) => ({ file: join(dir, file), text: made.cert.toString("pem"), mode: 0o644 }));
}

const mastersFindings = (audit: ReturnType<typeof auditPki>) => audit.findings.filter((f) => f.ruleId === "pki/system-masters");
const reportedFiles = (audit: ReturnType<typeof auditPki>) => mastersFindings(audit).map((f) => f.position!.file.slice(dir.length + 1)).sort();

describe("pki/system-masters against kube-apiserver's client CA", () => {
  it("in a kubeadm directory, judges against ca.crt and reports only what chains to it by signature", () => {
    const clientCa = kubeadmClientCa(dir, files());
    expect(clientCa?.described).toBe("ca.crt, the client CA kubeadm gives kube-apiserver (--client-ca-file)");
    const audit = auditPki(files(), NOW, { clientCa: clientCa! });
    expect(reportedFiles(audit)).toEqual([...expected].filter(([, masters]) => masters).map(([file]) => file).sort());
    expect(mastersFindings(audit).find((f) => f.position!.file.endsWith("/apiserver-kubelet-client.crt"))?.message).toBe(
      "certificate kube-apiserver-kubelet-client (apiserver-kubelet-client.crt) is a client certificate in group system:masters: it bypasses authorization and cannot be revoked (it chains to ca.crt, the client CA kubeadm gives kube-apiserver (--client-ca-file))",
    );
  });

  it("agrees with the model of kube-apiserver's X.509 authenticator, ca.crt as --client-ca-file and the directory's CAs presented", async () => {
    const cas = [...tree.values()].filter((m) => m.cert.getExtension(x509.BasicConstraintsExtension)?.ca);
    for (const [file, masters] of expected) {
      const made = tree.get(file)!;
      const report = await authenticateClientCertificate({ presented: [made.cert, ...cas.filter((c) => c !== made).map((c) => c.cert)], roots: [tree.get("ca.crt")!.cert], now: NOW });
      const asMasters = report.result.authenticated && report.result.user.groups.includes("system:masters");
      expect({ file, asMasters }).toEqual({ file, asMasters: masters });
    }
  });

  it("respects a CA's pathLen, as Go's isValid does", () => {
    const roots = readClientCaBundle(tree.get("etcd/strict-root.crt")!.cert.toString("pem"));
    const audit = auditPki(files(), NOW, { clientCa: { described: "strict-root.crt", roots } });
    // pathLen 0: it signs client certificates itself, but no intermediate may stand between.
    expect(reportedFiles(audit)).toEqual(["etcd/strict-direct.crt"]);
  });

  it("takes a version 1 CA (no basicConstraints) as the client CA, but not as an intermediate, as Go does", async () => {
    const legacyRoot = await rsaCertificate("CN=legacy-root", undefined, true);
    const legacyIntermediate = await rsaCertificate("CN=legacy-intermediate", legacyRoot, true);
    const direct = await rsaCertificate("CN=legacy-admin, O=system:masters", legacyRoot, false, { eku: CLIENT });
    const throughIntermediate = await rsaCertificate("CN=legacy-deep, O=system:masters", legacyIntermediate, false, { eku: CLIENT });
    const pem = (m: Made) => m.cert.toString("pem");
    expect(pem(legacyRoot)).not.toBe(pem(await rsaCertificate("CN=legacy-root", undefined, false)));
    const legacyFiles = [legacyRoot, legacyIntermediate, direct, throughIntermediate].map((m, i) => ({ file: `/legacy/${i}.crt`, text: pem(m), mode: 0o644 }));
    const audit = auditPki(legacyFiles, NOW, { clientCa: { described: "legacy-root", roots: readClientCaBundle(pem(legacyRoot)) } });
    expect(mastersFindings(audit).map((f) => f.object?.name)).toEqual(["legacy-admin"]);
  });

  it("reports a system:masters CA that is in the client-CA bundle itself: it ends its own chain", () => {
    const bundle = [tree.get("ca.crt")!, tree.get("masters-root.crt")!].map((m) => m.cert.toString("pem")).join("\n");
    const audit = auditPki(files(), NOW, { clientCa: { described: "bundle.crt", roots: readClientCaBundle(bundle) } });
    expect(mastersFindings(audit).find((f) => f.position!.file.endsWith("/masters-root.crt"))?.message).toBe(
      "CA certificate masters-root (masters-root.crt) is the client CA itself, which kube-apiserver accepts as a client certificate too, in group system:masters: it bypasses authorization and cannot be revoked (it is in bundle.crt)",
    );
  });

  it("with the client CA unknown, reports every system:masters client certificate and says the chain was assumed", () => {
    const audit = auditPki(files(), NOW);
    expect(reportedFiles(audit)).toEqual(expect.arrayContaining(["apiserver-etcd-client.crt", "etcd/healthcheck-client.crt", "apiserver-kubelet-client.crt", "forged-admin.crt"]));
    for (const f of mastersFindings(audit)) expect(f.message).toMatch(/\(judged assuming it chains to kube-apiserver's client CA, which is not known here: name it with --client-ca-file\)$/);
  });

  it("takes no ca.crt as the client CA outside a kubeadm layout", () => {
    expect(kubeadmClientCa(dir, files().filter((f) => f.file === join(dir, "ca.crt") || f.file.endsWith("/masters-root.crt")))).toBeUndefined();
    expect(kubeadmClientCa(join(dir, "etcd"), files())).toBeUndefined();
  });
});

function palisade(args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "pki", ...args], { encoding: "utf8", env: { ...process.env, CI: "true" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("palisade pki --client-ca-file", () => {
  const reported = (args: string[]) => {
    const run = palisade([dir, "-o", "json", "--fail-on", "none", ...args]);
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; message: string; position: { file: string } }> };
    return report.findings.filter((f) => f.ruleId === "pki/system-masters");
  };

  it("judges against the kubeadm ca.crt by default, and against the CA it is given instead", () => {
    expect(reported([]).map((f) => f.position.file.slice(dir.length + 1)).sort()).toEqual(["apiserver-kubelet-client.crt", "break-glass.crt", "masters-sub-ca.crt"]);
    const etcd = reported(["--client-ca-file", join(dir, "etcd/ca.crt")]);
    expect(etcd.map((f) => f.position.file.slice(dir.length + 1)).sort()).toEqual(["apiserver-etcd-client.crt", "etcd/healthcheck-client.crt"]);
    expect(etcd[0]?.message.endsWith(`(it chains to the client CA given with --client-ca-file (${join(dir, "etcd/ca.crt")}))`)).toBe(true);
  });

  it("says clearly what is wrong with the file it is given", () => {
    const missing = palisade([dir, "--client-ca-file", join(dir, "nope.crt")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`palisade: cannot read --client-ca-file ${join(dir, "nope.crt")}: no such file\n  hint: name the CA bundle kube-apiserver's --client-ca-file names (kubeadm: /etc/kubernetes/pki/ca.crt)\n`);
    const notPem = join(dir, "notes.txt");
    writeFileSync(notPem, "not a certificate\n");
    const empty = palisade([dir, "--client-ca-file", notPem]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^palisade: --client-ca-file .*notes\.txt holds no PEM certificate\n {2}hint: /);
    const directory = palisade([dir, "--client-ca-file", dir]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(/is a directory/);
  });
});
