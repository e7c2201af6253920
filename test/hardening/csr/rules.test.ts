import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../../src/findings/types.js";
import { checkCertificateSigningRequests } from "../../../src/hardening/csr/family.js";
import { parseYamlFile } from "../../../src/k8s/parse.js";
import { emptySnapshot } from "../../../src/k8s/snapshot.js";
import { runScan } from "../../../src/scan/run.js";
import { base64, csrManifest, makeRequest, withBadSignature } from "./support.js";

function scan(yaml: string): Finding[] {
  return checkCertificateSigningRequests({ ...emptySnapshot(), objects: parseYamlFile("csr.yaml", yaml).objects });
}

/** Every family, as `palisade scan` runs them: each problem is one family's to report. */
function scanEveryFamily(yaml: string): Finding[] {
  return runScan({ ...emptySnapshot(), objects: parseYamlFile("csr.yaml", yaml).objects }, {}).findings;
}

const only = (findings: Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId);
const lineOf = (yaml: string, needle: string) => yaml.split("\n").findIndex((line) => line.includes(needle)) + 1;

const CLIENT = "kubernetes.io/kube-apiserver-client";
const KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";
const SERVING = "kubernetes.io/kubelet-serving";

describe("csr/system-masters", () => {
  it.each(["rsa", "ecdsa"] as const)("is critical for a %s request to kube-apiserver-client in group system:masters, at spec.request", async (key) => {
    const yaml = csrManifest("break-glass", CLIENT, await makeRequest({ subject: "CN=mallory, O=dev, O=system:masters", key }));
    const [finding, ...rest] = only(scan(yaml), "csr/system-masters");
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: "critical", pillar: "identity", fieldPath: "spec.request", object: { kind: "CertificateSigningRequest", name: "break-glass" } });
    expect(finding?.position).toMatchObject({ file: "csr.yaml", line: lineOf(yaml, "request:") });
    expect(finding?.message).toContain("use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed");
    expect(finding?.message).toContain('CN="mallory"');
  });

  it("is not reported for other groups, or for a signer CertificateSubjectRestriction does not restrict", async () => {
    expect(only(scan(csrManifest("dev", CLIENT, await makeRequest({ subject: "CN=alice, O=developers" }))), "csr/system-masters")).toEqual([]);
    expect(only(scan(csrManifest("custom", "example.com/internal-ca", await makeRequest({ subject: "CN=alice, O=system:masters" }))), "csr/system-masters")).toEqual([]);
    // A group that only contains the text is another group.
    expect(only(scan(csrManifest("near", CLIENT, await makeRequest({ subject: "CN=alice, O=system:masters-readonly" }))), "csr/system-masters")).toEqual([]);
  });

  it("says so when the request is already approved", async () => {
    const yaml = `${csrManifest("approved", CLIENT, await makeRequest({ subject: "CN=m, O=system:masters" }))}status:\n  conditions:\n  - type: Approved\n    status: "True"\n`;
    expect(only(scan(yaml), "csr/system-masters")[0]?.message).toContain("already approved");
  });

  it("finds a request inside a List at the item's own line", async () => {
    const pem = await makeRequest({ subject: "CN=m, O=system:masters", key: "ecdsa" });
    const yaml = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: { name: unrelated }
- apiVersion: certificates.k8s.io/v1
  kind: CertificateSigningRequest
  metadata:
    name: in-a-list
  spec:
    signerName: ${CLIENT}
    request: ${base64(pem)}
    usages: [client auth]
`;
    const [finding] = only(scan(yaml), "csr/system-masters");
    expect(finding?.object?.name).toBe("in-a-list");
    expect(finding?.position?.line).toBe(13);
  });
});

describe("csr/signer-refuses", () => {
  it.each([
    ["an organization other than system:nodes alone", { subject: "CN=system:node:n1, O=system:nodes, O=extra" }, ["digital signature", "client auth"], "subject organization is not system:nodes", "spec.request"],
    ["a DNS SAN", { subject: "CN=system:node:n1, O=system:nodes", dns: ["n1.example"] }, ["digital signature", "client auth"], "DNS subjectAltNames are not allowed", "spec.request"],
    ["an IP SAN", { subject: "CN=system:node:n1, O=system:nodes", ips: ["10.0.0.1"] }, ["digital signature", "client auth"], "IP subjectAltNames are not allowed", "spec.request"],
    ["a CN outside system:node:", { subject: "CN=n1, O=system:nodes" }, ["digital signature", "client auth"], "subject common name does not begin with system:node:", "spec.request"],
    ["server auth among its usages", { subject: "CN=system:node:n1, O=system:nodes" }, ["digital signature", "client auth", "server auth"], "usages did not match [client auth digital signature key encipherment]", "spec.usages"],
  ])("refuses a kubelet client request with %s, in upstream's words", async (_what, spec, usages, error, fieldPath) => {
    const [finding] = only(scan(csrManifest("kubelet", KUBELET_CLIENT, await makeRequest(spec), usages)), "csr/signer-refuses");
    expect(finding?.message).toContain(`: ${error} (`);
    expect(finding?.fieldPath).toBe(fieldPath);
  });

  it.each([
    ["no SAN", { subject: "CN=system:node:n1, O=system:nodes" }, ["digital signature", "server auth"], "DNS or IP subjectAltName is required"],
    ["an email SAN", { subject: "CN=system:node:n1, O=system:nodes", ips: ["10.0.0.1"], emails: ["n1@example.com"] }, ["digital signature", "server auth"], "Email subjectAltNames are not allowed"],
    ["client auth for usages", { subject: "CN=system:node:n1, O=system:nodes", dns: ["n1"] }, ["digital signature", "client auth"], "usages did not match [digital signature key encipherment server auth]"],
    ["a CN outside system:node:", { subject: "CN=n1, O=system:nodes", dns: ["n1"] }, ["digital signature", "server auth"], "subject common name does not begin with system:node:"],
  ])("refuses a kubelet serving request with %s", async (_what, spec, usages, error) => {
    expect(only(scan(csrManifest("serving", SERVING, await makeRequest(spec), usages)), "csr/signer-refuses")[0]?.message).toContain(`: ${error} (`);
  });

  it("accepts what kubelets send: RSA with key encipherment, ECDSA without", async () => {
    const client = { subject: "CN=system:node:n1, O=system:nodes" };
    const serving = { subject: "CN=system:node:n1, O=system:nodes", dns: ["n1"], ips: ["10.0.0.1"] };
    const findings = [
      ...scan(csrManifest("c-rsa", KUBELET_CLIENT, await makeRequest({ ...client, key: "rsa" }), ["digital signature", "key encipherment", "client auth"])),
      ...scan(csrManifest("c-ec", KUBELET_CLIENT, await makeRequest({ ...client, key: "ecdsa" }), ["digital signature", "client auth"])),
      ...scan(csrManifest("s-rsa", SERVING, await makeRequest({ ...serving, key: "rsa" }), ["key encipherment", "digital signature", "server auth"])),
      ...scan(csrManifest("s-ec", SERVING, await makeRequest({ ...serving, key: "ecdsa" }), ["digital signature", "server auth"])),
      ...scan(csrManifest("user", CLIENT, await makeRequest({ subject: "CN=alice, O=dev" }), ["digital signature", "key encipherment", "client auth"])),
    ];
    expect(findings).toEqual([]);
  });

  it("holds kube-apiserver-client requests to client usages", async () => {
    const pem = await makeRequest({ subject: "CN=alice" });
    expect(only(scan(csrManifest("u1", CLIENT, pem, ["digital signature", "server auth"])), "csr/signer-refuses")[0]?.message).toContain("invalid usage for client certificate: server auth");
    expect(only(scan(csrManifest("u2", CLIENT, pem, ["digital signature"])), "csr/signer-refuses")[0]?.message).toContain("missing required usage for client certificate: client auth");
  });
});

describe("csr/invalid-request", () => {
  it.each(["rsa", "ecdsa"] as const)("reports a %s request whose signature does not verify at spec.request, with Go's error", async (key) => {
    const pem = withBadSignature(await makeRequest({ subject: "CN=alice", key }));
    const yaml = csrManifest("tampered", CLIENT, pem);
    const findings = scan(yaml);
    expect(findings.map((f) => f.ruleId)).toEqual(["csr/invalid-request"]);
    expect(findings[0]?.message).toMatch(/the request's signature does not verify: (crypto\/rsa: verification error|x509: ECDSA verification failure)$/);
    expect(findings[0]?.position?.line).toBe(lineOf(yaml, "request:"));
  });

  it("reports PEM that is not a CERTIFICATE REQUEST, and leaves text that is not base64 to manifest/invalid-base64, without printing the field", async () => {
    const pem = await makeRequest({ subject: "CN=alice" });
    const certificate = pem.replace(/CERTIFICATE REQUEST/g, "CERTIFICATE");
    const wrongBlock = scan(csrManifest("wrong-block", CLIENT, certificate));
    expect(wrongBlock[0]?.message).toBe("the API server refuses this CertificateSigningRequest: spec.request: Invalid value: PEM block type must be CERTIFICATE REQUEST");
    const rawPem = csrManifest("raw-pem", CLIENT, pem).replace(/request: .*/, `request: "${pem.replace(/\n/g, "\\n")}"`);
    // encoding/json refuses it before validation: one report, the manifest family's, as for every []byte field.
    expect(scan(rawPem)).toEqual([]);
    const notBase64 = scanEveryFamily(rawPem).filter((f) => f.fieldPath === "spec.request");
    expect(notBase64.map((f) => f.ruleId)).toEqual(["manifest/invalid-base64"]);
    for (const finding of [...wrongBlock, ...notBase64]) {
      expect(finding.message).not.toContain(base64(pem).slice(0, 40));
      expect(finding.message).not.toContain(pem.split("\n")[1]);
    }
  });

  it("reports a request that is cut short or missing", async () => {
    const pem = await makeRequest({ subject: "CN=alice" });
    const cut = pem.split("\n").slice(0, 4).join("\n");
    expect(scan(csrManifest("cut", CLIENT, cut)).map((f) => f.message)).toEqual(["the API server refuses this CertificateSigningRequest: spec.request: Invalid value: PEM block type must be CERTIFICATE REQUEST"]);
    const missing = csrManifest("missing", CLIENT, pem).replace(/ {2}request: .*\n/, "");
    expect(only(scan(missing), "csr/invalid-request")[0]?.fieldPath).toBe("spec.request");
  });
});

describe("csr/invalid-spec", () => {
  it("reports what the API server's validation refuses besides the request", async () => {
    const pem = await makeRequest({ subject: "CN=alice" });
    const yaml = csrManifest("bad-usages", CLIENT, pem, ["client auth", "client-auth", "client auth"]).replace("spec:\n", "spec:\n  expirationSeconds: 60\n");
    const messages = only(scan(yaml), "csr/invalid-spec").map((f) => f.message.replace("the API server refuses this CertificateSigningRequest: ", ""));
    expect(messages[0]).toMatch(/^spec\.usages\[1\]: Unsupported value: "client-auth": supported values: "any", "cert sign", "client auth",/);
    expect(messages.slice(1)).toEqual(['spec.usages[2]: Duplicate value: "client auth"', "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)"]);
    const noUsages = csrManifest("none", CLIENT, pem).replace(/ {2}usages:\n( {2}- .*\n)+/, "");
    expect(only(scan(noUsages), "csr/invalid-spec").map((f) => f.fieldPath)).toEqual(["spec.usages"]);
  });
});

describe("csr/invalid-spec: signerName, as ValidateSignerName has it", () => {
  const messagesFor = async (signerName: string) => {
    const yaml = csrManifest("s", JSON.stringify(signerName), await makeRequest({ subject: "CN=alice" }), ["client auth"]);
    return only(scan(yaml), "csr/invalid-spec").map((f) => [f.fieldPath, f.message.replace("the API server refuses this CertificateSigningRequest: ", "")]);
  };

  it.each([
    ["kubernetes.io/legacy-unknown", 'Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version'],
    ["example", `Invalid value: "example": must be a fully qualified domain and path of the form 'example.com/signer-name'`],
    ["example.com/a/b", `Invalid value: "example.com/a/b": must be a fully qualified domain and path of the form 'example.com/signer-name'`],
    ["example/signer", 'Invalid value: "example": should be a domain with at least two segments separated by dots'],
    ["Example.com/signer", `Invalid value: "Example.com": validating label "Example": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`],
    ["example.com/My_Signer", `Invalid value: "My_Signer": validating label "My_Signer": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`],
    [`${"a".repeat(64)}.com/signer`, `Invalid value: "${"a".repeat(64)}.com": validating label "${"a".repeat(64)}": must be no more than 63 characters`],
  ])("refuses %s", async (signerName, error) => {
    expect(await messagesFor(signerName)).toEqual([["spec.signerName", `spec.signerName: ${error}`]]);
  });

  it("accepts the signers people use: kubernetes.io's, cert-manager's (issuers.cert-manager.io/<namespace>.<name>), a company CA's", async () => {
    for (const signerName of ["kubernetes.io/kube-apiserver-client", "issuers.cert-manager.io/sandbox.my-issuer", "clusterissuers.cert-manager.io/ca-issuer", "pki.example.co.uk/internal-ca"]) {
      expect(await messagesFor(signerName)).toEqual([]);
    }
  });
});

describe("csr/invalid-spec: fields the API server cannot decode", () => {
  const withField = async (field: string) => csrManifest("d", CLIENT, await makeRequest({ subject: "CN=alice" }), ["client auth"]).replace("spec:\n", `spec:\n  ${field}\n`);

  it("reports an expirationSeconds past int32, which no type check sees, with encoding/json's error", async () => {
    const findings = only(scanEveryFamily(await withField("expirationSeconds: 3000000000")), "csr/invalid-spec");
    expect(findings.map((f) => [f.fieldPath, f.message])).toEqual([
      ["spec.expirationSeconds", 'the API server refuses this CertificateSigningRequest: CertificateSigningRequest in version "v1" cannot be handled as a CertificateSigningRequest: json: cannot unmarshal number 3000000000 into Go struct field CertificateSigningRequestSpec.spec.expirationSeconds of type int32'],
    ]);
  });

  it.each([
    ['expirationSeconds: "3600"', "spec.expirationSeconds", "manifest/wrong-type"],
    ["expirationSeconds: 600.5", "spec.expirationSeconds", "manifest/wrong-type"],
    ["signerName: 5", "spec.signerName", "manifest/string-expected"],
  ])("leaves %s to the manifest rules, reported once", async (field, fieldPath, ruleId) => {
    const yaml = (await withField(field)).replace(field.startsWith("signerName") ? `  signerName: ${CLIENT}\n` : "\0", "");
    const findings = scanEveryFamily(yaml).filter((f) => f.fieldPath === fieldPath);
    expect(findings.map((f) => f.ruleId)).toEqual([ruleId]);
  });

  it("says nothing of usages given as a string (manifest/wrong-type does), nor of a signer no request of that shape reaches", async () => {
    const yaml = csrManifest("d", CLIENT, await makeRequest({ subject: "CN=alice" }), ["client auth"]).replace(/ {2}usages:\n {2}- client auth\n/, "  usages: client auth\n");
    expect(scan(yaml)).toEqual([]);
    expect(scanEveryFamily(yaml).map((f) => [f.ruleId, f.fieldPath])).toEqual([["manifest/wrong-type", "spec.usages"]]);
  });

  it("leaves a spec.request that is not text to manifest/string-expected", async () => {
    const yaml = csrManifest("d", CLIENT, await makeRequest({ subject: "CN=alice" }), ["client auth"]).replace(/ {2}request: .*\n/, "  request: 5\n");
    expect(scan(yaml)).toEqual([]);
    expect(scanEveryFamily(yaml).map((f) => [f.ruleId, f.fieldPath])).toEqual([["manifest/string-expected", "spec.request"]]);
  });
});

describe("csr/system-masters and the request's status", () => {
  const withStatus = async (status: string) => `${csrManifest("m", CLIENT, await makeRequest({ subject: "CN=m, O=system:masters" }), ["client auth"])}status:\n${status}`;
  const messageFor = async (status: string) => only(scan(await withStatus(status)), "csr/system-masters")[0]?.message ?? "";

  it("says an approved request that the signer marked Failed, or a denied one, yields no certificate", async () => {
    const failed = await messageFor('  conditions:\n  - {type: Approved, status: "True"}\n  - {type: Failed, status: "True", reason: SignerValidationFailure}\n');
    expect(failed).toContain("the signer marked it Failed, so no certificate will be issued for it");
    expect(failed).not.toContain("already approved");
    const denied = await messageFor('  conditions:\n  - {type: Denied, status: "True"}\n');
    expect(denied).toContain("it is denied, so no certificate will be issued for it");
  });

  it("says the certificate is out when status.certificate is set", async () => {
    expect(await messageFor('  conditions:\n  - {type: Approved, status: "True"}\n  certificate: LS0tLS1CRUdJTg==\n')).toContain("its certificate has been issued (status.certificate is set)");
  });
});

it("judges certificates.k8s.io/v1 CertificateSigningRequests only", async () => {
  const yaml = csrManifest("beta", CLIENT, await makeRequest({ subject: "CN=m, O=system:masters" })).replace("certificates.k8s.io/v1", "certificates.k8s.io/v1beta1");
  expect(scan(yaml)).toEqual([]);
});

describe("properties", () => {
  const group = fc.oneof(fc.constantFrom("system:masters", "system:nodes", "dev", "system:masters2"), fc.stringMatching(/^[a-z][a-z0-9:-]{0,15}$/));

  it("csr/system-masters fires exactly when a kube-apiserver-client request's groups include system:masters", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(group, { maxLength: 4 }), fc.constantFrom(CLIENT, KUBELET_CLIENT, "example.com/ca"), async (groups, signer) => {
        const subject = ["CN=someone", ...groups.map((g) => `O=${g}`)].join(", ");
        const findings = only(scan(csrManifest("p", signer, await makeRequest({ subject, key: "ecdsa" }))), "csr/system-masters");
        expect(findings.length).toBe(signer === CLIENT && groups.includes("system:masters") ? 1 : 0);
      }),
      { numRuns: 40 },
    );
  });
});
