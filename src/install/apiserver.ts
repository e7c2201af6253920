/**
 * The kubeconfig-format files kube-apiserver reads to reach Palisade's token authentication
 * and authorization webhooks (specs/webhooks.md §5.1): the `server` is the full URL the
 * review is POSTed to. The user holds the API server's client certificate only when the
 * webhook checks one (server.clientCAFile): install generates no client certificate, and
 * naming files nothing verifies would only make kube-apiserver fail to start when they are
 * missing. Without it, /authenticate and /authorize are reachable by whatever the
 * NetworkPolicy admits (the --apiserver-cidr ranges). Only file paths are written, never key material.
 */

export interface ApiserverFilesOptions {
  /** Base URL of the webhook as the API server reaches it (no path). */
  baseUrl: string;
  /** Directory on the control-plane hosts holding ca.crt, apiserver-client.crt/.key. */
  certDir: string;
  /** The webhook requires a client certificate (server.clientCAFile): name the API server's. */
  clientCertificates: boolean;
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
    ...(options.clientCertificates
      ? ["    user:", `      client-certificate: ${options.certDir}/apiserver-client.crt`, `      client-key: ${options.certDir}/apiserver-client.key`]
      : ["    user: {}"]),
    "contexts:",
    "  - name: webhook",
    `    context: { cluster: ${name}, user: kube-apiserver }`,
    "current-context: webhook",
    "",
  ].join("\n");
}

/** File name -> content, plus the kube-apiserver flags that use them. */
export function apiserverWebhookFiles(options: ApiserverFilesOptions): Record<string, string> {
  const base = options.baseUrl.replace(/\/+$/, "");
  return {
    "authn-webhook.kubeconfig": kubeconfig("palisade-authn", `${base}/authenticate`, options),
    "authz-webhook.kubeconfig": kubeconfig("palisade-authz", `${base}/authorize`, options),
    "kube-apiserver-flags.txt": [
      `--authentication-token-webhook-config-file=${options.certDir}/authn-webhook.kubeconfig`,
      // The default version is still v1beta1; Palisade answers both, v1 is the one to use.
      "--authentication-token-webhook-version=v1",
      "--authorization-mode=Node,RBAC,Webhook",
      `--authorization-webhook-config-file=${options.certDir}/authz-webhook.kubeconfig`,
      "--authorization-webhook-version=v1",
      "",
    ].join("\n"),
  };
}
