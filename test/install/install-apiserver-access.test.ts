/**
 * What `palisade install` tells kube-apiserver about /authenticate and /authorize:
 * - the authorizer order lets a guardrail veto what RBAC allows (a model of kube-apiserver's
 *   union authorizer, unionAuthzHandler.Authorize, over Palisade's own decideAccess);
 * - kube-apiserver is wired to exactly the access endpoints the shipped configuration answers;
 * - without --webhook-url, stderr says once that the Service's name may not resolve for
 *   kube-apiserver, and the serving certificate covers a --webhook-url host.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decideAccess, type Guardrail, type SubjectAccessRequest } from "../../src/admission/access/subject-access-review.js";
import { accessEndpoints } from "../../src/adapters/webhook/engine.js";
import { parseWebhookConfig } from "../../src/admission/config.js";
import { defaultPsaConfig, installManifests } from "../../src/install/manifests.js";
import { shipServerConfig } from "../../src/install/server-config.js";
import { palisade } from "../support/cli-in-process.js";
import { findObject, WEBHOOK_URL_WARNING, type Obj } from "./support.js";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

type Decision = "Allow" | "Deny" | "NoOpinion";

/** kube-apiserver's union authorizer: the first Allow or Deny decides; none is a refusal. */
function unionAuthorize(modes: string[], decide: (mode: string) => Decision): Decision {
  for (const mode of modes) {
    const decision = decide(mode);
    if (decision !== "NoOpinion") return decision;
  }
  return "NoOpinion";
}

const apiserverFiles = (objects: readonly object[]) =>
  (objects as Obj[]).find((o) => o.kind === "ConfigMap" && o.metadata.name === "palisade-apiserver-webhooks") as Obj & { data: Record<string, string>; metadata: { annotations: Record<string, string> } };

async function installed(...args: string[]): Promise<{ objects: Obj[]; stderr: string }> {
  const result = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", ...args]);
  expect(result.code, result.stderr).toBe(0);
  return { objects: (JSON.parse(result.stdout) as { items: Obj[] }).items, stderr: result.stderr };
}

describe("the authorizer order install writes", () => {
  it("lets a guardrail veto what RBAC allows, and leaves RBAC in charge while the webhook fails", async () => {
    const flags = apiserverFiles((await installed()).objects).data["kube-apiserver-flags.txt"]!;
    const modes = /^--authorization-mode=(.*)$/m.exec(flags)![1]!.split(",");
    expect(modes).toContain("Webhook");
    const request: SubjectAccessRequest = { apiVersion: "authorization.k8s.io/v1", user: "alice", groups: ["devs"], uid: "", resource: { namespace: "prod", verb: "create", group: "", version: "v1", resource: "pods", subresource: "exec", name: "p" } };
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), (rbacAllows, guardrailVetoes, webhookFails) => {
        const guardrail: Guardrail = { id: "no-exec-in-production", check: () => (guardrailVetoes ? "production" : undefined) };
        const webhook = (): Decision => {
          if (webhookFails) return "NoOpinion"; // the legacy flags' failure decision (specs/webhooks.md §4.2)
          const d = decideAccess(request, [guardrail], undefined);
          return d.allowed ? "Allow" : d.denied ? "Deny" : "NoOpinion";
        };
        const decision = unionAuthorize(modes, (mode) => (mode === "Webhook" ? webhook() : mode === "RBAC" && rbacAllows ? "Allow" : "NoOpinion"));
        const expected = guardrailVetoes && !webhookFails ? "Deny" : rbacAllows ? "Allow" : "NoOpinion";
        expect(decision).toBe(expected);
      }),
    );
    expect(apiserverFiles((await installed()).objects).metadata.annotations["palisade.dev/usage"]).toMatch(/--authorization-mode=Node,Webhook,RBAC puts the webhook before RBAC/);
  });
});

