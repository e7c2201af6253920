import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RbacAuthorizer } from "../../src/access/rbac/authorizer.js";
import { buildPolicy } from "../../src/access/rbac/policy.js";
import { parsePodSecurityPolicies } from "../../src/admission/config.js";
import { podSecurityPolicyPolicy } from "../../src/admission/policies/pod-security-policy.js";
import { withPodSecurityPolicyUse } from "../../src/admission/policies/psp-use.js";
import type { AdmissionContext } from "../../src/admission/policy.js";
import { EMPTY_CLUSTER } from "../../src/admission/policy.js";
import type { UserInfo } from "../../src/admission/review.js";
import { createRequestFor } from "../../src/admission/scan-bridge.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { repoRoot } from "../support/conformance.js";

const psps = ["psp-restricted.yaml", "psp-privileged.yaml"].flatMap((f) =>
  parsePodSecurityPolicies(f, readFileSync(join(repoRoot, "examples", f), "utf8")),
);

/** Everyone may use `restricted`; only the platform group may use `privileged`. */
const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: psp-restricted}
rules: [{apiGroups: [policy], resources: [podsecuritypolicies], resourceNames: [restricted], verbs: [use]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-restricted}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-restricted}
subjects: [{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: psp-privileged}
rules: [{apiGroups: [policy], resources: [podsecuritypolicies], resourceNames: [privileged], verbs: [use]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: platform-privileged}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-privileged}
subjects: [{kind: Group, name: platform, apiGroup: rbac.authorization.k8s.io}]
`;

const rbac = new RbacAuthorizer(buildPolicy(parseYamlFile("rbac.yaml", RBAC).objects.map((o) => ({ object: o.object, source: o.source }))));

const PRIVILEGED_POD = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "apps" },
  spec: { containers: [{ name: "c", image: "x", securityContext: { privileged: true } }] },
};

function validate(policy: ReturnType<typeof podSecurityPolicyPolicy> | ReturnType<typeof withPodSecurityPolicyUse>[number], user: UserInfo) {
  const context: AdmissionContext = { request: createRequestFor(PRIVILEGED_POD, user), cluster: EMPTY_CLUSTER, excepted: () => false };
  return policy.validate(context).deny;
}

describe("PodSecurityPolicy admission with RBAC `use`", () => {
  it("without RBAC data every policy is usable, so the privileged policy admits the pod", () => {
    expect(validate(podSecurityPolicyPolicy(psps, "enforce"), { username: "alice", groups: ["system:authenticated"] })).toEqual([]);
  });

  it("with RBAC, a user may only be admitted by the policies it may use", () => {
    const [policy] = withPodSecurityPolicyUse([podSecurityPolicyPolicy(psps, "enforce")], rbac);
    if (!policy) throw new Error("no policy");
    const alice = validate(policy, { username: "alice", groups: ["system:authenticated"] });
    expect(alice.map((d) => d.rule)).toEqual(["unable-to-admit"]);
    expect(alice[0]?.message).toMatch(/privileged/i);
    expect(validate(policy, { username: "bob", groups: ["system:authenticated", "platform"] })).toEqual([]);
  });
});
