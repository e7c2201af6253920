/**
 * The dangerous requests are asked in the shape the API server authorizes them in: a create
 * on a collection carries no object name (so resourceNames cannot allow it), and
 * Impersonate-Extra-KEY is impersonate on userextras with subresource KEY.
 */
import { describe, expect, it } from "vitest";
import { heldDangers } from "../../../src/access/rbac/danger-probes.js";
import { rbacFindings } from "../../../src/access/rbac/risks.js";
import { impersonatedUser } from "../../../src/access/rbac/subjects.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, res, userSubject } from "./helpers.js";

const RBAC = "rbac.authorization.k8s.io";
const AUTHN = "authentication.k8s.io";

function risks(objects: K8sObject[]) {
  return rbacFindings(authorizer(objects)).filter((f) => f.ruleId !== "rbac/escalation-path");
}

const bound = (rules: object[]) => [clusterRole("r", rules), clusterRoleBinding("b", "r", [userSubject("alice")])];

describe("create on a collection names no object", () => {
  it("create limited by resourceNames is no grant to create pods, workloads or PersistentVolumes (the authorizer says no too)", () => {
    const objects = bound([{ apiGroups: ["", "apps"], resources: ["pods", "deployments", "persistentvolumes"], resourceNames: ["x"], verbs: ["create"] }]);
    expect(risks(objects)).toEqual([]);
    expect(authorizer(objects).authorize(impersonatedUser("alice"), res("create", "pods", { ns: "team" })).allowed).toBe(false);
  });

  it("update by name is still reported, without the create that resourceNames cannot allow", () => {
    const [finding] = risks(bound([{ apiGroups: [RBAC], resources: ["rolebindings"], resourceNames: ["x"], verbs: ["create", "update"] }]));
    expect(finding?.ruleId).toBe("rbac/write-rbac");
    expect(finding?.properties?.requests).toEqual([`update rolebindings.${RBAC}`]);
  });

  it("a create on a named object's subresource carries the name: serviceaccounts/token by name is still reported", () => {
    const ids = risks(bound([{ apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: ["robot"], verbs: ["create"] }])).map((f) => f.ruleId);
    expect(ids).toEqual(["rbac/serviceaccount-token"]);
  });
});

describe("impersonating user extras", () => {
  it("a rule on userextras/KEY allows Impersonate-Extra-KEY and is reported", () => {
    const [finding] = risks(bound([{ apiGroups: [AUTHN], resources: ["userextras/scopes"], verbs: ["impersonate"] }]));
    expect(finding?.ruleId).toBe("rbac/impersonate");
    expect(finding?.properties?.requests).toEqual([`impersonate userextras/scopes.${AUTHN}`]);
  });

  it("a bare userextras rule matches no extra key, so it is not reported (the authorizer says no for any key)", () => {
    const objects = bound([{ apiGroups: [AUTHN], resources: ["userextras"], verbs: ["impersonate"] }]);
    expect(risks(objects)).toEqual([]);
    expect(authorizer(objects).authorize(impersonatedUser("alice"), res("impersonate", "userextras", { group: AUTHN, sub: "scopes", name: "x" })).allowed).toBe(false);
  });

  it("star-slash-KEY and star are found too", () => {
    expect(risks(bound([{ apiGroups: [AUTHN], resources: ["*/scopes"], verbs: ["impersonate"] }]))[0]?.properties?.requests).toEqual([`impersonate userextras/scopes.${AUTHN}`]);
    const star = risks(bound([{ apiGroups: [AUTHN], resources: ["*"], verbs: ["impersonate"] }])).find((f) => f.ruleId === "rbac/impersonate");
    expect(star?.properties?.requests).toContain(`impersonate userextras/<any key>.${AUTHN}`);
  });

  it("what a user holds counts userextras/KEY and not a bare userextras", () => {
    const held = (rules: object[]) => heldDangers(authorizer(bound(rules)), impersonatedUser("alice"), "team").flatMap((d) => d.requests);
    expect(held([{ apiGroups: [AUTHN], resources: ["userextras/scopes"], verbs: ["impersonate"] }])).toEqual(["impersonate userextras/scopes"]);
    expect(held([{ apiGroups: [AUTHN], resources: ["userextras"], verbs: ["impersonate"] }])).toEqual([]);
  });
});
