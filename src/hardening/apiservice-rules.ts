/**
 * APIService registrations (apiregistration.k8s.io/v1): how kube-apiserver reaches the aggregated
 * API server it proxies a group and version to. kube-aggregator's proxy dials the service with
 * TLS verification off when insecureSkipTLSVerify is true (handler_proxy.go), and validation
 * (kube-aggregator apiregistration/validation) refuses the TLS fields that contradict each other.
 */
import type { Pillar, Rule, Severity } from "../findings/types.js";
import { decodeStdBase64 } from "../k8s/go-base64.js";
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { apiServiceSpec } from "./callouts.js";

export interface ApiServiceVerdict {
  path: FieldPath;
  message: string;
}

export interface ApiServiceRule extends Rule {
  check(object: K8sObject): ApiServiceVerdict[];
}

function rule(id: string, title: string, severity: Severity, pillar: Pillar, description: string, remediation: string, check: ApiServiceRule["check"]): ApiServiceRule {
  return { id: `apiservice/${id}`, title, family: "hardening", pillar, severity, docs: { description, remediation, helpUri: "https://kubernetes.io/docs/tasks/extend-kubernetes/configure-aggregation-layer/" }, check };
}

/** The caBundle's length in bytes as the API server decodes it; 0 when absent or not base64 (manifest/invalid-base64 reports that). */
function caBundleBytes(spec: Record<string, unknown>): number {
  return typeof spec.caBundle === "string" ? (decodeStdBase64(spec.caBundle)?.length ?? 0) : 0;
}

const nameOf = (object: K8sObject) => object.metadata?.name ?? "unnamed";

export const APISERVICE_RULES: readonly ApiServiceRule[] = [
  rule(
    "insecure-skip-tls-verify",
    "kube-apiserver does not verify the aggregated API server",
    "high",
    "platform",
    "insecureSkipTLSVerify: true makes kube-apiserver's aggregator proxy every request for the APIService's group and version to its service without verifying the server's certificate. Whoever can intercept or redirect that traffic in the cluster network (a compromised node, a spoofed endpoint) reads each request with the identity kube-apiserver asserts for the user (X-Remote-User, X-Remote-Group, X-Remote-Extra-*) and the request body, and answers in the aggregated API's place: metrics the autoscalers act on, objects clients trust. kube-apiserver's front-proxy client certificate proves kube-apiserver to the server, but nothing proves the server to kube-apiserver.",
    "Remove insecureSkipTLSVerify and set caBundle to the base64 of the CA that signed the aggregated API server's certificate, issued for <service>.<namespace>.svc (metrics-server: --tls-cert-file with such a certificate, or cert-manager with cert-manager.io/inject-ca-from).",
    (object) => {
      const spec = apiServiceSpec(object);
      // Local APIServices and those that also set a caBundle are refused (apiservice/refused).
      if (!spec || spec.insecureSkipTLSVerify !== true || !isRecord(spec.service) || caBundleBytes(spec) > 0) return [];
      const service = `${String(spec.service.namespace ?? "")}/${String(spec.service.name ?? "")}`;
      return [{ path: ["spec", "insecureSkipTLSVerify"], message: `APIService ${nameOf(object)} is proxied to service ${service} without verifying its certificate (insecureSkipTLSVerify: true): its requests, with the users' identities, go to whoever answers` }];
    },
  ),
  rule(
    "refused",
    "An APIService the API server refuses",
    "medium",
    "platform",
    "kube-apiserver's validation of an APIService refuses insecureSkipTLSVerify: true beside a caBundle (\"may not be true if caBundle is present\"), and a local APIService (one without spec.service) with a caBundle or insecureSkipTLSVerify (\"local APIServices may not have a caBundle\", \"... may not have insecureSkipTLSVerify\"): the manifest never applies, and the aggregated API it registers is not served.",
    "Keep caBundle and remove insecureSkipTLSVerify; on a local APIService remove both.",
    (object) => {
      const spec = apiServiceSpec(object);
      if (!spec) return [];
      const name = nameOf(object);
      const bytes = caBundleBytes(spec);
      if (isRecord(spec.service)) {
        return spec.insecureSkipTLSVerify === true && bytes > 0 ? [{ path: ["spec", "insecureSkipTLSVerify"], message: `APIService ${name} sets insecureSkipTLSVerify: true beside a caBundle: kube-apiserver refuses it (may not be true if caBundle is present)` }] : [];
      }
      return [
        ...(bytes > 0 ? [{ path: ["spec", "caBundle"], message: `APIService ${name} has no service, so kube-apiserver serves it itself, and refuses it with a caBundle (local APIServices may not have a caBundle)` }] : []),
        ...(spec.insecureSkipTLSVerify === true ? [{ path: ["spec", "insecureSkipTLSVerify"], message: `APIService ${name} has no service, so kube-apiserver serves it itself, and refuses it with insecureSkipTLSVerify (local APIServices may not have insecureSkipTLSVerify)` }] : []),
      ];
    },
  ),
];
