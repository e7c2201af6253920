/**
 * kubeconfig/server-name-mismatch: a certificate pinned in certificate-authority-data (trusted
 * only for itself) must still name the server, as crypto/tls verifies the server's certificate
 * for tls.Config.ServerName (client-go: tls-server-name, else net/http's host of the server URL)
 * with crypto/x509's VerifyHostname before any chain, a chain of one included.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { tlsHostOf } from "../../src/hardening/url-text.js";
import { verifyHostname } from "../../src/hardening/pki/verify-hostname.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { kubeconfigText } from "../support/kubeconfig-text.js";
import { CERTIFICATE_NOW, makeCertificate, type MadeCertificate } from "../support/test-certificates.js";

const pem = (made: MadeCertificate) => made.cert.toString("pem") + "\n";
const b64 = (...made: MadeCertificate[]) => Buffer.from(made.map(pem).join("")).toString("base64");
const SERVER_AUTH = [x509.ExtendedKeyUsage.serverAuth];

function ipBytes(ip: string): Uint8Array {
  if (ip.includes(".") && !ip.includes(":")) return Uint8Array.from(ip.split(".").map(Number));
  const [head = "", tail = ""] = ip.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const words = [...groups(head), ...new Array<number>(8 - groups(head).length - groups(tail).length).fill(0), ...groups(tail)];
  return Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}

/** A server certificate, not a CA, with these subjectAltNames: what a pinned certificate is. */
function serverCertificate(subject: string, names: { dns?: string[]; ips?: string[] }): Promise<MadeCertificate> {
  const sans = [...(names.dns ?? []).map((value) => ({ type: "dns" as const, value })), ...(names.ips ?? []).map((value) => ({ type: "ip" as const, value }))];
  return makeCertificate({ subject, ca: false, eku: SERVER_AUTH, extensions: sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans)] : [] });
}

/** The cluster's fields, its server among them. */
const kubeconfig = (cluster: string) => kubeconfigText({ server: null, cluster });

function judge(text: string, file = "config") {
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile(file, text).objects };
  return checkKubeconfigs(snapshot, { now: CERTIFICATE_NOW }).filter((f) => f.ruleId === "kubeconfig/server-name-mismatch");
}

describe("verifyHostname, as Go's crypto/x509 VerifyHostname", () => {
  // Each row's answer is what Go's Certificate.VerifyHostname returned for it (go1.19, crypto/x509 verify.go).
  const rows: Array<[string[], string[], string, boolean]> = [
    [["kube.example"], [], "kube.example", true],
    [["kube.example"], [], "KUBE.Example", true],
    [["kube.example"], [], "kube.example.", true],
    [["kube.example."], [], "kube.example", false],
    [["kube.example."], [], "kube.example.", true],
    [["*.example.com"], [], "api.example.com", true],
    [["*.example.com"], [], "a.b.example.com", false],
    [["*.example.com"], [], "example.com", false],
    [["f*.example.com"], [], "foo.example.com", false],
    [["f*.example.com"], [], "f*.example.com", true],
    [["*.example.com"], [], "*.example.com", true],
    [["api.*.com"], [], "api.x.com", false],
    [["10.0.0.1"], [], "10.0.0.1", false],
    [[], ["10.0.0.1"], "10.0.0.1", true],
    [[], ["10.0.0.1"], "[10.0.0.1]", true],
    [[], ["10.0.0.1"], "::ffff:10.0.0.1", true],
    [[], ["::1"], "[::1]", true],
    [[], ["::1"], "0:0:0:0:0:0:0:1", true],
    [[], ["10.0.0.1"], "010.0.0.1", false],
    [["010.0.0.1"], [], "010.0.0.1", true],
    [["under_score.example"], [], "Under_Score.example", true],
    [["-bad.example"], [], "-bad.example", true],
    [["*.example.com"], [], "-bad.example.com", false],
    [["kube.example"], ["10.0.0.1"], "kube", false],
    [["exa mple"], [], "EXA MPLE", true],
    // go1.19 said true: a bare wildcard became an invalid pattern later, so only the exact text "*" matches it.
    [["*"], [], "localhost", false],
    [["*"], [], "*", true],
  ];
  it.each(rows)("DNS %j, IP %j, host %j: %s", (dns, ips, host, expected) => {
    expect(verifyHostname({ dns, ips: ips.map(ipBytes) }, host)).toBe(expected);
  });
});

describe("the host net/http verifies a server URL for", () => {
  it.each([
    ["https://10.0.0.1:6443", "10.0.0.1"],
    ["https://[fd00::1]:6443/k8s/clusters/c-1", "fd00::1"],
    ["HTTPS://admin@Kube.Example", "Kube.Example"],
    // Without a scheme, client-go takes the server as http:// (rest.IsConfigTransportTLS, asked before any TLS setting is merged).
    ["kube.example:6443", undefined],
    ["10.0.0.1:6443", undefined],
    ["http://kube.example:8080", undefined],
    ["https://:6443", undefined],
    ["https://kube.example:https", undefined],
  ])("%s: %s", (server, host) => {
    expect(tlsHostOf(server)).toBe(host);
  });
});

