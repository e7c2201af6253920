/**
 * How kube-apiserver reaches /authenticate and /authorize, and what install says about it.
 *
 * Admission webhooks are called through clientConfig.service, which kube-apiserver resolves
 * itself. The token-authentication and authorization webhooks are not: their kubeconfig's
 * `server` is dialled by a plain HTTP client with the host's resolver, and kube-apiserver
 * usually runs with hostNetwork and the host's resolv.conf (kubeadm's static pod, most
 * managed control planes), where `<service>.<namespace>.svc` does not resolve
 * (kubernetes.io "Dynamic Admission Control": kube-apiserver cannot resolve in-cluster DNS;
 * in-server resolution for these webhooks was proposed and closed, kubernetes/kubernetes#54163).
 * Every call then fails: an authorization failure is no opinion, so RBAC alone decides and
 * the guardrails are silently off; a token-authentication failure leaves the token unauthenticated.
 * The default stays (it works where the control-plane hosts resolve cluster DNS), with a
 * warning on stderr and a word in the ConfigMap's usage annotation.
 */
import { isIP } from "node:net";
import type { AccessWebhooks } from "./apiserver.js";

/** The Service's name, which only resolvers that know cluster DNS can look up. */
export function defaultWebhookUrl(service: string, namespace: string): string {
  return `https://${service}.${namespace}.svc:443`;
}

function wired(access: AccessWebhooks): string {
  const parts = [...(access.tokenAuthentication ? ["token authentication (/authenticate)"] : []), ...(access.authorization ? ["the guardrails and RBAC files (/authorize)"] : [])];
  return parts.join(" and ");
}

/** The warning for a missing --webhook-url, or undefined when there is no access webhook to reach. */
export function defaultWebhookUrlWarning(url: string, access: AccessWebhooks, filesConfigMap: string): string | undefined {
  if (!access.tokenAuthentication && !access.authorization) return undefined;
  return (
    `no --webhook-url: kube-apiserver's webhook kubeconfigs in ConfigMap ${filesConfigMap} name ${url}, which kube-apiserver looks up with its host's resolver, not cluster DNS ` +
    `(it resolves Services only for admission webhooks); where it runs with hostNetwork (kubeadm and most control planes) the name does not resolve, every call fails, ` +
    `and ${wired(access)} are silently off. Run install again with --webhook-url https://<a name or address the control-plane hosts reach, e.g. a DNS name for the Service's ClusterIP>; ` +
    "install adds its host to the serving certificate. Keep the default only if the control-plane hosts resolve cluster Services"
  );
}

/** The same, for the ConfigMap's palisade.dev/usage annotation. */
export function defaultWebhookUrlUsage(url: string): string {
  return `the kubeconfigs name ${url}, which kube-apiserver resolves with its host's DNS: unless the control-plane hosts resolve cluster Services, run install again with --webhook-url`;
}

/**
 * The serving certificate's names: the Service's, which admission dials, and --webhook-url's
 * host, which kube-apiserver dials for /authenticate and /authorize and must find in the
 * certificate (an IP address as an IP SAN).
 */
export function servingCertificateNames(service: string, namespace: string, webhookUrl: string | undefined): { dnsNames: string[]; ipAddresses?: string[] } {
  const dnsNames = [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
  if (!webhookUrl) return { dnsNames };
  // A URL's IPv6 host comes in brackets.
  const host = new URL(webhookUrl).hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) !== 0) return { dnsNames, ipAddresses: [host] };
  return { dnsNames: [...new Set([...dnsNames, host])] };
}
