/**
 * `palisade install` sends the nodeRestriction policy what it judges: every write by a node
 * identity that the policy would refuse reaches /validate through one of the registered
 * webhooks, save the writes install deliberately leaves to kube-apiserver's own plugin
 * (src/install/node-webhook.ts says why). Nodes' status updates in particular: a kubelet
 * must not relabel its Node through /status.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EMPTY_CLUSTER } from "../../src/admission/policy.js";
import { nodeRestrictionPolicy } from "../../src/admission/policies/node-restriction.js";
import type { AdmissionRequest } from "../../src/admission/review.js";
import { palisade } from "../support/cli-in-process.js";
import { findObject, type Obj } from "./support.js";
import { calledWebhooks, type Webhook } from "./webhook-matching.js";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function validatingWebhooks(...args: string[]): Promise<Webhook[]> {
  const result = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", ...args]);
  expect(result.code, result.stderr).toBe(0);
  return findObject((JSON.parse(result.stdout) as { items: Obj[] }).items, "ValidatingWebhookConfiguration").webhooks as Webhook[];
}

interface Target {
  group: string;
  version: string;
  resource: string;
  subResource: string;
  namespaced: boolean;
}

const target = (group: string, version: string, resource: string, namespaced: boolean): Target => {
  const [main, sub = ""] = resource.split("/");
  return { group, version, resource: main!, subResource: sub, namespaced };
};

// What kubelets write, and what the policy judges (node-restriction.ts judge()), with some it does not.
const TARGETS: Target[] = [
  target("", "v1", "nodes", false),
  target("", "v1", "nodes/status", false),
  ...["pods", "pods/status", "pods/eviction", "pods/binding", "pods/ephemeralcontainers", "pods/resize"].map((r) => target("", "v1", r, true)),
  target("", "v1", "persistentvolumeclaims", true),
  target("", "v1", "persistentvolumeclaims/status", true),
  target("", "v1", "serviceaccounts/token", true),
  target("", "v1", "secrets", true),
  target("coordination.k8s.io", "v1", "leases", true),
  target("storage.k8s.io", "v1", "csinodes", false),
  ...["v1", "v1beta2", "v1beta1", "v1alpha3"].map((v) => target("resource.k8s.io", v, "resourceslices", false)),
  target("certificates.k8s.io", "v1", "certificatesigningrequests", false),
  target("apps", "v1", "deployments", true),
];
const NAMESPACES = ["kube-system", "kube-node-lease", "default", "palisade-system", "team-blue"];

/** The writes install leaves to kube-apiserver's NodeRestriction, each for the reason node-webhook.ts gives. */
function leftToKubeApiserver(request: AdmissionRequest): boolean {
  const { group, resource } = request.resource;
  // The heartbeat namespace and kube-system (its mirror pods) are skipped whole (the namespaceSelector).
  if (request.namespace === "kube-node-lease" || request.namespace === "kube-system") return true;
  if (group !== "") return false;
  if (resource === "serviceaccounts") return true;
  if (resource === "pods" && request.subResource === "status") return true;
  // Pod deletes reach the policy through the main webhook, which skips kube-system and Palisade's own namespace.
  return resource === "pods" && request.subResource === "" && request.operation === "DELETE" && ["kube-system", "palisade-system"].includes(request.namespace);
}

const object = fc.record({
  name: fc.constantFrom("n1", "n2"),
  labels: fc.dictionary(fc.constantFrom("kubernetes.io/hostname", "node-restriction.kubernetes.io/tenant", "team"), fc.constantFrom("a", "b"), { maxKeys: 2 }),
  nodeName: fc.constantFrom("n1", "n2"),
});

const nodeWrite = fc
  .record({ target: fc.constantFrom(...TARGETS), namespace: fc.constantFrom(...NAMESPACES), operation: fc.constantFrom("CREATE" as const, "UPDATE" as const, "DELETE" as const), object, old: object })
  .map(({ target: t, namespace, operation, object: o, old }): AdmissionRequest => {
    const toObject = (x: typeof o) => ({
      apiVersion: "v1",
      kind: "Object",
      metadata: { name: x.name, labels: x.labels },
      spec: { nodeName: x.nodeName, signerName: "kubernetes.io/kubelet-serving", request: "bm90IGEgQ1NS" },
    });
    return {
      uid: "u",
      kind: { group: t.group, version: t.version, kind: "Object" },
      resource: { group: t.group, version: t.version, resource: t.resource },
      subResource: t.subResource,
      name: operation === "CREATE" ? "" : old.name,
      namespace: t.namespaced ? namespace : "",
      operation,
      userInfo: { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] },
      object: operation === "DELETE" ? null : toObject(o),
      oldObject: operation === "CREATE" ? null : toObject(old),
      dryRun: false,
    };
  });

