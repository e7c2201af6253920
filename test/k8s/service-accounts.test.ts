/** Which account a pod runs as and whether it carries a token the API server accepts, as RBAC, network and posture read it. */
import { describe, expect, it } from "vitest";
import { buildPolicy } from "../../src/access/rbac/policy.js";
import { podServiceAccountName, tokenMount } from "../../src/k8s/service-accounts.js";
import type { K8sObject } from "../../src/k8s/types.js";

const account = (automount?: boolean): K8sObject => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "robot", namespace: "a" }, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }) });
const projected = (audience?: string) => ({ volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "t", ...(audience ? { audience } : {}) } }] } }] });

describe("service accounts", () => {
  it("names the account as the API server defaults it: serviceAccountName, else the deprecated serviceAccount, else default", () => {
    expect(podServiceAccountName({ serviceAccountName: "a", serviceAccount: "b" })).toBe("a");
    expect(podServiceAccountName({ serviceAccount: "b" })).toBe("b");
    expect(podServiceAccountName({ serviceAccountName: "" })).toBe("default");
    expect(podServiceAccountName({})).toBe("default");
  });

  it("mounts a token unless the pod, or else its account, says false; a projected token for the API server counts whatever they say", () => {
    expect(tokenMount({}, undefined).mounted).toBe(true);
    expect(tokenMount({}, account(false)).mounted).toBe(false);
    expect(tokenMount({ automountServiceAccountToken: true }, account(false)).mounted).toBe(true);
    expect(tokenMount({ automountServiceAccountToken: false }, account(true)).mounted).toBe(false);
    expect(tokenMount({ automountServiceAccountToken: false, ...projected() }, undefined)).toEqual({ mounted: true, how: "projected", podPath: ["spec", "volumes", 0, "projected", "sources", 0, "serviceAccountToken"] });
    expect(tokenMount({ automountServiceAccountToken: false, ...projected("vault") }, undefined)).toEqual({ mounted: false, audiences: ["vault"] });
  });

  it("RBAC counts the tokens pods carry by the same reading, whatever order the account and the workload come in", () => {
    const pod = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "a" }, spec: { containers: [{ name: "c", image: "x" }], ...spec } });
    const carried = (objects: K8sObject[]) => buildPolicy(objects.map((object) => ({ object }))).podServiceAccounts.map((p) => `${p.namespace}/${p.serviceAccount}`);
    expect(carried([pod({ serviceAccount: "robot" }), account(false)])).toEqual([]);
    expect(carried([account(false), pod({ serviceAccountName: "robot" })])).toEqual([]);
    expect(carried([pod({ serviceAccount: "robot" }), account()])).toEqual(["a/robot"]);
    expect(carried([pod({ serviceAccountName: "robot", ...projected() }), account(false)])).toEqual(["a/robot"]);
  });
});
