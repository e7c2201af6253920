/**
 * The QA report's reproductions (/tmp/qa/rbac.md), through the CLI in-process: a request on a
 * named Namespace, a service-account user name upstream's SplitUsername refuses, and the rules
 * written in an aggregated ClusterRole.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { palisade } from "../../support/cli-in-process.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-rbac-qa-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("can-i and who-can on a named Namespace (QA 1)", () => {
  const ns = file(
    "ns.yaml",
    `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ns-owner, namespace: team}
rules:
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get", "update", "patch", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ns-owner, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ns-owner}
subjects:
- {kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}
`,
  );

  it("DELETE /api/v1/namespaces/team is a request in team: yes, granted by RoleBinding team/ns-owner, with or without -n team", async () => {
    for (const args of [["delete", "namespaces", "team"], ["delete", "namespaces/team", "-n", "team"]]) {
      const result = await palisade(["rbac", "can-i", ...args, "--as", "carol", "-f", ns]);
      expect(result.code, args.join(" ")).toBe(0);
      expect(result.stdout).toMatch(/^yes\n {2}granted by RoleBinding team\/ns-owner/);
      expect(result.stderr).not.toContain("not namespace scoped");
    }
  });

  it("another -n is ignored with a warning that says why", async () => {
    const result = await palisade(["rbac", "can-i", "patch", "namespaces", "team", "-n", "other", "--as", "carol", "-f", ns]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("warning: a request on the Namespace team is made in namespace team, as the API server reads /api/v1/namespaces/team; -n other is ignored\n");
  });

  it("who-can delete namespaces team lists carol; listing namespaces stays cluster-scoped", async () => {
    const who = await palisade(["rbac", "who-can", "delete", "namespaces", "team", "-f", ns, "-o", "json"]);
    const listed = JSON.parse(who.stdout) as { request: { namespace: string }; subjects: Array<{ kind: string; name: string }> };
    expect(listed.request.namespace).toBe("team");
    expect(listed.subjects.map((s) => `${s.kind} ${s.name}`)).toEqual(["Group system:masters", "User carol"]);
    expect((await palisade(["rbac", "can-i", "list", "namespaces", "-n", "team", "--as", "carol", "-f", ns])).code).toBe(1);
  });
});

describe("can-i --as a user named like a service account that SplitUsername refuses (QA 3)", () => {
  const r1 = file(
    "r1.yaml",
    `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-exec}
rules:
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: exec-b, namespace: payments}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-exec}
subjects:
- {kind: Group, name: system:serviceaccounts:ci, apiGroup: rbac.authorization.k8s.io}
`,
  );
  const canExec = (as: string) => palisade(["rbac", "can-i", "create", "pods", "--subresource", "exec", "-n", "payments", "--as", as, "-f", r1, "-o", "json"]);

  it("system:serviceaccount:ci:Foo is a plain user: no service-account groups, so no (exit 1)", async () => {
    const result = await canExec("system:serviceaccount:ci:Foo");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ allowed: false, user: { name: "system:serviceaccount:ci:Foo", groups: ["system:authenticated"] } });
  });

  it("system:serviceaccount:ci:foo is the service account, in system:serviceaccounts:ci, so yes", async () => {
    expect((await canExec("system:serviceaccount:ci:foo")).code).toBe(0);
  });
});

describe("rbac risks on the rules written in an aggregated ClusterRole (QA 4)", () => {
  const r8 = file(
    "r8.yaml",
    `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: aggr}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {nobody: "has-this"}
rules:
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: aggr-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: aggr}
subjects:
- {kind: User, name: pat, apiGroup: rbac.authorization.k8s.io}
`,
  );

  it("agrees with can-i: the rules are replaced, so only rbac/invalid-object, and --fail-on high passes", async () => {
    expect((await palisade(["rbac", "can-i", "get", "secrets", "--as", "pat", "-f", r8])).code).toBe(1);
    const risks = await palisade(["rbac", "risks", r8, "-o", "json"]);
    expect(JSON.parse(risks.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(["rbac/invalid-object"]);
    expect(risks.code).toBe(0);
  });
});
