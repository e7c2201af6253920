/**
 * How the webhook server reaches the Kubernetes API for its read-only watches: in a pod,
 * the way client-go's InClusterConfig does (KUBERNETES_SERVICE_HOST/PORT, the service
 * account's token and ca.crt); outside one, an explicit kubeconfig (server.kubeconfig).
 * Only what a kubeconfig can say without running anything is supported (CA, token or
 * tokenFile, client certificate and key); exec and auth-provider plugins are refused with
 * a message, because the server must not run programs named in a file.
 * The token is re-read for every request: projected tokens are rotated on disk by the kubelet.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { UserError } from "../../errors.js";
import { isRecord } from "../../k8s/types.js";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface ApiConnection {
  /** Base URL of the API server, no trailing slash. */
  server: string;
  /** PEM CA bundle that the API server's certificate must chain to (system roots when absent). */
  caPem?: string;
  /** The bearer token for the next request, read fresh (rotation). */
  token?: () => string;
  certPem?: string;
  keyPem?: string;
  /** Where the credentials came from, for log lines (never the credentials). */
  describe: string;
}

function read(file: string, what: string, hint: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint });
  }
}

/**
 * In a pod: the API server the kubelet told us of, with the mounted service-account token.
 * Undefined outside a pod (no KUBERNETES_SERVICE_HOST). In a pod without a token it is an
 * error: the webhook would otherwise judge namespaces it cannot see.
 */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): ApiConnection | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) return undefined;
  const hint = "mount a service-account token (palisade install does, with a projected volume) or set server.kubeconfig";
  const tokenFile = `${dir}/token`;
  read(tokenFile, "the service-account token", hint);
  const caPem = read(`${dir}/ca.crt`, "the cluster CA", hint);
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return { server, caPem, token: () => readFileSync(tokenFile, "utf8").trim(), describe: `in-cluster (${server}, service account token)` };
}

const named = (list: unknown, name: unknown, key: string): Record<string, unknown> | undefined => {
  if (!Array.isArray(list)) return undefined;
  const entry: unknown = list.find((item) => isRecord(item) && item.name === name);
  return isRecord(entry) && isRecord(entry[key]) ? entry[key] : undefined;
};

/** The current context of a kubeconfig; relative file paths in it are relative to the kubeconfig. */
export function kubeconfigConnection(file: string): ApiConnection {
  const text = read(file, "kubeconfig", "server.kubeconfig is relative to the configuration file");
  const fail = (what: string, hint = "kubectl config view --minify shows the current context"): never => {
    throw new UserError(`${file}: ${what}`, { hint });
  };
  let config: unknown;
  try {
    config = parse(text);
  } catch (err) {
    return fail(`not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (!isRecord(config)) return fail("not a kubeconfig (expected a mapping with clusters, users and contexts)");
  const context = named(config.contexts, config["current-context"], "context");
  if (!context) return fail(`current-context ${JSON.stringify(config["current-context"] ?? "")} is not one of its contexts`);
  const cluster = named(config.clusters, context.cluster, "cluster");
  if (!cluster || typeof cluster.server !== "string") return fail(`context's cluster ${JSON.stringify(context.cluster ?? "")} has no server`);
  if (!cluster.server.startsWith("https://")) return fail(`server ${cluster.server} is not https://`, "the watch sends a bearer token or client certificate; use the API server's https address");
  const user = named(config.users, context.user, "user") ?? {};
  if (user.exec !== undefined || user["auth-provider"] !== undefined) fail("exec and auth-provider users are not supported", "use a service-account token (token or tokenFile) or a client certificate");
  const base = dirname(resolve(file));
  // `<key>-data` (base64) in the entry itself, else `<key>`, a file relative to the kubeconfig.
  const fileOrData = (entry: Record<string, unknown>, key: string, what: string): string | undefined => {
    const data = entry[`${key}-data`];
    if (typeof data === "string") return Buffer.from(data, "base64").toString("utf8");
    const path = entry[key];
    return typeof path === "string" ? read(resolve(base, path), what, `paths in ${file} are relative to it`) : undefined;
  };
  const connection: ApiConnection = { server: cluster.server.replace(/\/+$/, ""), describe: `kubeconfig ${file}` };
  const caPem = fileOrData(cluster, "certificate-authority", "certificate authority");
  if (caPem) connection.caPem = caPem;
  const certPem = fileOrData(user, "client-certificate", "client certificate");
  const keyPem = fileOrData(user, "client-key", "client key");
  if ((certPem === undefined) !== (keyPem === undefined)) fail("user has a client certificate without its key (or the reverse)");
  if (certPem && keyPem) Object.assign(connection, { certPem, keyPem });
  if (typeof user.token === "string") {
    const token = user.token;
    connection.token = () => token;
  } else if (typeof user.tokenFile === "string") {
    const tokenFile = resolve(base, user.tokenFile);
    read(tokenFile, "token file", `paths in ${file} are relative to it`);
    connection.token = () => readFileSync(tokenFile, "utf8").trim();
  }
  if (!connection.token && !connection.certPem) fail("the current user has no token, tokenFile or client certificate");
  return connection;
}
