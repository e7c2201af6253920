/**
 * What kube-controller-manager's signers (pkg/controller/certificates/signer) require of a
 * request before they sign it, in upstream's words: the kubelet signers' ValidateKubeletClientCSR
 * and ValidateKubeletServingCSR (pkg/apis/certificates/helpers.go), the kube-apiserver-client
 * signer's validAPIServerClientUsages. A request that fails is not refused by the API server:
 * it is stored, and once approved the signer marks it Failed (reason SignerValidationFailure,
 * message the error), so no certificate is ever issued. The csrapproving controller
 * (approver/sarapprove.go) auto-approves kubelet client requests only when the same
 * ValidateKubeletClientCSR passes (IsKubeletClientCSR).
 */
import type { CsrSubject } from "./request.js";

export const KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client";
export const KUBE_APISERVER_CLIENT_KUBELET = "kubernetes.io/kube-apiserver-client-kubelet";
export const KUBELET_SERVING = "kubernetes.io/kubelet-serving";

const NODE_PREFIX = "system:node:";

/** Where the error is: in the request (subject, SANs) or in spec.usages. */
export interface SignerRefusal {
  error: string;
  field: "request" | "usages";
}

const sameSet = (usages: readonly string[], required: readonly string[]) => {
  const set = new Set(usages);
  return set.size === required.length && required.every((usage) => set.has(usage));
};

/** Go's fmt of a sorted sets.String.List(): "[a b c]". */
const listed = (usages: readonly string[]) => `[${[...usages].sort().join(" ")}]`;

const KUBELET_CLIENT_USAGES = ["digital signature", "key encipherment", "client auth"];
/** ECDSA and Ed25519 keys cannot encipher, so kubelets leave key encipherment out for them (the "NoRSA" set). */
const KUBELET_CLIENT_USAGES_NO_RSA = ["digital signature", "client auth"];
const KUBELET_SERVING_USAGES = ["digital signature", "key encipherment", "server auth"];
const KUBELET_SERVING_USAGES_NO_RSA = ["digital signature", "server auth"];

const isSystemNodes = (subject: CsrSubject) => subject.organizations.length === 1 && subject.organizations[0] === "system:nodes";

function request(error: string): SignerRefusal {
  return { error, field: "request" };
}

/** ValidateKubeletClientCSR: the first rule the request breaks, in upstream's order. */
export function kubeletClientRefusal(subject: CsrSubject, usages: readonly string[]): SignerRefusal | undefined {
  if (!isSystemNodes(subject)) return request("subject organization is not system:nodes");
  if (subject.dnsNames.length > 0) return request("DNS subjectAltNames are not allowed");
  if (subject.emailAddresses.length > 0) return request("Email subjectAltNames are not allowed");
  if (subject.ipAddresses.length > 0) return request("IP subjectAltNames are not allowed");
  if (subject.uris.length > 0) return request("URI subjectAltNames are not allowed");
  if (!subject.commonName.startsWith(NODE_PREFIX)) return request("subject common name does not begin with system:node:");
  if (!sameSet(usages, KUBELET_CLIENT_USAGES) && !sameSet(usages, KUBELET_CLIENT_USAGES_NO_RSA)) return { error: `usages did not match ${listed(KUBELET_CLIENT_USAGES)}`, field: "usages" };
  return undefined;
}

/** ValidateKubeletServingCSR: the first rule the request breaks, in upstream's order. */
export function kubeletServingRefusal(subject: CsrSubject, usages: readonly string[]): SignerRefusal | undefined {
  if (!isSystemNodes(subject)) return request("subject organization is not system:nodes");
  if (subject.dnsNames.length === 0 && subject.ipAddresses.length === 0) return request("DNS or IP subjectAltName is required");
  if (subject.emailAddresses.length > 0) return request("Email subjectAltNames are not allowed");
  if (subject.uris.length > 0) return request("URI subjectAltNames are not allowed");
  if (!sameSet(usages, KUBELET_SERVING_USAGES) && !sameSet(usages, KUBELET_SERVING_USAGES_NO_RSA)) return { error: `usages did not match ${listed(KUBELET_SERVING_USAGES)}`, field: "usages" };
  if (!subject.commonName.startsWith(NODE_PREFIX)) return request("subject common name does not begin with system:node:");
  return undefined;
}

/** validAPIServerClientUsages: client auth required, digital signature and key encipherment allowed, nothing else. */
export function apiserverClientRefusal(usages: readonly string[]): SignerRefusal | undefined {
  const other = usages.find((usage) => usage !== "digital signature" && usage !== "key encipherment" && usage !== "client auth");
  if (other !== undefined) return { error: `invalid usage for client certificate: ${other}`, field: "usages" };
  if (!usages.includes("client auth")) return { error: "missing required usage for client certificate: client auth", field: "usages" };
  return undefined;
}
