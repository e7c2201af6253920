/**
 * `palisade install --admission-config`: kube-apiserver's existing AdmissionConfiguration is
 * merged, not replaced. Other plugins stay as written (values as kube-apiserver reads them),
 * the webhook plugins are added or kept when already Palisade's, and what would take
 * credentials away from other webhooks, or break when the file moves, is refused with its
 * position and what to do.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCertificateAuthority } from "../../src/adapters/webhook/certificates.js";
import { mergeAdmissionConfiguration } from "../../src/install/admission-merge.js";
import { jsYaml, kubernetesYamlSchema } from "../../src/k8s/js-yaml-lazy.js";
import { palisade } from "../support/cli-in-process.js";
import { findObject, type Obj } from "./support.js";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const OURS = "/etc/kubernetes/palisade/admission-webhooks.kubeconfig";
const OPTIONS = { kubeConfigFile: OURS, admissionHost: "palisade-webhook.palisade-system.svc:443", clientCertificate: "/etc/kubernetes/palisade/apiserver-client.crt", clientKey: "/etc/kubernetes/palisade/apiserver-client.key" };
const ourEntry = (name: string) => ({ name, configuration: { apiVersion: "apiserver.config.k8s.io/v1", kind: "WebhookAdmissionConfiguration", kubeConfigFile: OURS } });

/** As kube-apiserver reads the result (YAML 1.1 scalars). */
const read = (text: string) => jsYaml().load(text, { schema: kubernetesYamlSchema() }) as { apiVersion: string; kind: string; plugins: Record<string, unknown>[] };
const merge = (text: string, file = "/etc/kubernetes/admission.yaml") => mergeAdmissionConfiguration({ file, text }, OPTIONS);

const EXISTING = `# the cluster's admission configuration
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      defaults: { enforce: baseline, enforce-version: latest }
      exemptions: { usernames: [], runtimeClasses: [], namespaces: [kube-system] }
  - name: EventRateLimit
    path: /etc/kubernetes/eventratelimit.yaml
  - name: Example
    configuration: { enabled: on, mode: "on", burst: 0x10 }
`;

describe("merging kube-apiserver's AdmissionConfiguration", () => {
  it("keeps every other plugin as kube-apiserver reads it and adds the two webhook plugins", () => {
    const merged = read(merge(EXISTING));
    const before = read(EXISTING);
    expect(merged.apiVersion).toBe("apiserver.config.k8s.io/v1");
    expect(merged.kind).toBe("AdmissionConfiguration");
    expect(merged.plugins.slice(0, 3)).toEqual(before.plugins);
    // YAML 1.1 as kube-apiserver reads it: `on` stays the boolean, "on" the string, 0x10 the number.
    expect(merged.plugins[2]!.configuration).toEqual({ enabled: true, mode: "on", burst: 16 });
    expect(merged.plugins.slice(3)).toEqual([ourEntry("ValidatingAdmissionWebhook"), ourEntry("MutatingAdmissionWebhook")]);
  });

  it("reads JSON and apiserver.k8s.io/v1alpha1 too, keeping the version", () => {
    const json = JSON.stringify({ apiVersion: "apiserver.k8s.io/v1alpha1", kind: "AdmissionConfiguration", plugins: [{ name: "PodSecurity", path: "/etc/kubernetes/psa.yaml" }] });
    const merged = read(merge(json, "/etc/kubernetes/admission.json"));
    expect(merged.apiVersion).toBe("apiserver.k8s.io/v1alpha1");
    expect(merged.plugins.map((p) => p.name)).toEqual(["PodSecurity", "ValidatingAdmissionWebhook", "MutatingAdmissionWebhook"]);
    // No plugins at all: just Palisade's.
    expect(read(merge("apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\n")).plugins.map((p) => p.name)).toEqual(["ValidatingAdmissionWebhook", "MutatingAdmissionWebhook"]);
  });

  it("is idempotent, and keeps a webhook entry that already names Palisade's kubeconfig with its other fields", () => {
    const once = merge(EXISTING);
    expect(merge(once)).toBe(once);
    const withMetrics = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: MutatingAdmissionWebhook
    configuration:
      apiVersion: apiserver.config.k8s.io/v1alpha1
      kind: WebhookAdmissionConfiguration
      metrics: { sloDuration: { includeResourceLabelsFor: [{ groups: ["apps"] }] } }
  - name: ValidatingAdmissionWebhook
`;
    const merged = read(merge(withMetrics));
    // The mutating entry had no kubeConfigFile (kube-apiserver would refuse it): ours is set, its other fields kept; the bare validating entry becomes ours.
    expect(merged.plugins).toEqual([
      { name: "MutatingAdmissionWebhook", configuration: { apiVersion: "apiserver.config.k8s.io/v1alpha1", kind: "WebhookAdmissionConfiguration", metrics: { sloDuration: { includeResourceLabelsFor: [{ groups: ["apps"] }] } }, kubeConfigFile: OURS } },
      ourEntry("ValidatingAdmissionWebhook"),
    ]);
  });

  it("refuses a webhook plugin that already names another kubeconfig, at its position, saying how to add Palisade's user instead", () => {
    const text = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: ValidatingAdmissionWebhook
    configuration:
      apiVersion: apiserver.config.k8s.io/v1
      kind: WebhookAdmissionConfiguration
      kubeConfigFile: /etc/kubernetes/other-webhooks.kubeconfig
`;
    expect(() => merge(text)).toThrow(/plugins\[0\]\.configuration\.kubeConfigFile: ValidatingAdmissionWebhook already names the kubeconfig \/etc\/kubernetes\/other-webhooks\.kubeconfig/);
    try {
      merge(text);
    } catch (err) {
      const error = err as { position?: { line: number }; hint?: string };
      expect(error.position?.line).toBe(8);
      expect(error.hint).toContain('add a user named "palisade-webhook.palisade-system.svc:443" with client-certificate: /etc/kubernetes/palisade/apiserver-client.crt');
      expect(error.hint).toContain("/etc/kubernetes/other-webhooks.kubeconfig");
    }
    const viaPath = "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: MutatingAdmissionWebhook\n    path: /etc/kubernetes/webhook-admission.yaml\n";
    expect(() => merge(viaPath)).toThrow(/plugins\[0\]\.path: MutatingAdmissionWebhook already reads its configuration from \/etc\/kubernetes\/webhook-admission\.yaml/);
  });

  it("refuses what kube-apiserver would read differently once the file moves, or not read at all", () => {
    const cases: [string, RegExp][] = [
      ["apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: EventRateLimit\n    path: eventratelimit.yaml\n", /plugins\[0\]\.path: eventratelimit\.yaml is relative/],
      ["apiVersion: apiserver.config.k8s.io/v1alpha1\nkind: AdmissionConfiguration\nplugins: []\n", /apiVersion: kube-apiserver reads AdmissionConfiguration in apiserver\.config\.k8s\.io\/v1 or apiserver\.k8s\.io\/v1alpha1/],
      ["apiVersion: v1\nkind: Config\n", /kind: expected kind AdmissionConfiguration, found "Config"/],
      ["imagePolicy:\n  kubeConfigFile: /etc/x\n", /legacy unversioned plugin configuration/],
      ["apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - path: /x\n", /plugins\[0\]: expected a plugin entry with a name/],
      ["apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: ValidatingAdmissionWebhook\n    configuration: { kind: Other }\n", /plugins\[0\]\.configuration: expected a WebhookAdmissionConfiguration/],
      ["apiVersion: [\n", /invalid YAML/],
    ];
    for (const [text, message] of cases) expect(() => merge(text), text).toThrow(message);
  });
});

