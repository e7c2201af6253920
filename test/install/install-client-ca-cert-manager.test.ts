/**
 * `palisade install --client-ca cert-manager`: cert-manager objects for a CA of kube-apiserver's
 * client certificate and the certificate itself; the pods mount the CA's ca.crt alone and the
 * shipped configuration names it as server.clientCAFile, so a real `palisade serve` run from
 * exactly those files refuses /validate and /authorize without kube-apiserver's certificate
 * and does not log the open-access warning; the kube-apiserver files cover admission too
 * (AdmissionConfiguration + kubeconfig); the operator's steps go to stderr, and nothing
 * anywhere holds key material. A server.clientCAFile of the operator's own conflicts (exit 2).
 * install runs in-process (src/); serve is the built CLI.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { createCertificateAuthority, issueCertificate } from "../../src/adapters/webhook/certificates.js";
import { palisade } from "../support/cli-in-process.js";
import { repoRoot } from "../support/conformance.js";
import { startServe } from "../support/serve-process.js";
import { restrictedPod, reviewBody } from "../admission/fixtures.js";
import { findObject, send, withoutWebhookUrlWarning, writeServingCertificate, type Obj } from "./support.js";

const CIDR = ["--apiserver-cidr", "10.0.0.0/24"];
const OPEN_ACCESS_WARNING = /any caller that can reach the port/;

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function install(...args: string[]): Promise<{ objects: Obj[]; stderr: string; stdout: string }> {
  const result = await palisade(["install", ...CIDR, "-o", "json", ...args]);
  expect(result.code, result.stderr).toBe(0);
  return { objects: (JSON.parse(result.stdout) as { items: Obj[] }).items, stderr: result.stderr, stdout: result.stdout };
}

const podSpec = (objects: Obj[]) => findObject(objects, "Deployment").spec.template.spec;
const apiserverFiles = (objects: Obj[]) => findObject(objects, "ConfigMap", "palisade-apiserver-webhooks").data as Record<string, string>;

/**
 * The pod's filesystem under `root`, as the Deployment mounts it: the ConfigMap's keys at the
 * config mount, the serving certificate at the tls mount, and `clientCaPem` where the client-ca
 * volume projects the CA Secret's ca.crt (as cert-manager fills it). Returns config.yaml's path.
 */
async function podFiles(objects: Obj[], root: string, clientCaPem?: string): Promise<{ config: string; servingCaPem: string }> {
  const spec = podSpec(objects);
  const container = spec.containers[0];
  const mountOf = (volume: string) => join(root, container.volumeMounts.find((m: { name: string }) => m.name === volume).mountPath as string);
  const configDir = mountOf("config");
  mkdirSync(configDir, { recursive: true });
  for (const [key, text] of Object.entries(findObject(objects, "ConfigMap", "palisade-webhook-config").data as Record<string, string>)) writeFileSync(join(configDir, key), text);
  const servingCa = await writeServingCertificate(mountOf("tls"));
  if (clientCaPem !== undefined) {
    const volume = spec.volumes.find((v: { name: string }) => v.name === "client-ca");
    mkdirSync(mountOf("client-ca"), { recursive: true });
    for (const item of volume.secret.items as { key: string; path: string }[]) if (item.key === "ca.crt") writeFileSync(join(mountOf("client-ca"), item.path), clientCaPem);
  }
  return { config: join(configDir, "config.yaml"), servingCaPem: servingCa.certPem };
}

