/**
 * Whose `use` permission counts for a pod (plugin/pkg/admission/security/podsecuritypolicy,
 * isAuthorizedForPolicy): the requester's and the pod's service account's. A bare Pod is
 * requested by whoever applies it (`--user`); a template's pods by the controller that
 * creates them, so `--user` does not count for them.
 */
import { describe, expect, it } from "vitest";
import { rbacAuthorizerFor } from "../../src/access/rbac/family.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { checkWorkloads } from "../../src/psp/check.js";
import { podRequester } from "../../src/psp/pod-requester.js";
import { mayUseFromRbac } from "../../src/psp/rbac.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { policy } from "./helpers.js";

const POLICIES = [policy({ privileged: false }, "a-restricted"), policy({ privileged: true }, "z-permissive")];

/** QA's reproduction: alice may use the privileged policy; nothing else grants it. */
const ALICE_MAY_USE_PERMISSIVE = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: use-priv}
rules: [{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [z-permissive]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-priv}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-priv}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
`;

const PRIVILEGED = "containers: [{name: c, image: nginx, securityContext: {privileged: true}}]";

/** Each kind that creates pods from a template, privileged, in namespace app. */
const TEMPLATES: Record<string, string> = {
  Deployment: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec: {${PRIVILEGED}}`,
  ReplicaSet: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: app}
spec:
  selector: {matchLabels: {a: b}}
  template: {metadata: {labels: {a: b}}, spec: {${PRIVILEGED}}}`,
  StatefulSet: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: app}
spec:
  selector: {matchLabels: {a: b}}
  template: {metadata: {labels: {a: b}}, spec: {${PRIVILEGED}}}`,
  DaemonSet: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: app}
spec:
  selector: {matchLabels: {a: b}}
  template: {metadata: {labels: {a: b}}, spec: {${PRIVILEGED}}}`,
  Job: `apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: app}
spec:
  template: {spec: {restartPolicy: Never, ${PRIVILEGED}}}`,
  CronJob: `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: app}
spec:
  schedule: "0 0 * * *"
  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, ${PRIVILEGED}}}}}`,
  ReplicationController: `apiVersion: v1
kind: ReplicationController
metadata: {name: rc, namespace: app}
spec:
  selector: {a: b}
  template: {metadata: {labels: {a: b}}, spec: {${PRIVILEGED}}}`,
};

const BARE_POD = `apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: app}
spec: {${PRIVILEGED}}`;

async function check(rbac: string, workloads: string, user?: string) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: `${rbac}---\n${workloads}` });
  expect(snapshot.problems).toEqual([]);
  const mayUse = mayUseFromRbac(rbacAuthorizerFor(snapshot, { bootstrap: true }));
  return checkWorkloads(POLICIES, snapshot.objects, mayUse, user);
}

const refusedKinds = (findings: Awaited<ReturnType<typeof check>>) => [...new Set(findings.filter((f) => f.ruleId === "psp/not-admitted").map((f) => f.object?.kind))];

describe("psp check --rbac --user", () => {
  it("the user's permission admits the bare Pod they create, never a template's pods (QA: no findings in 4 objects)", async () => {
    const findings = await check(ALICE_MAY_USE_PERMISSIVE, `${TEMPLATES.Deployment}\n---\n${BARE_POD}`, "alice");
    expect(refusedKinds(findings)).toEqual(["Deployment"]);
    const permissive = findings.find((f) => f.properties?.policy === "z-permissive");
    expect(permissive?.message).toBe(
      'not admitted: provider "z-permissive": Forbidden: not usable by user or serviceaccount (judged without --user alice\'s permissions: the ReplicaSet controller creates these pods, so only the pod\'s service account system:serviceaccount:app:default and the controller\'s system:serviceaccount:kube-system:replicaset-controller count)',
    );
    expect(permissive?.properties).toMatchObject({ requester: "system:serviceaccount:kube-system:replicaset-controller", userNotCounted: "alice" });
  });

  it("holds for every kind whose pods a controller creates", async () => {
    for (const [kind, text] of Object.entries(TEMPLATES)) {
      const findings = await check(ALICE_MAY_USE_PERMISSIVE, text, "alice");
      expect(refusedKinds(findings), kind).toEqual([kind]);
      expect(findings.every((f) => f.message.includes("judged without --user alice's permissions")), kind).toBe(true);
    }
  });

  it("a Pod its controller created (a live ReplicaSet's) is the controller's request too", async () => {
    const owned = BARE_POD.replace("metadata: {name: bare, namespace: app}", "metadata: {name: web-1, namespace: app, ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web, uid: u, controller: true}]}");
    expect(refusedKinds(await check(ALICE_MAY_USE_PERMISSIVE, owned, "alice"))).toEqual(["Pod"]);
    expect(podRequester({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } } as K8sObject)).toEqual({ by: "user" });
  });

  it("the pod's service account counts, `default` when the pod names none", async () => {
    const toDefault = `${ALICE_MAY_USE_PERMISSIVE}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-priv, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-priv}
subjects: [{kind: ServiceAccount, name: default, namespace: app}]
`;
    expect(refusedKinds(await check(toDefault, TEMPLATES.Deployment as string, "alice"))).toEqual([]);
    expect(refusedKinds(await check(toDefault, TEMPLATES.Deployment as string))).toEqual([]);
  });

  it("the controller's service account counts: granting it a policy grants it to every pod it creates", async () => {
    const toReplicaSetController = `${ALICE_MAY_USE_PERMISSIVE}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: rs-controller-priv}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-priv}
subjects: [{kind: ServiceAccount, name: replicaset-controller, namespace: kube-system}]
`;
    const all = Object.values(TEMPLATES).join("\n---\n");
    expect(refusedKinds(await check(toReplicaSetController, all)).sort()).toEqual(["CronJob", "DaemonSet", "Job", "ReplicationController", "StatefulSet"]);
    const toKubeSystem = toReplicaSetController.replace("subjects: [{kind: ServiceAccount, name: replicaset-controller, namespace: kube-system}]", "subjects: [{kind: Group, name: \"system:serviceaccounts:kube-system\", apiGroup: rbac.authorization.k8s.io}]");
    expect(refusedKinds(await check(toKubeSystem, all))).toEqual([]);
  });

  it("without --rbac every policy is usable, and nothing is said of --user", async () => {
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: TEMPLATES.Deployment as string });
    const findings = checkWorkloads(POLICIES.slice(0, 1), snapshot.objects, undefined, "alice");
    expect(findings.map((f) => f.message)).toEqual(['not admitted by PodSecurityPolicy "a-restricted": spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed']);
  });
});
