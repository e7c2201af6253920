/** AdmissionReview bodies shaped exactly as specs/webhooks.md §2.1 shows them. */
import { randomUUID } from "node:crypto";
import type { K8sObject } from "../../src/k8s/types.js";
import { parseAdmissionReview, type AdmissionRequest } from "../../src/admission/review.js";

const RESOURCES: Record<string, { group: string; version: string; resource: string }> = {
  Pod: { group: "", version: "v1", resource: "pods" },
  Namespace: { group: "", version: "v1", resource: "namespaces" },
  Node: { group: "", version: "v1", resource: "nodes" },
  Secret: { group: "", version: "v1", resource: "secrets" },
  Deployment: { group: "apps", version: "v1", resource: "deployments" },
  CronJob: { group: "batch", version: "v1", resource: "cronjobs" },
  CertificateSigningRequest: { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" },
};

export interface ReviewOptions {
  operation?: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  oldObject?: K8sObject | null;
  subResource?: string;
  username?: string;
  groups?: string[];
  dryRun?: boolean;
  namespace?: string;
  name?: string;
  kind?: string;
}

export function reviewBody(object: K8sObject | null, options: ReviewOptions = {}): Record<string, unknown> {
  const kind = options.kind ?? object?.kind ?? options.oldObject?.kind ?? "Pod";
  const gvr = RESOURCES[kind] ?? { group: "", version: "v1", resource: `${kind.toLowerCase()}s` };
  const gvk = { group: gvr.group, version: gvr.version, kind };
  const operation = options.operation ?? "CREATE";
  const request: Record<string, unknown> = {
    uid: randomUUID(),
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    operation,
    userInfo: { username: options.username ?? "alice", uid: "u-1", groups: options.groups ?? ["devs", "system:authenticated"] },
    object: operation === "DELETE" ? null : object,
    oldObject: options.oldObject ?? null,
    dryRun: options.dryRun ?? false,
    options: { apiVersion: "meta.k8s.io/v1", kind: operation === "CREATE" ? "CreateOptions" : operation === "UPDATE" ? "UpdateOptions" : "DeleteOptions" },
  };
  const name = options.name ?? object?.metadata?.name ?? options.oldObject?.metadata?.name;
  if (name) request.name = name;
  const namespace = options.namespace ?? object?.metadata?.namespace ?? options.oldObject?.metadata?.namespace;
  if (namespace && kind !== "Namespace" && kind !== "Node") request.namespace = namespace;
  if (kind === "Namespace" && name) request.name = name;
  if (options.subResource) {
    request.subResource = options.subResource;
    request.requestSubResource = options.subResource;
  }
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request };
}

export function review(object: K8sObject | null, options: ReviewOptions = {}): AdmissionRequest {
  return parseAdmissionReview(reviewBody(object, options));
}

export function pod(name: string, namespace: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, ...metadata },
    spec: { containers: [{ name: "app", image: "registry.example.com/app@sha256:" + "a".repeat(64) }], ...spec },
  };
}

/** A pod that passes restricted:latest. */
export function restrictedPod(name: string, namespace: string, extra: Record<string, unknown> = {}): K8sObject {
  return pod(name, namespace, {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
      {
        name: "app",
        image: "registry.example.com/app@sha256:" + "a".repeat(64),
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      },
    ],
    ...extra,
  });
}

export function namespace(name: string, labels: Record<string, string> = {}): K8sObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

export function deployment(name: string, ns: string, podSpec: Record<string, unknown>): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec } },
  };
}

/** A PodSecurityPolicy that asks only for a non-root user: the smallest policy a pod can fail. */
export const NON_ROOT_PSP = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: { name: restricted }
spec:
  privileged: false
  runAsUser: { rule: MustRunAsNonRoot }
  seLinux: { rule: RunAsAny }
  supplementalGroups: { rule: RunAsAny }
  fsGroup: { rule: RunAsAny }
  volumes: ["*"]
`;