describe("palisade install --client-ca cert-manager", () => {
  it("adds a self-signed Issuer, a CA Certificate, a CA Issuer and kube-apiserver's client Certificate; none without the flag", async () => {
    const { objects } = await install("--client-ca", "cert-manager");
    const issuer = (name: string) => findObject(objects, "Issuer", name);
    const certificate = (name: string) => findObject(objects, "Certificate", name);
    expect(issuer("palisade-apiserver-client-ca-selfsigned").spec).toEqual({ selfSigned: {} });
    const ca = certificate("palisade-apiserver-client-ca").spec;
    expect(ca).toMatchObject({ isCA: true, secretName: "palisade-apiserver-client-ca", issuerRef: { name: "palisade-apiserver-client-ca-selfsigned", kind: "Issuer" }, usages: expect.arrayContaining(["cert sign"]) });
    // A renewed CA must keep its key, or it would stop verifying the client certificate copied to the hosts.
    expect(ca.privateKey.rotationPolicy).toBe("Never");
    expect(issuer("palisade-apiserver-client-ca").spec).toEqual({ ca: { secretName: "palisade-apiserver-client-ca" } });
    const client = certificate("palisade-apiserver-client").spec;
    expect(client).toMatchObject({ secretName: "palisade-apiserver-client", commonName: "kube-apiserver-palisade-client", issuerRef: { name: "palisade-apiserver-client-ca", kind: "Issuer" } });
    expect(client.isCA).toBeUndefined();
    expect([...client.usages].sort()).toEqual(["client auth", "digital signature", "key encipherment"]);
    const hours = (d: string) => Number(/^(\d+)h$/.exec(d)![1]);
    expect(hours(ca.duration)).toBeGreaterThan(hours(client.duration));
    expect(hours(client.renewBefore)).toBeLessThan(hours(client.duration));
    for (const o of objects.filter((x) => x.apiVersion === "cert-manager.io/v1")) expect(o.metadata.namespace).toBe("palisade-system");

    const plain = (await install()).objects;
    expect(plain.filter((o) => /palisade-apiserver-client/.test(o.metadata.name))).toEqual([]);
    expect(podSpec(plain).volumes.map((v: { name: string }) => v.name)).not.toContain("client-ca");
  });

  it("mounts only the CA's ca.crt as server.clientCAFile: a real serve from those files requires kube-apiserver's certificate and does not warn of open access", async () => {
    const { objects } = await install("--client-ca", "cert-manager");
    const spec = podSpec(objects);
    // Only ca.crt of the CA's Secret: the CA key never reaches the webhook.
    expect(spec.volumes.find((v: { name: string }) => v.name === "client-ca")).toEqual({ name: "client-ca", secret: { secretName: "palisade-apiserver-client-ca", items: [{ key: "ca.crt", path: "ca.crt" }] } });
    const mounts = spec.containers[0].volumeMounts as { name: string; mountPath: string; readOnly?: boolean }[];
    expect(mounts.find((m) => m.name === "client-ca")).toEqual({ name: "client-ca", mountPath: "/etc/palisade/client-ca", readOnly: true });
    const config = parse(findObject(objects, "ConfigMap", "palisade-webhook-config").data["config.yaml"]) as { server: { clientCAFile: string } };
    expect(resolve(mounts.find((m) => m.name === "config")!.mountPath, config.server.clientCAFile)).toBe("/etc/palisade/client-ca/ca.crt");

    // cert-manager's part, played here: the CA and kube-apiserver's certificate signed by it; and a certificate from another CA.
    const clientCa = await createCertificateAuthority("palisade-apiserver-client-ca");
    const apiserver = await issueCertificate(clientCa, { commonName: "kube-apiserver-palisade-client", usage: "client" });
    const stranger = await issueCertificate(await createCertificateAuthority("another-ca"), { commonName: "kube-apiserver-palisade-client", usage: "client" });
    const root = mkdtempSync(join(tmpdir(), "palisade-install-cm-client-ca-"));
    const files = await podFiles(objects, root, clientCa.certPem);
    const server = await startServe(files.config, { ca: files.servingCaPem });
    try {
      expect(await send(server.port, "/readyz")).toEqual({ status: 200, text: "ok" });
      const review = reviewBody(restrictedPod("web", "default"));
      expect((await send(server.port, "/validate", { body: review })).status).toBe(401);
      expect((await send(server.port, "/validate", { body: review, client: stranger })).status).toBe(401);
      const answered = await send(server.port, "/validate", { body: review, client: apiserver });
      expect(answered.status).toBe(200);
      expect(JSON.parse(answered.text)).toMatchObject({ kind: "AdmissionReview", response: { allowed: true } });
      const accessReview = { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user: "alice", resourceAttributes: { namespace: "prod", verb: "get", version: "v1", resource: "pods" } } };
      expect((await send(server.port, "/authorize", { body: accessReview })).status).toBe(401);
      expect((await send(server.port, "/authorize", { body: accessReview, client: apiserver })).status).toBe(200);
      expect(server.output()).not.toMatch(OPEN_ACCESS_WARNING);
    } finally {
      await server.stop();
    }

    // The same default configuration without the flag does warn: the assertion above is not vacuous.
    const plainRoot = mkdtempSync(join(tmpdir(), "palisade-install-cm-plain-"));
    const plainFiles = await podFiles((await install()).objects, plainRoot);
    const plainServer = await startServe(plainFiles.config, { ca: plainFiles.servingCaPem });
    try {
      await plainServer.until("the open-access warning", async () => OPEN_ACCESS_WARNING.test(plainServer.output()));
    } finally {
      await plainServer.stop();
    }
  }, 60_000);

  it("writes kube-apiserver's admission side: an AdmissionConfiguration whose kubeconfig presents the client certificate to this webhook only", async () => {
    const { objects } = await install("--client-ca", "cert-manager", "--webhook-url", "https://webhook.example.com:8443");
    const files = apiserverFiles(objects);
    const flags = files["kube-apiserver-flags.txt"]!.trim().split("\n");
    const flag = (name: string) => flags.find((f) => f.startsWith(`${name}=`))!.slice(name.length + 1);
    const hostPath = (path: string) => files[relative("/etc/kubernetes/palisade", path)];

    const admission = parse(hostPath(flag("--admission-control-config-file"))!) as { apiVersion: string; kind: string; plugins: { name: string; configuration: Record<string, string> }[] };
    expect(admission).toMatchObject({ apiVersion: "apiserver.config.k8s.io/v1", kind: "AdmissionConfiguration" });
    expect(admission.plugins.map((p) => p.name).sort()).toEqual(["MutatingAdmissionWebhook", "ValidatingAdmissionWebhook"]);
    for (const plugin of admission.plugins) {
      expect(plugin.configuration).toMatchObject({ apiVersion: "apiserver.config.k8s.io/v1", kind: "WebhookAdmissionConfiguration" });
      expect(plugin.configuration.kubeConfigFile).toMatch(/^\//);
    }
    const kubeconfig = parse(hostPath(admission.plugins[0]!.configuration.kubeConfigFile!)!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    // kube-apiserver picks the user by the webhook's host:port: that of the admission webhooks' service, whatever --webhook-url says.
    const { service } = findObject(objects, "ValidatingWebhookConfiguration").webhooks[0].clientConfig;
    expect(kubeconfig.users).toEqual([
      { name: `${service.name}.${service.namespace}.svc:${service.port}`, user: { "client-certificate": "/etc/kubernetes/palisade/apiserver-client.crt", "client-key": "/etc/kubernetes/palisade/apiserver-client.key" } },
    ]);
    // No `*` user and no current-context: other admission webhooks must not receive this certificate.
    expect(kubeconfig["current-context"]).toBeUndefined();

    // The default configuration answers /authorize only (a guardrail, no token file).
    expect(flags.some((f) => f.startsWith("--authentication-token-webhook"))).toBe(false);
    for (const [name, path] of [["--authorization-webhook-config-file", "/authorize"]] as const) {
      const webhook = parse(hostPath(flag(name))!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(webhook.clusters[0].cluster.server).toBe(`https://webhook.example.com:8443${path}`);
      expect(webhook.users[0].user).toEqual(kubeconfig.users[0].user);
    }
    expect(findObject(objects, "ConfigMap", "palisade-apiserver-webhooks").metadata.annotations!["palisade.dev/caller-authentication"]).toMatch(/Secret palisade-apiserver-client/);

    // Without a client certificate to present, none of it is written.
    const plain = apiserverFiles((await install()).objects);
    expect(Object.keys(plain).sort()).toEqual(["authz-webhook.kubeconfig", "kube-apiserver-flags.txt"]);
    expect(plain["kube-apiserver-flags.txt"]).not.toContain("--admission-control-config-file");
  });

  it("prints the operator's steps on stderr, never in the manifests, and no key material anywhere", async () => {
    const yaml = await palisade(["install", ...CIDR, "--client-ca", "cert-manager"]);
    expect(yaml.code).toBe(0);
    // stdout is the manifest stream and nothing else.
    expect(parseAllDocuments(yaml.stdout).every((doc) => doc.errors.length === 0 && typeof (doc.toJS() as Obj).kind === "string")).toBe(true);
    expect(yaml.stdout).not.toMatch(/note:|kubectl -n|base64 -d/);
    const notes = withoutWebhookUrlWarning(yaml.stderr).trimEnd().split("\n");
    expect(notes.every((line) => line.startsWith("palisade install: note: "))).toBe(true);
    const stderr = yaml.stderr;
    expect(stderr).toContain("kubectl apply -f palisade.yaml -l palisade.dev/apply-first=true");
    expect(stderr).toContain("kubectl -n palisade-system get secret palisade-apiserver-client -o jsonpath='{.data.tls\\.crt}' | base64 -d > /etc/kubernetes/palisade/apiserver-client.crt");
    expect(stderr).toContain("(umask 077; kubectl -n palisade-system get secret palisade-apiserver-client -o jsonpath='{.data.tls\\.key}' | base64 -d > /etc/kubernetes/palisade/apiserver-client.key)");
    expect(stderr).toContain("kubectl -n palisade-system get secret palisade-webhook-tls -o jsonpath='{.data.ca\\.crt}' | base64 -d > /etc/kubernetes/palisade/ca.crt");
    for (const flag of apiserverFiles((await install("--client-ca", "cert-manager")).objects)["kube-apiserver-flags.txt"]!.trim().split("\n")) expect(stderr).toContain(`note:    ${flag}\n`);
    // The steps are ordered so that kube-apiserver presents its certificate before the webhook requires it.
    expect(stderr.indexOf("-l palisade.dev/apply-first=true")).toBeLessThan(stderr.indexOf("--admission-control-config-file="));
    expect(stderr.indexOf("--admission-control-config-file=")).toBeLessThan(stderr.indexOf("5. kubectl apply -f palisade.yaml\n"));
    // Without the flag there is nothing to do by hand (but to give --webhook-url).
    expect(withoutWebhookUrlWarning((await palisade(["install", ...CIDR])).stderr)).toBe("");

    for (const text of [yaml.stdout, yaml.stderr]) {
      expect(text).not.toMatch(/-----BEGIN|PRIVATE KEY|client-key-data|client-certificate-data/);
    }
  });

  it("applies first exactly what kube-apiserver's configuration needs: the namespace, the certificates and its files, not the webhook", async () => {
    const { objects } = await install("--client-ca", "cert-manager");
    const first = objects.filter((o) => o.metadata.labels?.["palisade.dev/apply-first"] === "true").map((o) => `${o.kind}/${o.metadata.name}`);
    expect(first.sort()).toEqual(
      [
        "Namespace/palisade-system",
        "ConfigMap/palisade-apiserver-webhooks",
        "Issuer/palisade-webhook-selfsigned",
        "Certificate/palisade-webhook",
        "Issuer/palisade-apiserver-client-ca-selfsigned",
        "Certificate/palisade-apiserver-client-ca",
        "Issuer/palisade-apiserver-client-ca",
        "Certificate/palisade-apiserver-client",
      ].sort(),
    );
    // With --ca-bundle the serving certificate is the operator's: ca.crt is that file.
    const dir = mkdtempSync(join(tmpdir(), "palisade-install-cm-bundle-"));
    const servingCa = await createCertificateAuthority("own serving CA");
    writeFileSync(join(dir, "ca.crt"), servingCa.certPem);
    const withBundle = await install("--client-ca", "cert-manager", "--ca-bundle", join(dir, "ca.crt"));
    expect(withBundle.objects.filter((o) => o.kind === "Certificate").map((o) => o.metadata.name).sort()).toEqual(["palisade-apiserver-client", "palisade-apiserver-client-ca"]);
    expect(withBundle.stderr).toContain("cp <the --ca-bundle file> /etc/kubernetes/palisade/ca.crt");
    expect(withBundle.stderr).not.toContain("palisade-webhook-tls");
  });

  it("refuses a --config that names its own server.clientCAFile (exit 2), saying what to do", async () => {
    const src = mkdtempSync(join(tmpdir(), "palisade-install-cm-conflict-"));
    writeFileSync(join(src, "apiserver-ca.crt"), (await createCertificateAuthority("own client CA")).certPem);
    const config = join(src, "config.yaml");
    writeFileSync(config, "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  clientCAFile: apiserver-ca.crt\npolicies:\n  nodeRestriction: { mode: enforce }\n");
    const result = await palisade(["install", ...CIDR, "--client-ca", "cert-manager", "--config", config]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `palisade: ${config}: server.clientCAFile conflicts with --client-ca cert-manager: both say which CA verifies kube-apiserver's client certificate\n` +
        `  hint: remove server.clientCAFile from ${config} to use the CA cert-manager creates, or leave out --client-ca to keep your CA (kube-apiserver's client certificate is then yours to issue)\n`,
    );
    // Either alone is accepted.
    await install("--config", config);
    await install("--client-ca", "cert-manager", "--config", resolve(repoRoot, "examples/admission-config.yaml"));
  });

  it("accepts cert-manager as the only source", async () => {
    const result = await palisade(["install", ...CIDR, "--client-ca", "vault"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/--client-ca <source>' argument 'vault' is invalid. Allowed choices are cert-manager/);
  });
});