describe("kubeconfig/server-name-mismatch", () => {
  it("a pinned certificate for another name is high at server when nothing else verifies the server; the CommonName does not count", async () => {
    const pinned = await serverCertificate("CN=10.0.0.1", { dns: ["kube.example"] });
    const text = kubeconfig(`server: https://10.0.0.1:6443\ncertificate-authority-data: ${b64(pinned)}`);
    const findings = judge(text);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "high", fieldPath: "clusters[0].cluster.server" });
    expect(text.split("\n")[(findings[0]?.position?.line ?? 0) - 1]).toContain("server:");
    expect(findings[0]?.message).toBe(
      "the pinned server certificate 10.0.0.1 in the certificate-authority-data of cluster prod cannot be the API server's certificate: Go verifies the API server's certificate for 10.0.0.1 (its server) against its subjectAltName only (DNS names: kube.example; IP addresses: none), never its CommonName, and nothing else there verifies a server, so kubectl and client-go cannot connect to cluster prod",
    );
  });

  it("says nothing when the pinned certificate names the server: an IP SAN, an IPv6 one in brackets, a DNS name in another case, a wildcard", async () => {
    const pinned = await serverCertificate("CN=kube-apiserver", { dns: ["*.Kube.Example"], ips: ["10.0.0.1", "fd00::1"] });
    for (const server of ["https://10.0.0.1:6443", "https://[fd00::1]:6443", "https://api.kube.example", "https://API.kube.example.:443"]) {
      expect(judge(kubeconfig(`server: ${server}\ncertificate-authority-data: ${b64(pinned)}`)), server).toEqual([]);
    }
  });

  it("tls-server-name takes the place of the URL's host, and a mismatch is reported at it", async () => {
    const pinned = await serverCertificate("CN=kube-apiserver", { dns: ["kubernetes.default.svc"] });
    expect(judge(kubeconfig(`server: https://10.0.0.1:6443\ntls-server-name: kubernetes.default.svc\ncertificate-authority-data: ${b64(pinned)}`))).toEqual([]);
    const findings = judge(kubeconfig(`server: https://kubernetes.default.svc\ntls-server-name: kubernetes\ncertificate-authority-data: ${b64(pinned)}`));
    expect(findings.map((f) => [f.severity, f.fieldPath])).toEqual([["high", "clusters[0].cluster.tls-server-name"]]);
    expect(findings[0]?.message).toContain("for kubernetes (its tls-server-name)");
  });

  it("beside a CA that may sign the server's certificate, a pinned certificate for another name is only dead weight: low", async () => {
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const pinned = await serverCertificate("CN=old-apiserver", { dns: ["old.example"] });
    const findings = judge(kubeconfig(`server: https://kube.example:6443\ncertificate-authority-data: ${b64(ca, pinned)}`));
    expect(findings.map((f) => f.severity)).toEqual(["low"]);
    expect(findings[0]?.message).toMatch(/^the pinned server certificate old-apiserver .* the rest of it may verify the server, this certificate never does$/);
  });

  it("judges neither a CA (the server may present a certificate it signed), nor a plain-HTTP server, nor a cluster that skips verification", async () => {
    const selfSignedCa = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    expect(judge(kubeconfig(`server: https://kube.example\ncertificate-authority-data: ${b64(selfSignedCa)}`))).toEqual([]);
    const pinned = await serverCertificate("CN=kube-apiserver", { dns: ["elsewhere.example"] });
    expect(judge(kubeconfig(`server: http://kube.example\ncertificate-authority-data: ${b64(pinned)}`))).toEqual([]);
    expect(judge(kubeconfig(`server: https://kube.example\ninsecure-skip-tls-verify: true\ncertificate-authority-data: ${b64(pinned)}`))).toEqual([]);
  });

  it("a server without a scheme is plain HTTP to client-go, CA or not: no name is verified, and kubeconfig/plain-http says so at medium", async () => {
    const pinned = await serverCertificate("CN=kube-apiserver", { dns: ["elsewhere.example"] });
    const text = kubeconfig(`server: kube.example:6443\ntls-server-name: other.example\ncertificate-authority-data: ${b64(pinned)}`);
    expect(judge(text)).toEqual([]);
    const snapshot = { ...emptySnapshot(), objects: parseYamlFile("config", text).objects };
    const plain = checkKubeconfigs(snapshot, { now: CERTIFICATE_NOW }).filter((f) => f.ruleId === "kubeconfig/plain-http");
    expect(plain.map((f) => [f.severity, f.fieldPath])).toEqual([["medium", "clusters[0].cluster.server"]]);
    expect(plain[0]?.message).toBe("cluster prod's server kube.example:6443 has no scheme, so client-go reaches it over plain HTTP (as http://kube.example:6443) and uses neither the cluster's CA nor the user's credentials; write https://kube.example:6443");
    // A password written into the server URL never reaches the finding.
    for (const server of ["http://admin:hunter2-secret@kube.example:8080", "admin:hunter2-secret@kube.example:6443"]) {
      const found = checkKubeconfigs({ ...emptySnapshot(), objects: parseYamlFile("config", kubeconfig(`server: ${server}`)).objects }, { now: CERTIFICATE_NOW }).filter((f) => f.ruleId === "kubeconfig/plain-http");
      expect(found.map((f) => f.message)).toEqual([expect.stringContaining("***@kube.example")]);
      expect(found[0]?.message).not.toMatch(/hunter2|admin:/);
    }
    // With its scheme the same cluster is judged, and reported at high where the certificate cannot match.
    expect(judge(text.replace("server: kube.example", "server: https://kube.example")).map((f) => f.severity)).toEqual(["high"]);
  });

  it("judges a pinned certificate in the certificate-authority file alike", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-kubeconfig-name-"));
    const pinned = await serverCertificate("CN=kube-apiserver", { dns: ["kube.example"] });
    writeFileSync(join(dir, "apiserver.crt"), pem(pinned));
    const findings = judge(kubeconfig("server: https://10.0.0.1:6443\ncertificate-authority: apiserver.crt"), join(dir, "config"));
    expect(findings.map((f) => [f.severity, f.fieldPath])).toEqual([["high", "clusters[0].cluster.server"]]);
    expect(findings[0]?.message).toContain("in the certificate-authority file apiserver.crt of cluster prod");
  });
});
