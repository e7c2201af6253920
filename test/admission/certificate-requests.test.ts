/**
 * CertificateSigningRequests at admission, against kube-apiserver's plugins:
 * CertificateSubjectRestriction (plugin/pkg/admission/certificates/subjectrestriction) and
 * NodeRestriction's admitCSR (plugin/pkg/admission/noderestriction, v1.31 on), with real
 * PKCS#10 requests.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseWebhookConfig } from "../../src/admission/config.js";
import { validateAdmission } from "../../src/admission/pipeline.js";
import { certificateSubjectRestrictionPolicy } from "../../src/admission/policies/certificate-subject-restriction.js";
import { nodeRestrictionPolicy } from "../../src/admission/policies/node-restriction.js";
import { podSecurityPolicy } from "../../src/admission/policies/pod-security.js";
import { parsePodSecurityConfiguration } from "../../src/admission/psa-config.js";
import type { AdmissionRequest } from "../../src/admission/review.js";
import { defaultPsaConfig, defaultServerConfig, installManifests } from "../../src/install/manifests.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { base64, makeRequest, type KeyKind } from "../hardening/csr/support.js";
import { palisade } from "../support/cli-in-process.js";
import { review, type ReviewOptions } from "./fixtures.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const asNode = { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] };
const CLIENT = "kubernetes.io/kube-apiserver-client";
const SERVING_SIGNER = "kubernetes.io/kubelet-serving";

function csr(metadata: Record<string, unknown>, signerName: string, request: string, usages = ["digital signature", "client auth"]): K8sObject {
  return { apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", metadata, spec: { signerName, request, usages } };
}

async function csrFor(subject: string, signerName: string, key: KeyKind = "rsa", metadata: Record<string, unknown> = { name: "req" }, extra: { dns?: string[] } = {}): Promise<K8sObject> {
  return csr(metadata, signerName, base64(await makeRequest({ subject, key, ...extra })));
}

function refusal(request: AdmissionRequest, policy = certificateSubjectRestrictionPolicy("enforce")): string | undefined {
  const response = validateAdmission(request, { policies: [policy], now: NOW }).response;
  return response.allowed ? undefined : response.status?.message;
}

const create = (object: K8sObject, options: ReviewOptions = {}) => review(object, { kind: "CertificateSigningRequest", ...options });

describe("CertificateSubjectRestriction", () => {
  it.each(["rsa", "ecdsa"] as const)("refuses a %s request to kube-apiserver-client for group system:masters, in the plugin's words", async (key) => {
    const object = await csrFor("CN=mallory, O=dev, O=system:masters", CLIENT, key, { name: "break-glass" });
    expect(refusal(create(object))).toBe('certificatesigningrequests.certificates.k8s.io "break-glass" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
  });

  it("names a generateName request by its prefix, as admission.NewForbidden does", async () => {
    const object = await csrFor("CN=m, O=system:masters", CLIENT, "rsa", { generateName: "admin-" });
    expect(refusal(create(object))).toMatch(/^certificatesigningrequests\.certificates\.k8s\.io "admin-" is forbidden: /);
  });

  it("admits other groups, other signers, and every update (approval, status)", async () => {
    expect(refusal(create(await csrFor("CN=alice, O=dev", CLIENT)))).toBeUndefined();
    expect(refusal(create(await csrFor("CN=alice, O=system:masters", "example.com/internal")))).toBeUndefined();
    const masters = await csrFor("CN=m, O=system:masters", CLIENT);
    expect(refusal(create(masters, { operation: "UPDATE", oldObject: masters, subResource: "approval" }))).toBeUndefined();
  });

  it("refuses a request it cannot parse, as the plugin does", () => {
    expect(refusal(create(csr({ name: "junk" }, CLIENT, base64("not pem"))))).toBe('certificatesigningrequests.certificates.k8s.io "junk" is forbidden: failed to parse CSR: PEM block type must be CERTIFICATE REQUEST');
  });

  it("says where a request that is not base64 breaks, in Go's words, never with the request itself", () => {
    const message = refusal(create(csr({ name: "junk" }, CLIENT, "MIIB!secret")));
    expect(message).toBe('certificatesigningrequests.certificates.k8s.io "junk" is forbidden: failed to parse CSR: illegal base64 data at input byte 4');
    expect(refusal(create(csr({ name: "junk" }, SERVING_SIGNER, "MIIB!secret")), nodeRestrictionPolicy("enforce"))).toBeUndefined();
    const asNodeReview = create(csr({ name: "junk" }, SERVING_SIGNER, "MIIB!secret"), asNode);
    expect(refusal(asNodeReview, nodeRestrictionPolicy("enforce"))).toBe('certificatesigningrequests.certificates.k8s.io "junk" is forbidden: unable to parse csr: illegal base64 data at input byte 4');
  });

  it("leaves a CSR alone in the other policies of the pipeline", async () => {
    const psa = podSecurityPolicy(parsePodSecurityConfiguration(undefined), "enforce");
    expect(validateAdmission(create(await csrFor("CN=alice", CLIENT)), { policies: [psa, certificateSubjectRestrictionPolicy("enforce")], now: NOW }).response.allowed).toBe(true);
  });
});

describe("NodeRestriction for the CSRs a node creates", () => {
  const policy = nodeRestrictionPolicy("enforce");
  const SERVING = "kubernetes.io/kubelet-serving";
  const KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";

  it.each([SERVING, KUBELET_CLIENT])("refuses a %s request in another node's name", async (signer) => {
    const object = await csrFor("CN=system:node:n2, O=system:nodes", signer, "ecdsa", { generateName: "csr-" }, { dns: ["n2"] });
    expect(refusal(create(object, asNode), policy)).toBe('certificatesigningrequests.certificates.k8s.io "csr-" is forbidden: can only create a node CSR with CN=system:node:n1');
  });

  it("refuses any other CN too, not only another system:node: name (upstream compares the whole CN)", async () => {
    expect(refusal(create(await csrFor("CN=n1, O=system:nodes", KUBELET_CLIENT), asNode), policy)).toContain("can only create a node CSR with CN=system:node:n1");
  });

  it("admits its own requests, other signers, other users, and refuses what it cannot parse", async () => {
    expect(refusal(create(await csrFor("CN=system:node:n1, O=system:nodes", SERVING, "rsa", { generateName: "csr-" }, { dns: ["n1"] }), asNode), policy)).toBeUndefined();
    expect(refusal(create(await csrFor("CN=anything", CLIENT), asNode), policy)).toBeUndefined();
    expect(refusal(create(await csrFor("CN=system:node:n2, O=system:nodes", KUBELET_CLIENT)), policy)).toBeUndefined();
    expect(refusal(create(csr({ name: "bad" }, SERVING, base64("junk")), asNode), policy)).toBe('certificatesigningrequests.certificates.k8s.io "bad" is forbidden: unable to parse csr: PEM block type must be CERTIFICATE REQUEST');
  });
});

describe("configuration and installation", () => {
  const readPsa = () => ({ file: "psa.yaml", text: defaultPsaConfig("palisade-system") });

  it("is policies.certificateSubjectRestriction; palisade install then sends kube-apiserver-client CSRs only", () => {
    const config = defaultServerConfig().replace("policies:\n", "policies:\n  certificateSubjectRestriction: { mode: enforce }\n");
    expect(parseWebhookConfig("c.yaml", config, readPsa).policies.map((p) => p.name)).toContain("certificate-subject-restriction");
    expect(() => parseWebhookConfig("c.yaml", config.replace("{ mode: enforce }", "{ mode: enforce, signers: [] }"), readPsa)).toThrow(/signers/);
    type Webhook = { name: string; rules: Array<{ resources: string[]; operations: string[] }>; matchConditions?: Array<{ expression: string }> };
    const webhooks = (judgesCertificateRequests: boolean) => {
      const objects = installManifests({ namespace: "palisade-system", image: "i", replicas: 2, apiserverCidrs: [], configFiles: { "config.yaml": config }, judgesCertificateRequests });
      return (objects.find((o) => o.kind === "ValidatingWebhookConfiguration") as { webhooks: Webhook[] }).webhooks;
    };
    const csrWebhook = webhooks(true).find((w) => w.name === "certificatesigningrequests.validate.palisade.dev");
    expect(csrWebhook?.rules).toEqual([expect.objectContaining({ operations: ["CREATE"], resources: ["certificatesigningrequests"] })]);
    expect(csrWebhook?.matchConditions).toEqual([expect.objectContaining({ expression: "object.spec.signerName == 'kubernetes.io/kube-apiserver-client'" })]);
    expect(webhooks(false).map((w) => w.name)).not.toContain("certificatesigningrequests.validate.palisade.dev");
    // The node webhook (node identities only) receives the CSRs nodes create.
    const nodes = webhooks(false).find((w) => w.name === "nodes.validate.palisade.dev");
    expect(nodes?.rules).toContainEqual(expect.objectContaining({ operations: ["CREATE"], resources: ["certificatesigningrequests"] }));
  });

  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it("palisade install --config with the policy registers the CSR webhook", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-csr-install-"));
    writeFileSync(join(dir, "psa.yaml"), defaultPsaConfig("palisade-system"));
    const names = async (policies: string) => {
      writeFileSync(join(dir, "config.yaml"), defaultServerConfig().replace("policies:\n", `policies:\n${policies}`));
      const result = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", "--config", join(dir, "config.yaml")]);
      expect(result.code, result.stderr).toBe(0);
      const items = (JSON.parse(result.stdout) as { items: Array<{ kind: string; webhooks?: Array<{ name: string }> }> }).items;
      return items.find((o) => o.kind === "ValidatingWebhookConfiguration")?.webhooks?.map((w) => w.name);
    };
    expect(await names("  certificateSubjectRestriction: { mode: enforce }\n")).toContain("certificatesigningrequests.validate.palisade.dev");
    expect(await names("")).not.toContain("certificatesigningrequests.validate.palisade.dev");
  });
});
