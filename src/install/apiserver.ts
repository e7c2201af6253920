/**
 * The files kube-apiserver reads to reach Palisade's webhooks, and the flags that name them.
 *
 * - Token authentication and authorization (specs/webhooks.md §5.1): kubeconfig-format files
 *   whose `server` is the full URL the review is POSTed to.
 * - Admission (§5.2): the URL and CA come from the webhook configurations, but kube-apiserver
 *   presents a client certificate to an admission webhook only when an AdmissionConfiguration
 *   names a kubeconfig whose user matches the webhook's host:port.
 *
 * The user holds the API server's client certificate only when the webhook checks one
 * (server.clientCAFile), and the admission files exist only then: naming files nothing
 * verifies would only make kube-apiserver fail to start when they are missing. Without it,
 * the webhook paths are reachable by whatever the NetworkPolicy admits (the --apiserver-cidr
 * ranges). Only file paths are written, never key material.
 */
import { mergeAdmissionConfiguration, type ExistingAdmissionConfiguration } from "./admission-merge.js";

/** Which access webhooks the shipped configuration answers (src/adapters/webhook/engine.ts accessEndpoints). */
export interface AccessWebhooks {
  /** /authenticate: access.tokenFile is set. */
  tokenAuthentication: boolean;
  /** /authorize: guardrails or rbacFiles are configured. */
  authorization: boolean;
}

/**
 * Webhook before RBAC: kube-apiserver asks its authorizers in this order and stops at the
 * first Allow or Deny (union.go, unionAuthzHandler.Authorize). RBAC never denies, so a
 * webhook after it is only asked about what RBAC already refused, and a guardrail could
 * never veto what RBAC allows. With the legacy flags a failed call is NoOpinion
 * (specs/webhooks.md §4.2), so RBAC still decides while Palisade is down; Palisade answers
 * NoOpinion (allowed: false, no denied) for everything it does not veto. Node stays first:
 * it only allows (kubelets' own objects), and guardrails are not about nodes.
 */
export const AUTHORIZATION_MODE = "Node,Webhook,RBAC";

export interface ApiserverFilesOptions {
  /** Base URL of the authn/authz webhooks as the API server reaches them (no path). */
  baseUrl: string;
  /** host:port kube-apiserver calls the admission webhooks at (`<service>.<namespace>.svc:443`). */
  admissionHost: string;
  /** Directory on the control-plane hosts holding these files, ca.crt and apiserver-client.crt/.key. */
  certDir: string;
  /** The webhook requires a client certificate (server.clientCAFile): name the API server's. */
  clientCertificates: boolean;
  /** The access webhooks kube-apiserver is wired to. */
  access: AccessWebhooks;
  /** --admission-config: kube-apiserver's current AdmissionConfiguration, which Palisade's plugins are merged into. */
  existingAdmissionConfiguration?: ExistingAdmissionConfiguration;
}

/** File names in the ConfigMap, and on the control-plane hosts. */
export const APISERVER_FILES = {
  authn: "authn-webhook.kubeconfig",
  authz: "authz-webhook.kubeconfig",
  admissionConfiguration: "admission-configuration.yaml",
  admissionKubeconfig: "admission-webhooks.kubeconfig",
  flags: "kube-apiserver-flags.txt",
  clientCertificate: "apiserver-client.crt",
  clientKey: "apiserver-client.key",
} as const;

function clientCertificateUser(options: ApiserverFilesOptions): string[] {
  return ["    user:", `      client-certificate: ${options.certDir}/${APISERVER_FILES.clientCertificate}`, `      client-key: ${options.certDir}/${APISERVER_FILES.clientKey}`];
}