describe("palisade install routes node identities' writes to the nodeRestriction policy", () => {
  it("sends every node write the policy refuses, except those left to kube-apiserver's plugin", async () => {
    const webhooks = await validatingWebhooks();
    const policy = nodeRestrictionPolicy("enforce");
    fc.assert(
      fc.property(nodeWrite, (request) => {
        const refused = policy.validate({ request, cluster: EMPTY_CLUSTER, excepted: () => false, deadline: undefined }).deny.length > 0;
        if (!refused || leftToKubeApiserver(request)) return;
        expect(calledWebhooks(webhooks, request), `${request.operation} ${request.resource.group}/${request.resource.resource}/${request.subResource} in ${request.namespace || "(cluster)"}`).not.toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it("sends a kubelet's Node status update that sets a tenant label, and a mirror pod outside kube-system", async () => {
    const webhooks = await validatingWebhooks();
    const node = (labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Node", metadata: { name: "n1", labels } });
    const base = { uid: "u", userInfo: { username: "system:node:n1", groups: ["system:nodes"] }, dryRun: false };
    const relabel: AdmissionRequest = {
      ...base,
      kind: { group: "", version: "v1", kind: "Node" },
      resource: { group: "", version: "v1", resource: "nodes" },
      subResource: "status",
      name: "n1",
      namespace: "",
      operation: "UPDATE",
      object: node({ "node-restriction.kubernetes.io/tenant": "blue" }),
      oldObject: node({}),
    };
    expect(calledWebhooks(webhooks, relabel)).toEqual(["nodes.validate.palisade.dev"]);
    // The policy refuses it once it is asked.
    expect(nodeRestrictionPolicy("enforce").validate({ request: relabel, cluster: EMPTY_CLUSTER, excepted: () => false, deadline: undefined }).deny[0]?.message).toMatch(/is not allowed to modify labels: node-restriction\.kubernetes\.io\/tenant/);
    // Anyone else's status update is not sent: only node identities are judged.
    expect(calledWebhooks(webhooks, { ...relabel, userInfo: { username: "system:serviceaccount:kube-system:node-controller", groups: [] } })).toEqual([]);

    const mirror: AdmissionRequest = {
      ...base,
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      subResource: "",
      name: "",
      namespace: "kube-system",
      operation: "CREATE",
      object: { apiVersion: "v1", kind: "Pod", metadata: { name: "kube-apiserver-n1", annotations: { "kubernetes.io/config.mirror": "x" } }, spec: { nodeName: "n1" } },
      oldObject: null,
    };
    // kube-system's mirror pods are left to kube-apiserver's own plugin: every /validate policy would judge them.
    expect(calledWebhooks(webhooks, mirror)).toEqual([]);
    expect(calledWebhooks(webhooks, { ...mirror, namespace: "team-blue" })).toContain("nodes.validate.palisade.dev");
    // Heartbeats are not sent, leader-election Leases are.
    const lease = (namespace: string): AdmissionRequest => ({ ...mirror, kind: { group: "coordination.k8s.io", version: "v1", kind: "Lease" }, resource: { group: "coordination.k8s.io", version: "v1", resource: "leases" }, namespace, operation: "UPDATE", name: "n1" });
    expect(calledWebhooks(webhooks, lease("kube-node-lease"))).toEqual([]);
    expect(calledWebhooks(webhooks, lease("team-blue"))).toEqual(["nodes.validate.palisade.dev"]);
  });

  it("prints its rules as plain YAML, without anchors or aliases", async () => {
    const yaml = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24"]);
    expect(yaml.code, yaml.stderr).toBe(0);
    const validating = yaml.stdout.split("---\n").find((doc) => doc.includes("kind: ValidatingWebhookConfiguration"))!;
    expect(validating).toContain("nodes/status");
    expect(validating).not.toMatch(/: [&*]a\d+/);
  });

  it("registers no node webhook when the configuration has no nodeRestriction policy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-install-nodes-"));
    const config = (policies: string) => {
      const file = join(dir, `config-${policies.length}.yaml`);
      writeFileSync(file, `apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  port: 8443\npolicies:\n${policies}`);
      return file;
    };
    const names = async (policies: string) => (await validatingWebhooks("--config", config(policies))).map((w) => w.name);
    expect(await names("  images: { mode: enforce, forbidLatest: true }\n")).toEqual(["validate.palisade.dev"]);
    expect(await names("  nodeRestriction: { mode: warn }\n")).toEqual(["validate.palisade.dev", "nodes.validate.palisade.dev"]);
  });
});
