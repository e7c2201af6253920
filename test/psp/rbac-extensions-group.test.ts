import { describe, expect, it } from "vitest";
import { rbacAuthorizerFor } from "../../src/access/rbac/family.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { mayUseFromRbac } from "../../src/psp/rbac.js";

// Upstream's admission plugin (authorizedForPolicy, through v1.24) checked `use` in the
// "policy" group and then in "extensions", for grants written when PSP was
// extensions/v1beta1. Many old clusters' Roles still say `apiGroups: [extensions]`.
const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: psp-legacy}
rules:
- apiGroups: [extensions]
  resources: [podsecuritypolicies]
  resourceNames: [legacy]
  verbs: [use]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: legacy, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-legacy}
subjects:
- {kind: ServiceAccount, name: builder, namespace: ci}
- {kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}
`;

describe("mayUse from RBAC: the extensions group", () => {
  it("counts a `use` grant in apiGroups [extensions], as upstream did", async () => {
    const authorizer = rbacAuthorizerFor(await loadSnapshot({ paths: ["-"], stdinText: RBAC }), { bootstrap: false });
    const mayUse = mayUseFromRbac(authorizer);
    expect(mayUse("legacy", undefined, "system:serviceaccount:ci:builder", "ci")).toBe(true);
    expect(mayUse("legacy", "bob", "system:serviceaccount:ci:other", "ci")).toBe(true);
    // Still only the named policy, in the bound namespace.
    expect(mayUse("other", undefined, "system:serviceaccount:ci:builder", "ci")).toBe(false);
    expect(mayUse("legacy", undefined, "system:serviceaccount:prod:builder", "prod")).toBe(false);
  });
});
