/**
 * kube-apiserver's own validation of its --authorization-* flags (pkg/kubeapiserver/options
 * authorization.go BuiltInAuthorizationOptions.Validate), reported as apiserver/refuses-to-start
 * in upstream's words; and the authorization rules' wording when the server cannot start.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

function judge(...flags: string[]) {
  const text = ["apiVersion: v1", "kind: Pod", "metadata: {name: kube-apiserver, namespace: kube-system}", "spec:", "  containers:", "  - name: kube-apiserver", "    command:", ...["kube-apiserver", ...flags].map((a) => `    - ${JSON.stringify(a)}`), ""].join("\n");
  return checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile("kube-apiserver.yaml", text).objects });
}
const refusals = (...flags: string[]) => judge(...flags).filter((f) => f.ruleId === "apiserver/refuses-to-start").map((f) => f.message.replace("kube-apiserver refuses to start: ", ""));
const ids = (...flags: string[]) => judge(...flags).map((f) => f.ruleId);

describe("kube-apiserver refuses authorization flags its Validate rejects", () => {
  it("a mode name it does not know, compared case-sensitively", () => {
    expect(refusals("--authorization-mode=node,rbac")).toEqual(['authorization-mode "node" is not a valid mode (modes are case-sensitive: Node)', 'authorization-mode "rbac" is not a valid mode (modes are case-sensitive: RBAC)']);
    expect(refusals("--authorization-mode=Node,Foo")).toEqual(['authorization-mode "Foo" is not a valid mode (the modes are AlwaysAllow, AlwaysDeny, ABAC, Webhook, RBAC, Node)']);
    expect(refusals('--authorization-mode="Node,RBAC"')).toEqual(['authorization-mode "Node,RBAC" is not a valid mode (pflag reads the value as CSV, where quotes keep the commas inside one item)']);
    expect(refusals("--authorization-mode=Node, RBAC")).toEqual(['authorization-mode " RBAC" is not a valid mode (pflag keeps the spaces around an item)']);
    expect(refusals("--authorization-mode=Node,,RBAC")).toEqual(['authorization-mode "" is not a valid mode (the modes are AlwaysAllow, AlwaysDeny, ABAC, Webhook, RBAC, Node)']);
    for (const mode of ["AlwaysAllow", "AlwaysDeny", "RBAC", "Node"]) expect(refusals(`--authorization-mode=${mode}`), mode).toEqual([]);
  });

  it("a mode given more than once, also across repeated flags (a string slice appends)", () => {
    expect(refusals("--authorization-mode=Node,RBAC,Node")).toEqual(['authorization-mode ["Node" "RBAC" "Node"] has mode specified more than once (every --authorization-mode given adds to the list)']);
    expect(refusals("--authorization-mode=Node,RBAC", "--authorization-mode=RBAC,Node,AlwaysAllow")).toEqual(['authorization-mode ["Node" "RBAC" "RBAC" "Node" "AlwaysAllow"] has mode specified more than once (every --authorization-mode given adds to the list)']);
    expect(refusals("--authorization-mode=Node", "--authorization-mode=RBAC")).toEqual([]);
  });

  it("ABAC without its policy file, Webhook without its config file, and either file without its mode", () => {
    expect(refusals("--authorization-mode=Node,RBAC,ABAC")).toEqual(["authorization-mode ABAC's authorization policy file not passed (set --authorization-policy-file)"]);
    expect(refusals("--authorization-mode=Node,Webhook,RBAC", "--authorization-webhook-config-file=")).toEqual(["authorization-mode Webhook's authorization config file not passed (set --authorization-webhook-config-file)"]);
    expect(refusals("--authorization-mode=Node,ABAC,Webhook", "--authorization-policy-file=/p.jsonl", "--authorization-webhook-config-file=/w.kubeconfig")).toEqual([]);
    expect(refusals("--authorization-mode=Node,RBAC", "--authorization-policy-file=/p.jsonl")).toEqual(["cannot specify --authorization-policy-file without mode ABAC"]);
    expect(refusals("--authorization-mode=Node,RBAC", "--authorization-webhook-config-file=/w")).toEqual(["cannot specify --authorization-webhook-config-file without mode Webhook"]);
    // Without --authorization-mode, Complete() makes the modes AlwaysAllow: a policy file alone is refused too.
    expect(refusals("--authorization-policy-file=/p.jsonl")).toEqual(["cannot specify --authorization-policy-file without mode ABAC"]);
  });

  it("--authorization-config with any legacy --authorization-mode or --authorization-webhook-* flag, even empty", () => {
    const message = "--authorization-config can not be specified when --authorization-mode or --authorization-webhook-* flags are defined";
    expect(refusals("--authorization-config=/etc/k/authz.yaml", "--authorization-mode=AlwaysAllow")).toEqual([message]);
    expect(refusals("--authorization-config=/etc/k/authz.yaml", "--authorization-mode=")).toEqual([message]);
    expect(refusals("--authorization-config=/etc/k/authz.yaml", "--authorization-webhook-cache-authorized-ttl=1m")).toEqual([message]);
    // The ABAC policy file is not a legacy flag there (AreLegacyFlagsSet does not ask for it), and the modes are not validated.
    expect(refusals("--authorization-config=/etc/k/authz.yaml", "--authorization-policy-file=/p")).toEqual([]);
    expect(refusals("--authorization-config=/etc/k/authz.yaml")).toEqual([]);
    // An empty --authorization-config is no file: the legacy flags are validated as usual.
    expect(refusals("--authorization-config=", "--authorization-mode=Node,RBAC")).toEqual([]);
  });

  it("refuses exactly the mode lists upstream's Validate refuses (property)", () => {
    const VALID = ["AlwaysAllow", "AlwaysDeny", "RBAC", "Node"];
    const mode = fc.oneof(fc.constantFrom(...VALID), fc.constantFrom("rbac", "node", "Rbac", "alwaysallow", "NODE", "Foo"));
    fc.assert(
      fc.property(fc.array(mode, { minLength: 1, maxLength: 5 }), (modes) => {
        const found = refusals(`--authorization-mode=${modes.join(",")}`);
        const invalid = modes.filter((m) => !VALID.includes(m));
        expect(found.filter((m) => m.includes("is not a valid mode"))).toHaveLength(invalid.length);
        expect(found.some((m) => m.includes("has mode specified more than once"))).toBe(new Set(modes).size !== modes.length);
      }),
      { numRuns: 60 },
    );
  });
});

describe("the authorization rules when kube-apiserver cannot start for a mode's name", () => {
  it("rbac-disabled and node-authorizer do not say a miscased mode is missing", () => {
    const found = ids("--authorization-mode=node,rbac");
    expect(found).toContain("apiserver/refuses-to-start");
    expect(found).not.toContain("apiserver/rbac-disabled");
    expect(found).not.toContain("apiserver/node-authorizer");
    // A mode that is simply absent is still reported.
    expect(ids("--authorization-mode=rbac")).toContain("apiserver/node-authorizer");
    expect(ids("--authorization-mode=Node")).toContain("apiserver/rbac-disabled");
  });

  it("never tells the author to include RBAC when some case of it is already there (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom("rbac", "Rbac", "RBac", "rBAC"), fc.subarray(["Node", "AlwaysDeny"]), (rbac, others) => {
        expect(ids(`--authorization-mode=${[...others, rbac].join(",")}`)).not.toContain("apiserver/rbac-disabled");
      }),
      { numRuns: 20 },
    );
  });
});

describe("always-allow with an empty --authorization-mode", () => {
  it("says the flag is empty, and keeps the verdict: Complete() makes no modes AlwaysAllow", () => {
    const found = judge("--authorization-mode=").find((f) => f.ruleId === "apiserver/always-allow");
    expect(found?.message).toBe("--authorization-mode is empty and --authorization-config is not set, so kube-apiserver uses AlwaysAllow");
    expect(found?.fieldPath).toBe("spec.containers[0].command[1]");
    expect(judge().find((f) => f.ruleId === "apiserver/always-allow")?.message).toBe("neither --authorization-mode nor --authorization-config is set, and --authorization-mode defaults to AlwaysAllow");
  });
});
