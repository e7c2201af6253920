/**
 * `palisade serve` (the built CLI) and a serving certificate kube-apiserver will refuse: it
 * still starts (the validity period is kube-apiserver's to judge by its own clock, and a
 * reload may bring the renewed one), but says why at start-up, once from the primary and not
 * from each worker. `palisade install` passes the Service name kube-apiserver dials as
 * --server-name, so that an installed server checks the name the webhook configuration uses.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, issueCertificate } from "../../src/adapters/webhook/certificates.js";
import { repoRoot } from "../support/conformance.js";
import { builtCli, runCli } from "../support/etcd.js";
import { startServe } from "../support/serve-process.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-serve-cert-warnings-"));
let caPem = "";

beforeAll(async () => {
  builtCli();
  const ca = await createCertificateAuthority("serve-cert-warnings-ca");
  caPem = ca.certPem;
  // A one-year certificate with 10 days left (not renewed), for localhost only: not for the Service kube-apiserver dials.
  const serving = await issueCertificate(ca, { commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: "server", now: new Date(Date.now() - 355 * 86_400_000), days: 365 });
  writeFileSync(join(dir, "tls.crt"), serving.certPem);
  writeFileSync(join(dir, "tls.key"), serving.keyPem);
  writeFileSync(join(dir, "config.yaml"), "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  address: 127.0.0.1\n  workers: 2\n  certFile: tls.crt\n  keyFile: tls.key\npolicies:\n  podSecurity: {mode: enforce}\n");
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Installed {
  items: Array<{ kind: string; webhooks?: Array<{ clientConfig: { service?: { name: string; namespace: string } } }>; spec?: { template?: { spec: { containers: Array<{ args: string[] }> } } } }>;
}

async function installedServeArgs(...extra: string[]): Promise<{ args: string[]; services: string[] }> {
  const result = await runCli(["install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", "--config", resolve(repoRoot, "examples/admission-config.yaml"), ...extra]);
  // Without --webhook-url install warns that the default may not resolve; nothing else goes to stderr.
  expect(result.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("palisade install: warning: no --webhook-url"))).toEqual([]);
  const { items } = JSON.parse(result.stdout) as Installed;
  const args = items.find((o) => o.kind === "Deployment")!.spec!.template!.spec.containers[0]!.args;
  const services = items.flatMap((o) => o.webhooks ?? []).map((w) => `${w.clientConfig.service!.name}.${w.clientConfig.service!.namespace}.svc`);
  return { args, services: [...new Set(services)] };
}

const serverNames = (args: string[]) => args.flatMap((arg, i) => (args[i - 1] === "--server-name" ? [arg] : []));

describe("palisade serve with a serving certificate kube-apiserver will refuse", () => {
  it("install names the host kube-apiserver dials: the webhooks' Service, and --webhook-url's host", async () => {
    const plain = await installedServeArgs("--namespace", "guard");
    expect(plain.services).toEqual(["palisade-webhook.guard.svc"]);
    expect(serverNames(plain.args)).toEqual(plain.services);
    const withUrl = await installedServeArgs("--webhook-url", "https://authn.example.com:8443");
    expect(serverNames(withUrl.args)).toEqual(["palisade-webhook.palisade-system.svc", "authn.example.com"]);
  }, 60_000);

  it("starts, and warns once (not once per worker) that it expires soon and does not cover the name install passes", async () => {
    const { args } = await installedServeArgs();
    const server = await startServe(join(dir, "config.yaml"), { ca: caPem, extra: args.slice(3) });
    const logLines = () =>
      server
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { level: number; msg: string; serverNames?: string[] });
    try {
      // Both workers listen: any warning they would each log is in the output by then.
      await server.until("both workers to listen", async () => logLines().filter((line) => line.msg === "palisade webhook listening").length === 2);
      const lines = logLines();
      const warnings = lines.filter((line) => line.level === 40 && line.msg.startsWith("the serving certificate"));
      expect(warnings.map((w) => w.msg)).toEqual([
        expect.stringMatching(/^the serving certificate expires at \S+, in (9|10) days, and has not been renewed/),
        expect.stringMatching(/^the serving certificate does not cover palisade-webhook\.palisade-system\.svc \(it names localhost, 127\.0\.0\.1\)/),
      ]);
      expect(warnings[0]!.serverNames).toEqual(["palisade-webhook.palisade-system.svc"]);
      // Aggregated over both workers as the soonest end, not summed: about 10 days, not 20.
      const metrics = await server.call("/metrics");
      const seconds = Number(/^palisade_webhook_serving_certificate_expiry_seconds (\S+)$/m.exec(metrics.text)?.[1]);
      expect(seconds).toBeGreaterThan(10 * 86_400 - 300);
      expect(seconds).toBeLessThanOrEqual(10 * 86_400);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("refuses a --server-name that is a URL, with exit 2 and nothing started", async () => {
    const result = await runCli(["serve", "--config", join(dir, "config.yaml"), "--server-name", "https://palisade-webhook.palisade-system.svc:443"]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^palisade: --server-name "https:\/\/palisade-webhook\.palisade-system\.svc:443": not a host name\n {2}hint: give the host name kube-apiserver dials, without scheme or port/);
  }, 30_000);
});
