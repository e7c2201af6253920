/**
 * Whatever a kubeconfig, a kubelet configuration, a control-plane static pod or a PKI
 * directory holds, the checks answer with findings and never throw (property tests over
 * arbitrary values where the files have structure, and arbitrary bytes where they hold PEM).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { auditPki } from "../../src/hardening/pki/audit.js";
import { readPemCertificates } from "../../src/hardening/x509.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { snapshotOf } from "../support/snapshot.js";


/** Values where the file has lists and mappings, and sometimes the right names. */
const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant("true"), fc.constant(true), fc.constant("AlwaysAllow"), fc.base64String({ maxLength: 64 }));
const entry = (field: string) => fc.oneof(value, fc.record({ name: fc.oneof(fc.string(), value), [field]: fc.dictionary(fc.constantFrom("server", "insecure-skip-tls-verify", "certificate-authority-data", "token", "tokenFile", "password", "auth-provider", "client-certificate-data"), value) }));

describe("hostile configuration", () => {
  it("a kubeconfig of any shape gives findings, never an exception", () => {
    fc.assert(
      fc.property(fc.oneof(value, fc.array(entry("cluster"), { maxLength: 4 })), fc.oneof(value, fc.array(entry("user"), { maxLength: 4 })), (clusters, users) => {
        const findings = checkKubeconfigs(snapshotOf({ apiVersion: "v1", kind: "Config", clusters, users } as K8sObject), { now: new Date() });
        for (const f of findings) expect(f.ruleId).toMatch(/^kubeconfig\//);
      }),
      { numRuns: 300 },
    );
  });

  it("a kubelet configuration or a static pod's command of any shape gives findings, never an exception", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("authentication", "authorization", "readOnlyPort", "rotateCertificates", "protectKernelDefaults", "seccompDefault", "makeIPTablesUtilChains"), value), (fields) => {
        checkControlPlane(snapshotOf({ apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration", ...fields }));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.constantFrom("etcd", "kube-controller-manager", "kube-scheduler", "kube-apiserver"), fc.array(fc.oneof(fc.string(), fc.constantFrom("--listen-client-urls=http://[::1", "--bind-address", "--client-cert-auth="), value), { maxLength: 8 }), (binary, args) => {
        checkControlPlane(snapshotOf({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", command: [binary, ...args] }] } } as K8sObject));
      }),
      { numRuns: 300 },
    );
    // The counterexample a run found: a mapping whose toString is not a function.
    expect(() => checkControlPlane(snapshotOf({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", command: ["etcd", { toString: false }] }] } } as K8sObject))).not.toThrow();
  });

  it("PEM blocks of arbitrary bytes, and truncated DER, are reported as unreadable, never thrown", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(bytes).toString("base64")}\n-----END CERTIFICATE-----\n`;
        expect(readPemCertificates(pem)).toEqual([{ problem: "holds a PEM block that is not a valid X.509 certificate" }]);
        const audit = auditPki([{ file: "/pki/x.crt", text: pem + "-----BEGIN PRIVATE KEY-----\n", mode: 0o644 }], new Date());
        expect(audit.findings.map((f) => f.ruleId).sort()).toEqual(["pki/key-permissions", "pki/unreadable"]);
      }),
      { numRuns: 200 },
    );
  });
});