describe("kube-apiserver is wired to what the shipped configuration answers", () => {
  it("writes the authn and authz files and flags exactly for the endpoints serve answers", async () => {
    const rbac = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n";
    const files: Record<string, string> = { "/cfg/psa.yaml": defaultPsaConfig("palisade-system"), "/cfg/tokens.csv": `tok-${Math.random().toString(36).slice(2)},alice,1001\n`, "/cfg/rbac.yaml": rbac };
    const read = (path: string) => ({ file: `/cfg/${path}`, text: files[`/cfg/${path}`]! });
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), async (tokenFile, rbacFiles, tenantLabel, production) => {
        const access = [
          "access:",
          ...(tokenFile ? ["  tokenFile: tokens.csv"] : []),
          ...(rbacFiles ? ["  rbacFiles: [rbac.yaml]"] : []),
          "  guardrails:",
          ...(tenantLabel ? ["    tenantLabel: palisade.dev/tenant"] : []),
          ...(production ? ["    production: { key: env, value: prod }"] : []),
        ];
        const text = `apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  port: 8443\npolicies:\n  podSecurity: { mode: enforce, configurationFile: psa.yaml }\n${access.join("\n")}\n`;
        const shipped = await shipServerConfig({ namespace: "palisade-system", config: { file: "/cfg/config.yaml", text }, read, isFile: () => true, checkManifests: async () => undefined });
        const objects = installManifests({
          namespace: "palisade-system",
          image: "i",
          replicas: 2,
          apiserverCidrs: ["10.0.0.0/24"],
          configFiles: shipped.files,
          usesTokenFile: shipped.usesTokenFile,
          answersAccessReviews: shipped.answersAccessReviews,
        });
        // As serve builds its engine: an authenticator from the token file, an authorizer from RBAC manifests.
        const config = parseWebhookConfig("/cfg/config.yaml", text, read);
        const served = accessEndpoints({
          config,
          ...(tokenFile ? { authenticator: { authenticateToken: async () => ({ authenticated: false as const, reason: "" }) } } : {}),
          ...(rbacFiles ? { authorizer: { authorize: () => ({ allowed: false, reason: "" }) } } : {}),
        });
        const data = apiserverFiles(objects).data;
        const flags = data["kube-apiserver-flags.txt"]!;
        expect("authn-webhook.kubeconfig" in data).toBe(served.includes("/authenticate"));
        expect(flags.includes("--authentication-token-webhook-config-file=")).toBe(served.includes("/authenticate"));
        expect("authz-webhook.kubeconfig" in data).toBe(served.includes("/authorize"));
        expect(flags.includes("--authorization-webhook-config-file=")).toBe(served.includes("/authorize"));
        expect(flags.includes("--authorization-mode=")).toBe(served.includes("/authorize"));
      }),
      { numRuns: 16 },
    );
  });
});

describe("how kube-apiserver reaches /authenticate and /authorize", () => {
  it("warns once on stderr without --webhook-url, saying what, why and what to do, and says it in the usage annotation", async () => {
    const { objects, stderr } = await installed();
    const warnings = stderr.split("\n").filter((line) => line.startsWith("palisade install: warning: "));
    expect(warnings).toHaveLength(1);
    expect(`${warnings[0]}\n`).toMatch(WEBHOOK_URL_WARNING);
    expect(warnings[0]).toContain("https://palisade-webhook.palisade-system.svc:443");
    expect(warnings[0]).toMatch(/looks up with its host's resolver, not cluster DNS/);
    expect(warnings[0]).toMatch(/the guardrails and RBAC files \(\/authorize\) are silently off/);
    expect(warnings[0]).toMatch(/Run install again with --webhook-url https:\/\//);
    expect(apiserverFiles(objects).metadata.annotations["palisade.dev/usage"]).toMatch(/kube-apiserver resolves with its host's DNS: unless the control-plane hosts resolve cluster Services, run install again with --webhook-url/);

    const given = await installed("--webhook-url", "https://palisade.example.internal");
    expect(given.stderr).not.toMatch(WEBHOOK_URL_WARNING);
    expect(apiserverFiles(given.objects).metadata.annotations["palisade.dev/usage"]).not.toMatch(/--webhook-url/);
  });

  it("does not warn when kube-apiserver is wired to neither endpoint", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "palisade-install-noaccess-")), "config.yaml");
    writeFileSync(file, "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  port: 8443\npolicies:\n  nodeRestriction: { mode: enforce }\n");
    const { objects, stderr } = await installed("--config", file);
    expect(stderr).toBe("");
    expect(Object.keys(apiserverFiles(objects).data)).toEqual(["kube-apiserver-flags.txt"]);
  });

  it("puts the --webhook-url host in the serving certificate cert-manager issues", async () => {
    const names = async (url: string) => findObject((await installed("--webhook-url", url)).objects, "Certificate", "palisade-webhook").spec;
    expect((await names("https://palisade.example.internal:8443")).dnsNames).toEqual(["palisade-webhook.palisade-system.svc", "palisade-webhook.palisade-system.svc.cluster.local", "palisade.example.internal"]);
    expect(await names("https://10.96.0.50")).toMatchObject({ dnsNames: ["palisade-webhook.palisade-system.svc", "palisade-webhook.palisade-system.svc.cluster.local"], ipAddresses: ["10.96.0.50"] });
    expect((await names("https://[fd00::50]")).ipAddresses).toEqual(["fd00::50"]);
  });
});