function kubeconfig(name: string, server: string, options: ApiserverFilesOptions): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `  - name: ${name}`,
    "    cluster:",
    `      server: ${server}`,
    `      certificate-authority: ${options.certDir}/ca.crt`,
    "users:",
    "  - name: kube-apiserver",
    ...(options.clientCertificates ? clientCertificateUser(options) : ["    user: {}"]),
    "contexts:",
    "  - name: webhook",
    `    context: { cluster: ${name}, user: kube-apiserver }`,
    "current-context: webhook",
    "",
  ].join("\n");
}

/**
 * The admission kubeconfig: only `users` matter, each named by the host:port it is for.
 * No `*` user and no current-context, on purpose: either would make kube-apiserver present
 * Palisade's client certificate to every other admission webhook of the cluster too.
 */
function admissionKubeconfig(options: ApiserverFilesOptions): string {
  return ["apiVersion: v1", "kind: Config", "users:", `  - name: ${JSON.stringify(options.admissionHost)}`, ...clientCertificateUser(options), ""].join("\n");
}

/** The two webhook admission plugins, each told where its client credentials are; with --admission-config, added to that file. */
function admissionConfiguration(options: ApiserverFilesOptions): string {
  if (options.existingAdmissionConfiguration) {
    return mergeAdmissionConfiguration(options.existingAdmissionConfiguration, {
      kubeConfigFile: `${options.certDir}/${APISERVER_FILES.admissionKubeconfig}`,
      admissionHost: options.admissionHost,
      clientCertificate: `${options.certDir}/${APISERVER_FILES.clientCertificate}`,
      clientKey: `${options.certDir}/${APISERVER_FILES.clientKey}`,
    });
  }
  const plugin = (name: string) => [
    `  - name: ${name}`,
    "    configuration:",
    "      apiVersion: apiserver.config.k8s.io/v1",
    "      kind: WebhookAdmissionConfiguration",
    // Must be absolute: kube-apiserver refuses a relative kubeConfigFile.
    `      kubeConfigFile: ${options.certDir}/${APISERVER_FILES.admissionKubeconfig}`,
  ];
  return ["apiVersion: apiserver.config.k8s.io/v1", "kind: AdmissionConfiguration", "plugins:", ...plugin("ValidatingAdmissionWebhook"), ...plugin("MutatingAdmissionWebhook"), ""].join("\n");
}

/** The kube-apiserver flags that use the files (also printed in install's notes). */
export function apiserverFlags(options: Pick<ApiserverFilesOptions, "certDir" | "clientCertificates" | "access">): string[] {
  // The default versions are still v1beta1; Palisade answers both, v1 is the one to use.
  const authn = [`--authentication-token-webhook-config-file=${options.certDir}/${APISERVER_FILES.authn}`, "--authentication-token-webhook-version=v1"];
  const authz = [`--authorization-mode=${AUTHORIZATION_MODE}`, `--authorization-webhook-config-file=${options.certDir}/${APISERVER_FILES.authz}`, "--authorization-webhook-version=v1"];
  return [
    ...(options.access.tokenAuthentication ? authn : []),
    ...(options.access.authorization ? authz : []),
    ...(options.clientCertificates ? [`--admission-control-config-file=${options.certDir}/${APISERVER_FILES.admissionConfiguration}`] : []),
  ];
}

/** File name -> content. */
export function apiserverWebhookFiles(options: ApiserverFilesOptions): Record<string, string> {
  const base = options.baseUrl.replace(/\/+$/, "");
  return {
    ...(options.access.tokenAuthentication ? { [APISERVER_FILES.authn]: kubeconfig("palisade-authn", `${base}/authenticate`, options) } : {}),
    ...(options.access.authorization ? { [APISERVER_FILES.authz]: kubeconfig("palisade-authz", `${base}/authorize`, options) } : {}),
    ...(options.clientCertificates
      ? { [APISERVER_FILES.admissionConfiguration]: admissionConfiguration(options), [APISERVER_FILES.admissionKubeconfig]: admissionKubeconfig(options) }
      : {}),
    [APISERVER_FILES.flags]: [...apiserverFlags(options), ""].join("\n"),
  };
}