describe("palisade install --admission-config", () => {
  it("ships the merged file in the kube-apiserver ConfigMap and says it replaces the current one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-install-admission-"));
    const file = join(dir, "admission.yaml");
    writeFileSync(file, EXISTING);
    const result = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", "--client-ca", "cert-manager", "--admission-config", file]);
    expect(result.code, result.stderr).toBe(0);
    const objects = (JSON.parse(result.stdout) as { items: Obj[] }).items;
    const shipped = findObject(objects, "ConfigMap", "palisade-apiserver-webhooks").data["admission-configuration.yaml"] as string;
    expect(read(shipped).plugins.map((p) => p.name)).toEqual(["PodSecurity", "EventRateLimit", "Example", "ValidatingAdmissionWebhook", "MutatingAdmissionWebhook"]);
    expect(result.stderr).toContain(`admission-configuration.yaml is ${file} with Palisade's webhook plugins added: the flag above replaces kube-apiserver's current --admission-control-config-file`);

    // Without it, the notes say how to merge instead of adding a second file kube-apiserver cannot take.
    const plain = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "--client-ca", "cert-manager"]);
    expect(plain.stderr).toContain("run install again with --admission-config <that file>");
  });

  it("merges for server.clientCAFile too, and says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-install-admission-"));
    writeFileSync(join(dir, "admission.yaml"), EXISTING);
    writeFileSync(join(dir, "apiserver-ca.crt"), (await createCertificateAuthority("apiserver-client-ca")).certPem);
    writeFileSync(join(dir, "config.yaml"), "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  clientCAFile: apiserver-ca.crt\npolicies:\n  nodeRestriction: { mode: enforce }\n");
    const result = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", "--config", join(dir, "config.yaml"), "--admission-config", join(dir, "admission.yaml")]);
    expect(result.code, result.stderr).toBe(0);
    const shipped = findObject((JSON.parse(result.stdout) as { items: Obj[] }).items, "ConfigMap", "palisade-apiserver-webhooks").data["admission-configuration.yaml"] as string;
    expect(read(shipped).plugins.map((p) => p.name)).toEqual(["PodSecurity", "EventRateLimit", "Example", "ValidatingAdmissionWebhook", "MutatingAdmissionWebhook"]);
    expect(result.stderr).toContain(`admission-configuration.yaml in ConfigMap palisade-apiserver-webhooks is ${join(dir, "admission.yaml")} with Palisade's webhook plugins added`);
  });

  it("is refused where no AdmissionConfiguration is written, and names a file it cannot read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-install-admission-"));
    writeFileSync(join(dir, "admission.yaml"), EXISTING);
    const unused = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "--admission-config", join(dir, "admission.yaml")]);
    expect(unused.code).toBe(2);
    expect(unused.stdout).toBe("");
    expect(unused.stderr).toMatch(/^palisade: --admission-config is only used when kube-apiserver must present a client certificate/);
    const missing = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "--client-ca", "cert-manager", "--admission-config", join(dir, "missing.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--admission-config .*missing\.yaml: cannot read it: ENOENT/);
  });
});
