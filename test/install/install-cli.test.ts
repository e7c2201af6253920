/**
 * `palisade install` end to end: the manifests it prints for the shipped example
 * configuration run a real `palisade serve` from exactly the files its ConfigMap holds, pass
 * Palisade's own restricted scan and netpol lint, and bad input (a key as --ca-bundle, no
 * --apiserver-cidr, a cleartext --webhook-url) is refused with exit 2 and one message.
 * install runs in-process (src/); serve is the built CLI.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCertificateAuthority, issueCertificate } from "../../src/adapters/webhook/certificates.js";
import { repoRoot } from "../support/conformance.js";
import { palisade } from "../support/cli-in-process.js";
import { startServe } from "../support/serve-process.js";
import { pod, reviewBody } from "../admission/fixtures.js";
import { withoutWebhookUrlWarning, WEBHOOK_URL_WARNING } from "./support.js";

type Obj = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await palisade(args);
  return { code, out: stdout, err: stderr };
}

async function install(...args: string[]): Promise<Obj[]> {
  const result = await run("install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", ...args);
  // Without --webhook-url the shipped configurations warn that kube-apiserver may not reach /authorize (install-webhook-url.test.ts).
  expect(withoutWebhookUrlWarning(result.err)).toBe("");
  expect(result.code).toBe(0);
  return (JSON.parse(result.out) as { items: Obj[] }).items;
}

const find = (objects: Obj[], kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name))!;

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("palisade install ships the configuration it is given", () => {
  it("runs palisade serve from exactly the files its ConfigMap holds (examples/admission-config.yaml, a changed port)", async () => {
    // The example as shipped, with another port: everything that names the port must follow it.
    const src = mkdtempSync(join(tmpdir(), "palisade-install-src-"));
    for (const file of ["admission-psa.yaml", "admission-exceptions.yaml"]) copyFileSync(resolve(repoRoot, "examples", file), join(src, file));
    writeFileSync(join(src, "admission-config.yaml"), readFileSync(resolve(repoRoot, "examples/admission-config.yaml"), "utf8").replace("port: 8443", "port: 9443"));
    const objects = await install("--config", join(src, "admission-config.yaml"));

    const data = find(objects, "ConfigMap", "palisade-webhook-config").data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(["admission-exceptions.yaml", "admission-psa.yaml", "config.yaml"]);
    expect(data["admission-exceptions.yaml"]).toBe(readFileSync(join(src, "admission-exceptions.yaml"), "utf8"));
    const container = find(objects, "Deployment").spec.template.spec.containers[0];
    expect(container.ports).toEqual([{ name: "https", containerPort: 9443, protocol: "TCP" }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: 9443, scheme: "HTTPS" });
    expect(container.livenessProbe.httpGet.port).toBe(9443);
    expect(find(objects, "Service").spec.ports[0].targetPort).toBe("https");
    expect(find(objects, "NetworkPolicy").spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9443 }]);

    // Mounted as the Deployment mounts them: the ConfigMap at config/, the TLS Secret at tls/.
    const pod0 = find(objects, "Deployment").spec.template.spec;
    const mount = (volume: string) => container.volumeMounts.find((m: { name: string }) => m.name === volume).mountPath as string;
    expect(pod0.volumes.find((v: { name: string }) => v.name === "config").configMap.name).toBe("palisade-webhook-config");
    const root = mkdtempSync(join(tmpdir(), "palisade-install-pod-"));
    const at = (path: string) => join(root, path.replace(/^\/etc\/palisade\//, ""));
    mkdirSync(at(mount("config")));
    mkdirSync(at(mount("tls")));
    for (const [key, text] of Object.entries(data)) writeFileSync(join(at(mount("config")), key), text);
    const ca = await createCertificateAuthority("install test CA");
    const serving = await issueCertificate(ca, { commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: "server" });
    writeFileSync(join(at(mount("tls")), "tls.crt"), serving.certPem);
    writeFileSync(join(at(mount("tls")), "tls.key"), serving.keyPem);

    const [arg0, arg1, configPath] = container.args as string[];
    expect([arg0, arg1]).toEqual(["serve", "--config"]);
    const server = await startServe(at(configPath!), { ca: ca.certPem });
    try {
      // The exception from admission-exceptions.yaml lets this workload use the host network in billing.
      const workload = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "legacy-billing", namespace: "billing" }, spec: { selector: {}, template: { metadata: {}, spec: { hostNetwork: true, containers: [{ name: "app", image: "registry.example.com/billing@sha256:" + "a".repeat(64) }] } } } };
      const answer = await server.call("/validate", reviewBody(workload as never));
      expect(answer.status).toBe(200);
      const response = (JSON.parse(answer.text) as { response: { allowed: boolean; warnings?: string[] } }).response;
      expect(response.allowed).toBe(true);
      const denied = await server.call("/validate", reviewBody(pod("other", "billing", { hostNetwork: true, containers: [{ name: "app", image: "registry.example.com/x@sha256:" + "b".repeat(64) }] })));
      expect((JSON.parse(denied.text) as { response: { allowed: boolean } }).response.allowed).toBe(false);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("lets the webhook read namespaces (and nodes, for tenancy) and nothing else, and still passes Palisade's restricted scan and netpol lint", async () => {
    const objects = await install("--config", resolve(repoRoot, "examples/admission-config.yaml"));
    expect(find(objects, "ClusterRole").rules).toEqual([{ apiGroups: [""], resources: ["namespaces", "nodes"], verbs: ["get", "list", "watch"] }]);
    expect(find(objects, "ClusterRoleBinding").subjects).toEqual([{ kind: "ServiceAccount", name: "palisade-webhook", namespace: "palisade-system" }]);
    const spec = find(objects, "Deployment").spec.template.spec;
    expect(spec.automountServiceAccountToken).toBe(false);
    const token = spec.volumes.find((v: { name: string }) => v.name === "kube-api-access").projected.sources[0].serviceAccountToken;
    expect(token.expirationSeconds).toBeLessThanOrEqual(3600);
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: "kube-api-access", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true });
    expect(find(objects, "NetworkPolicy").spec.egress[0]).toEqual({ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6443 }] });
    // Without tenancy the default configuration needs namespaces only.
    expect(find(await install(), "ClusterRole").rules[0].resources).toEqual(["namespaces"]);

    // As printed, and with --client-ca cert-manager: its CA and client Certificate, the mounted ca.crt and the admission files are scanned too;
    // and for a 1.29 cluster, whose preStop hook is an exec rather than the kubelet's sleep.
    for (const extra of [[], ["--client-ca", "cert-manager"], ["--kube-version", "v1.29"]]) {
      const dir = mkdtempSync(join(tmpdir(), "palisade-install-scan-"));
      const yaml = await run("install", "--apiserver-cidr", "10.0.0.0/24", "--config", resolve(repoRoot, "examples/admission-config.yaml"), "--image", "ghcr.io/palisade-dev/palisade@sha256:" + "0".repeat(64), ...extra);
      expect(yaml.code, yaml.err).toBe(0);
      if (extra[0] === "--client-ca") {
        for (const name of ["palisade-apiserver-client-ca", "palisade-apiserver-client", "palisade-apiserver-client-ca-selfsigned", "admission-configuration.yaml", "secretName: palisade-apiserver-client-ca"]) expect(yaml.out).toContain(name);
      }
      writeFileSync(join(dir, "palisade.yaml"), yaml.out);
      const scan = await run("scan", join(dir, "palisade.yaml"), "--level", "restricted");
      expect(scan.code, scan.out + scan.err).toBe(0);
      expect(scan.out).toMatch(/No findings/);
      const lint = await run("netpol", "lint", join(dir, "palisade.yaml"));
      expect(lint.code, lint.out + lint.err).toBe(0);
      expect(lint.out).toMatch(/No findings/);
    }
  });

  it("refuses a configuration whose referenced file is missing or invalid, naming it", async () => {
    const src = mkdtempSync(join(tmpdir(), "palisade-install-bad-"));
    writeFileSync(join(src, "config.yaml"), readFileSync(resolve(repoRoot, "examples/admission-config.yaml"), "utf8"));
    copyFileSync(resolve(repoRoot, "examples/admission-psa.yaml"), join(src, "admission-psa.yaml"));
    const missing = await run("install", "--apiserver-cidr", "10.0.0.0/24", "--config", join(src, "config.yaml"));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read .*admission-exceptions\.yaml: /);
    writeFileSync(join(src, "admission-exceptions.yaml"), "apiVersion: palisade.dev/v1alpha1\nkind: PolicyExceptionList\nexceptions:\n  - id: x\n");
    const invalid = await run("install", "--apiserver-cidr", "10.0.0.0/24", "--config", join(src, "config.yaml"));
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/admission-exceptions\.yaml:\d+:\d+: /);
    expect(invalid.err).not.toContain("    at ");
  });
});

describe("palisade install refuses what would be unsafe", () => {
  it("requires --apiserver-cidr and says how to find it", async () => {
    const result = await run("install");
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toMatch(/^palisade: --apiserver-cidr is required/);
    expect(result.err).toContain("kubectl get endpoints kubernetes");
  });

  it("accepts only X.509 certificates as --ca-bundle, never echoing the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-install-ca-"));
    const ca = await createCertificateAuthority("bundle test CA");
    writeFileSync(join(dir, "ca.crt"), ca.certPem);
    writeFileSync(join(dir, "ca.key"), ca.keyPem);
    writeFileSync(join(dir, "bad.pem"), "this is not PEM\n");
    writeFileSync(join(dir, "junk.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    // The example configuration mutates (tenancy), so both webhook configurations are printed.
    const objects = await install("--ca-bundle", join(dir, "ca.crt"), "--config", resolve(repoRoot, "examples/admission-config.yaml"));
    for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
      for (const hook of find(objects, kind).webhooks) expect(Buffer.from(hook.clientConfig.caBundle, "base64").toString()).toBe(ca.certPem);
    }
    const keyBody = ca.keyPem.split("\n")[1]!;
    for (const [file, message] of [["ca.key", /ca\.key:1:1: --ca-bundle: the PRIVATE KEY block is a private key/], ["bad.pem", /--ca-bundle .*bad\.pem: no PEM block found/], ["junk.pem", /junk\.pem:1:1: --ca-bundle: the CERTIFICATE block is not an X\.509 certificate/]] as const) {
      const result = await run("install", "--apiserver-cidr", "10.0.0.0/24", "--ca-bundle", join(dir, file));
      expect(result.code).toBe(2);
      expect(result.out).toBe("");
      expect(result.err).toMatch(message);
      expect(result.err).not.toContain(keyBody);
    }
  });

  it("refuses an --image the kubelet could not parse (InvalidImageName), and prints a valid one as given", async () => {
    for (const [image, reason] of [
      ["UPPER::bad", /its repository path is not lowercase/],
      ["ghcr.io/palisade-dev/palisade:-rc1", /its tag is not 1 to 128/],
      ["ghcr.io/Palisade-Dev/palisade:1", /its repository path is not lowercase/],
      ["ghcr.io/palisade-dev/palisade@sha256:" + "a".repeat(63), /its sha256 digest is not 64 lowercase hex digits/],
      ["", /it is empty/],
    ] as const) {
      const result = await run("install", "--apiserver-cidr", "10.0.0.0/24", "--image", image);
      expect(result.code, image).toBe(2);
      expect(result.out, image).toBe("");
      expect(result.err, image).toContain(`palisade: --image ${JSON.stringify(image)}: not an image reference the kubelet can pull`);
      expect(result.err, image).toMatch(reason);
    }
    const pinned = `registry.example.com:5000/palisade/palisade:0.1.0@sha256:${"a".repeat(64)}`;
    expect(find(await install("--image", pinned), "Deployment").spec.template.spec.containers[0].image).toBe(pinned);
  });

  it("accepts only an https --webhook-url with a host and no query or fragment", async () => {
    for (const [url, message] of [["http://example.com", /http is not https/], ["not a url", /not a URL/], ["https://x.example/p?a=b", /a query is not allowed/], ["https://x.example/p#f", /a fragment is not allowed/]] as const) {
      const result = await run("install", "--apiserver-cidr", "10.0.0.0/24", "--webhook-url", url);
      expect(result.code, url).toBe(2);
      expect(result.err).toMatch(message);
    }
    const given = await run("install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", "--webhook-url", "https://webhook.example.com:8443/");
    expect(given.err).not.toMatch(WEBHOOK_URL_WARNING);
    const files = find((JSON.parse(given.out) as { items: Obj[] }).items, "ConfigMap", "palisade-apiserver-webhooks").data as Record<string, string>;
    // The default configuration answers /authorize (its guardrail) and has no token file: no /authenticate.
    expect(files["authz-webhook.kubeconfig"]).toContain("server: https://webhook.example.com:8443/authorize");
    expect(files["authn-webhook.kubeconfig"]).toBeUndefined();
    // Nothing checks a client certificate in the installed configuration: none is named, and the annotation says what guards the endpoints.
    expect(files["authz-webhook.kubeconfig"]).not.toContain("client-certificate");
    expect(find(await install(), "ConfigMap", "palisade-apiserver-webhooks").metadata.annotations!["palisade.dev/caller-authentication"]).toMatch(/only the NetworkPolicy.*--client-ca cert-manager/);
  });
});
