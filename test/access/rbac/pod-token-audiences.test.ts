/**
 * A pod that opts out of the automounted token but projects one for the API server's own
 * audience (kube-apiserver's --api-audiences, by default its --service-account-issuer) holds an
 * API token all the same: RBAC's answers (who runs as which account, and the escalation paths
 * through exec into its pods) count it as posture does, from the kube-apiserver static pod of
 * the input (src/access/authn/api-audiences.ts).
 */
import { describe, expect, it } from "vitest";
import { buildEscalationGraph, CLUSTER_ADMIN } from "../../../src/access/rbac/escalation.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, roleBinding, saSubject, userSubject } from "./helpers.js";

const ISSUER = "https://kubernetes.default.svc.cluster.local";

const apiserver = (...flags: string[]): K8sObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "kube-apiserver", namespace: "kube-system" },
  spec: { hostNetwork: true, containers: [{ name: "kube-apiserver", image: "registry.k8s.io/kube-apiserver:v1.31.0", command: ["kube-apiserver", "--authorization-mode=Node,RBAC", ...flags] }] },
});

/** Deployment api in shop, as ServiceAccount api, with no automounted token and one projected for `audience`. */
const projectedOnly = (audience: string): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", namespace: "shop" },
  spec: {
    template: {
      spec: {
        serviceAccountName: "api",
        automountServiceAccountToken: false,
        containers: [{ name: "c", image: "x" }],
        volumes: [{ name: "token", projected: { sources: [{ serviceAccountToken: { path: "token", audience } }] } }],
      },
    },
  },
});

const cluster = [
  clusterRole("cluster-admin", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
  clusterRoleBinding("api-admin", "cluster-admin", [saSubject("api", "shop")]),
  clusterRole("exec", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }]),
  roleBinding("shop", "ops-exec", "ClusterRole", "exec", [userSubject("ops")]),
];

function answers(objects: K8sObject[]) {
  const rbac = authorizer(objects);
  return {
    carried: rbac.policy.podServiceAccounts.filter((p) => p.namespace === "shop").map((p) => `${p.namespace}/${p.serviceAccount}`),
    path: buildEscalationGraph(rbac).paths.get("User:ops")?.map((e) => `${e.kind}>${e.to}`),
  };
}

const viaExec = ["exec>ServiceAccount:shop/api", `wildcard>${CLUSTER_ADMIN}`];

describe("pods' projected tokens for the API server's own audience, in RBAC", () => {
  it("count as API tokens when the kube-apiserver in the input accepts their audience, by its issuer or --api-audiences", () => {
    expect(answers([apiserver(`--service-account-issuer=${ISSUER}`), projectedOnly(ISSUER), ...cluster])).toEqual({ carried: ["shop/api"], path: viaExec });
    expect(answers([...cluster, projectedOnly("api"), apiserver(`--service-account-issuer=${ISSUER}`, "--api-audiences=api,vault")])).toEqual({ carried: ["shop/api"], path: viaExec });
  });

  it("do not count for an audience it does not accept, nor when the input holds no kube-apiserver to say", () => {
    // --api-audiences set: the issuer is no longer an audience of its own.
    expect(answers([apiserver(`--service-account-issuer=${ISSUER}`, "--api-audiences=api"), projectedOnly(ISSUER), ...cluster])).toEqual({ carried: [], path: undefined });
    expect(answers([apiserver(`--service-account-issuer=${ISSUER}`), projectedOnly("vault"), ...cluster])).toEqual({ carried: [], path: undefined });
    expect(answers([projectedOnly(ISSUER), ...cluster])).toEqual({ carried: [], path: undefined });
  });
});
