import { describe, expect, it } from "vitest";
import { rbacAuthorizerFor } from "../../src/access/rbac/family.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { admitPod } from "../../src/psp/admit.js";
import { mayUseFromRbac } from "../../src/psp/rbac.js";
import { pod, policy } from "./helpers.js";

const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: psp-restricted}
rules:
- apiGroups: [policy]
  resources: [podsecuritypolicies]
  resourceNames: [restricted]
  verbs: [use]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: builders-restricted, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-restricted}
subjects:
- {kind: ServiceAccount, name: builder, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: psp-privileged}
rules:
- apiGroups: [policy]
  resources: [podsecuritypolicies]
  resourceNames: [privileged]
  verbs: [use]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins-privileged}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-privileged}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
`;

describe("mayUse from RBAC", () => {
  it("answers with the pod's service account, then the requesting user, in the pod's namespace", async () => {
    const authorizer = rbacAuthorizerFor(await loadSnapshot({ paths: ["-"], stdinText: RBAC }), { bootstrap: false });
    const mayUse = mayUseFromRbac(authorizer);
    expect(mayUse("restricted", undefined, "system:serviceaccount:ci:builder", "ci")).toBe(true);
    expect(mayUse("restricted", undefined, "system:serviceaccount:other:builder", "other")).toBe(false);
    expect(mayUse("privileged", undefined, "system:serviceaccount:ci:builder", "ci")).toBe(false);
    expect(mayUse("privileged", "alice", "system:serviceaccount:ci:builder", "ci")).toBe(true);

    const restricted = policy({ runAsUser: { rule: "MustRunAsNonRoot" } }, "restricted");
    const privileged = policy({ privileged: true, hostNetwork: true }, "privileged");
    const hostPod = pod({ hostNetwork: true, serviceAccountName: "builder" });
    hostPod.metadata!.namespace = "ci";
    const bySa = admitPod([restricted, privileged], { pod: hostPod }, mayUse);
    expect(bySa.allowed).toBe(false);
    expect(bySa.refusals.find((r) => r.policy === "privileged")?.reason).toBe("not-usable");
    expect(admitPod([restricted, privileged], { pod: hostPod, user: "alice" }, mayUse).policy).toBe("privileged");
  });
});
