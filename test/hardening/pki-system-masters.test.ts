/**
 * pki/system-masters reports what kube-apiserver's X.509 authenticator would take as a user of
 * group system:masters, CA certificates included: Go's x509.Verify does not require the
 * presented certificate to be a leaf, ignores keyUsage, and a CA in the client-CA bundle ends
 * its own chain. It does not report what cannot authenticate: an extended key usage without
 * clientAuth, or no CommonName (CommonNameUserConversion maps it to no user). Each case is
 * checked against Palisade's model of that authenticator (src/access/authn/x509.ts), with
 * certificates generated here.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { CERTIFICATE_NOW, makeCertificate, type CertificateSpec, type MadeCertificate } from "../support/test-certificates.js";
import { authenticateClientCertificate } from "../../src/access/authn/x509.js";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { auditPki } from "../../src/hardening/pki/audit.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

const NOW = CERTIFICATE_NOW;
type Made = MadeCertificate;
type Spec = CertificateSpec & { ca: boolean };
const make = makeCertificate;

const CLIENT_AUTH = x509.ExtendedKeyUsage.clientAuth;
const SERVER_AUTH = x509.ExtendedKeyUsage.serverAuth;
const ANY = "2.5.29.37.0";

let root: Made;
const cases: Array<{ file: string; made: Made; flagged: boolean; message?: RegExp }> = [];

beforeAll(async () => {
  root = await make({ subject: "CN=kubernetes", ca: true });
  const add = async (file: string, spec: Omit<Spec, "signer"> & { selfSigned?: boolean }, flagged: boolean, message?: RegExp) =>
    cases.push({ file, made: await make({ ...spec, ...(spec.selfSigned ? {} : { signer: root }) }), flagged, ...(message ? { message } : {}) });
  await add("admin.crt", { subject: "CN=kubernetes-admin, O=system:masters", ca: false, eku: [CLIENT_AUTH] }, true, /^certificate kubernetes-admin \(admin\.crt\) is a client certificate in group system:masters/);
  // A CA signed by the client CA, in system:masters, with the usual CA keyUsage and no EKU: Go ignores keyUsage.
  await add("break-glass-ca.crt", { subject: "CN=break-glass, O=system:masters", ca: true }, true, /^CA certificate break-glass \(break-glass-ca\.crt\) is accepted as a client certificate though it is a CA in group system:masters/);
  await add("masters-root.crt", { subject: "CN=masters-root, O=system:masters", ca: true, selfSigned: true }, true, /^CA certificate masters-root \(masters-root\.crt\) is accepted as a client certificate by a kube-apiserver whose client CA it is in group system:masters/);
  await add("any-usage-ca.crt", { subject: "CN=any-usage, O=system:masters", ca: true, eku: [ANY] }, true);
  await add("any-usage.crt", { subject: "CN=tool, O=system:masters", ca: false, eku: [ANY] }, true);
  // What cannot authenticate is not reported, CA or not.
  await add("server-only-ca.crt", { subject: "CN=serving-ca, O=system:masters", ca: true, eku: [SERVER_AUTH] }, false);
  await add("server-only.crt", { subject: "CN=masters-server, O=system:masters", ca: false, eku: [SERVER_AUTH] }, false);
  await add("no-cn.crt", { subject: "O=system:masters", ca: false, eku: [CLIENT_AUTH] }, false);
  await add("no-cn-ca.crt", { subject: "O=system:masters", ca: true }, false);
  await add("ordinary-ca.crt", { subject: "CN=ordinary-ca, O=example", ca: true }, false);
}, 60_000);

describe("pki/system-masters", () => {
  it("reports every certificate kube-apiserver would take as group system:masters, CA or not, and nothing else", async () => {
    const audit = auditPki(
      [{ file: "/pki/ca.crt", text: root.cert.toString("pem"), mode: 0o644 }, ...cases.map((c) => ({ file: `/pki/${c.file}`, text: c.made.cert.toString("pem"), mode: 0o644 }))],
      NOW,
    );
    const reported = audit.findings.filter((f) => f.ruleId === "pki/system-masters");
    expect(reported.map((f) => f.position!.file.slice("/pki/".length)).sort()).toEqual(cases.filter((c) => c.flagged).map((c) => c.file).sort());
    for (const c of cases.filter((x) => x.message)) expect(reported.find((f) => f.position!.file === `/pki/${c.file}`)?.message).toMatch(c.message!);
  });

  it("agrees with the model of kube-apiserver's X.509 authenticator, the CA the certificate chains to (or itself) as --client-ca-file", async () => {
    for (const c of cases) {
      const selfSigned = c.made.cert.issuer === c.made.cert.subject;
      const report = await authenticateClientCertificate({ presented: [c.made.cert], roots: [selfSigned ? c.made.cert : root.cert], now: NOW });
      const asMasters = report.result.authenticated && report.result.user.groups.includes("system:masters");
      expect({ file: c.file, asMasters }).toEqual({ file: c.file, asMasters: c.flagged });
    }
  });
});

describe("kubeconfig/system-masters", () => {
  it("reports the same certificates as pki/system-masters, by the same judgement, when they are a kubeconfig's client certificates", () => {
    const users = cases.map((c, i) => `- name: u${i}\n  user:\n    client-certificate-data: ${Buffer.from(c.made.cert.toString("pem")).toString("base64")}\n`).join("");
    const kubeconfig = `apiVersion: v1\nkind: Config\nclusters: []\nusers:\n${users}`;
    const findings = checkKubeconfigs({ ...emptySnapshot(), objects: parseYamlFile("config", kubeconfig).objects }, { now: NOW });
    const reported = findings.filter((f) => f.ruleId === "kubeconfig/system-masters").map((f) => cases[Number(/^users\[(\d+)\]/.exec(f.fieldPath ?? "")?.[1])]!.file);
    expect(reported.sort()).toEqual(cases.filter((c) => c.flagged).map((c) => c.file).sort());
    const message = (file: string) => findings.find((f) => f.ruleId === "kubeconfig/system-masters" && f.fieldPath?.startsWith(`users[${cases.findIndex((c) => c.file === file)}]`))?.message;
    expect(message("admin.crt")).toBe("the client certificate of kubernetes-admin is in group system:masters: it bypasses authorization and cannot be revoked");
    expect(message("break-glass-ca.crt")).toBe("the client certificate of break-glass, a CA certificate kube-apiserver accepts as a client certificate all the same, is in group system:masters: it bypasses authorization and cannot be revoked");
  });
});
