/**
 * The webhook server configuration `palisade install` ships, and every file it names.
 * The pod sees one ConfigMap mounted at /etc/palisade/config: config.yaml and, beside it,
 * each file the configuration references (PSA configuration, exceptions, PodSecurityPolicies,
 * cluster-state and RBAC manifests, the client CA), read from disk relative to the given
 * configuration, validated as `palisade serve` reads them, and renamed to their ConfigMap
 * key (relative paths: the server resolves them against config.yaml). The serving
 * certificate is always the mounted Secret (../tls/), the token file a Secret the operator
 * creates (../tokens/): secrets never go into the printed manifests. With --client-ca the
 * client CA is the mounted ca.crt of the CA install creates (../client-ca/, client-ca.ts);
 * a configuration that names its own clientCAFile then conflicts and is refused. A kubeconfig is
 * dropped: in the cluster the server uses its own service account.
 * Finally the rewritten configuration is parsed again against exactly the shipped files.
 */
import { basename } from "node:path";
import { parseDocument } from "yaml";
import { parseWebhookConfig, type ReadFile, type WebhookConfig } from "../admission/config.js";
import { SECRETS_POLICY } from "../admission/policies/secrets.js";
import { CERTIFICATE_SUBJECT_RESTRICTION_POLICY } from "../admission/policies/certificate-subject-restriction.js";
import { NODE_RESTRICTION_POLICY } from "../admission/policies/node-restriction.js";
import { ClusterState } from "../admission/cluster-state.js";
import { guardrailsFor } from "../adapters/webhook/engine.js";
import { tokenFileAuthenticator } from "../access/authn/tokenfile.js";
import { UserError } from "../errors.js";
import type { ClientCaSource } from "./client-ca.js";
import { defaultPsaConfig, defaultServerConfig } from "./manifests.js";

/** Where the pod mounts things, relative to config.yaml (mounted at /etc/palisade/config). */
export const MOUNTED = {
  certFile: "../tls/tls.crt",
  keyFile: "../tls/tls.key",
  tokenFile: "../tokens/tokens.csv",
  /** --client-ca cert-manager: the CA Secret's ca.crt, mounted at CLIENT_CA.mountPath (client-ca.ts), beside config/. */
  clientCAFile: "../client-ca/ca.crt",
} as const;
export const TOKENS_SECRET_KEY = "tokens.csv";
/** A ConfigMap holds at most 1 MiB. */
const CONFIGMAP_LIMIT = 1024 * 1024;

export interface ShippedConfig {
  /** ConfigMap data: config.yaml and the files it references, by key. */
  files: Record<string, string>;
  port: number;
  /** server.requestTimeoutSeconds: the pod's grace period covers the drain it bounds. */
  requestTimeoutSeconds: number;
  /** The secrets policy judges ConfigMaps: the validating webhook must receive them. */
  judgesConfigMaps: boolean;
  /** The tenancy policy reads Node labels: the server watches Nodes too. */
  watchesNodes: boolean;
  /** The certificateSubjectRestriction policy judges kube-apiserver-client CSRs: the webhook must receive them. */
  judgesCertificateRequests: boolean;
  /** server.clientCAFile is set: kube-apiserver must present a client certificate (the probe paths need none). */
  requiresClientCertificates: boolean;
  /** access.tokenFile is set: the pod mounts the Secret holding it, and kube-apiserver is wired to /authenticate. */
  usesTokenFile: boolean;
  /** Guardrails or rbacFiles are configured: serve answers /authorize, and kube-apiserver is wired to it. */
  answersAccessReviews: boolean;
  /** The nodeRestriction policy is configured: the node webhook is registered. */
  judgesNodes: boolean;
  /** A configured policy mutates (in any mode: warn and audit report what it would patch): the mutating webhook is registered. */
  mutates: boolean;
  /** What the operator must know about what was changed or must be done by hand. */
  notes: string[];
}

/** Reads a file named by a configuration, relative to the file that names it (throws UserError). */
export type ReadRelative = (path: string, relativeTo: string) => { file: string; text: string };

export interface ShipOptions {
  namespace: string;
  /** The operator's configuration; the default one (with the default PSA file) when absent. */
  config?: { file: string; text: string };
  read: ReadRelative;
  /** Whether a path is a regular file (manifests given as directories cannot become one key). */
  isFile: (file: string) => boolean;
  /** Parses manifests as serve does; returns the first problem. */
  checkManifests: (file: string) => Promise<void>;
  /** --client-ca: server.clientCAFile becomes the mounted CA that install creates. */
  clientCa?: ClientCaSource;
}

export async function shipServerConfig(options: ShipOptions): Promise<ShippedConfig> {
  const source = options.config ?? { file: "<default configuration>", text: defaultServerConfig() };
  const read: ReadRelative = options.config ? options.read : (path) => (path === "psa.yaml" ? { file: "psa.yaml", text: defaultPsaConfig(options.namespace) } : options.read(path, source.file));
  const files: Record<string, string> = {};
  const keys = new Map<string, string>(); // file on disk -> key
  const keyFor = (file: string, text: string): string => {
    const known = keys.get(file);
    if (known) return known;
    const base = basename(file).replace(/[^-._a-zA-Z0-9]/g, "-").replace(/^\.+/, "") || "file";
    let key = base;
    for (let i = 2; key === "config.yaml" || key in files; i++) key = `${i}-${base}`;
    keys.set(file, key);
    files[key] = text;
    return key;
  };
  // Files parseWebhookConfig reads (PSA configuration, PSP policies, exceptions), as written in the configuration.
  const readByConfig = new Map<string, string>();
  const recording: ReadFile = (path, relativeTo) => {
    const loaded = read(path, relativeTo);
    readByConfig.set(path, keyFor(loaded.file, loaded.text));
    return loaded;
  };
  const config = parseWebhookConfig(source.file, source.text, recording);
  const doc = parseDocument(source.text);
  const notes: string[] = [];
  const at = (...path: string[]) => `${source.file}: ${path.join(".")}`;

  if (config.server.port === 0) throw new UserError(`${at("server", "port")} is 0 (any free port): the Service and probes need a fixed one`, { hint: "set server.port, e.g. 8443" });
  if (/^(127\.|::1$|localhost$)/.test(config.server.address)) throw new UserError(`${at("server", "address")} ${config.server.address} is loopback: the API server could not reach the pod`, { hint: "use 0.0.0.0 (or leave it out)" });

  for (const [key, path] of [["podSecurity", "configurationFile"], ["podSecurityPolicy", "policiesFile"]] as const) {
    const written = doc.getIn(["policies", key, path]);
    if (typeof written === "string") doc.setIn(["policies", key, path], readByConfig.get(written));
  }
  const exceptions = doc.get("exceptionsFile");
  if (typeof exceptions === "string") doc.set("exceptionsFile", readByConfig.get(exceptions));

  // Manifests serve loads itself: each must be a file, and parse as serve parses it.
  const manifests = async (path: string[], list: readonly string[]) => {
    const shipped: string[] = [];
    for (const entry of list) {
      const loaded = read(entry, source.file);
      if (!options.isFile(loaded.file)) throw new UserError(`${at(...path)}: ${entry} is not a file`, { hint: "install ships each referenced file as one ConfigMap key: list the files, not a directory" });
      await options.checkManifests(loaded.file);
      shipped.push(keyFor(loaded.file, loaded.text));
    }
    if (list.length > 0) doc.setIn(path, doc.createNode(shipped, { flow: true }));
  };
  await manifests(["server", "clusterState"], config.server.clusterState);
  await manifests(["access", "rbacFiles"], config.access.rbacFiles);

  if (options.clientCa && config.server.clientCAFile) {
    throw new UserError(`${at("server", "clientCAFile")} conflicts with --client-ca ${options.clientCa}: both say which CA verifies kube-apiserver's client certificate`, {
      hint: `remove server.clientCAFile from ${source.file} to use the CA ${options.clientCa} creates, or leave out --client-ca to keep your CA (kube-apiserver's client certificate is then yours to issue)`,
    });
  }
  if (options.clientCa) {
    // The file exists only in the pod (the CA Secret, mounted), so it is not read here.
    doc.setIn(["server", "clientCAFile"], MOUNTED.clientCAFile);
  } else if (config.server.clientCAFile) {
    const loaded = read(config.server.clientCAFile, source.file);
    doc.setIn(["server", "clientCAFile"], keyFor(loaded.file, loaded.text));
    notes.push("server.clientCAFile is set: every caller of /validate, /mutate, /authenticate and /authorize must present a client certificate signed by it, kube-apiserver for admission too (admission-configuration.yaml and admission-webhooks.kubeconfig in ConfigMap palisade-apiserver-webhooks, specs/webhooks.md §5.2); /healthz, /readyz and /metrics answer without one, so the kubelet's HTTPS probes work");
  }
  if (config.access.tokenFile) {
    const loaded = read(config.access.tokenFile, source.file);
    // Validated as serve reads it; its content is a credential and is never shipped or printed.
    tokenFileAuthenticator(loaded.text, loaded.file);
    doc.setIn(["access", "tokenFile"], MOUNTED.tokenFile);
    notes.push(`access.tokenFile holds bearer tokens, so it is not in the manifests: create the Secret the pod mounts with kubectl -n ${options.namespace} create secret generic palisade-webhook-tokens --from-file=${TOKENS_SECRET_KEY}=${loaded.file}`);
  }
  if (config.server.kubeconfig) {
    doc.deleteIn(["server", "kubeconfig"]);
    notes.push("server.kubeconfig is dropped: in the cluster the webhook reads namespaces with its own service account");
  }
  if (config.server.certFile && config.server.certFile !== MOUNTED.certFile) notes.push("server.certFile/keyFile now name the mounted Secret palisade-webhook-tls");
  doc.setIn(["server", "certFile"], MOUNTED.certFile);
  doc.setIn(["server", "keyFile"], MOUNTED.keyFile);
  files["config.yaml"] = doc.toString({ lineWidth: 0 });

  checkShipped(files, config);
  return {
    files,
    port: config.server.port,
    requestTimeoutSeconds: config.server.requestTimeoutSeconds,
    judgesConfigMaps: config.policies.some((policy) => policy.name === SECRETS_POLICY),
    watchesNodes: config.tenancy !== undefined,
    judgesCertificateRequests: config.policies.some((policy) => policy.name === CERTIFICATE_SUBJECT_RESTRICTION_POLICY),
    requiresClientCertificates: options.clientCa !== undefined || config.server.clientCAFile !== undefined,
    usesTokenFile: config.access.tokenFile !== undefined,
    // As serve decides (cli/serve.ts, engine.ts accessEndpoints): an RBAC authorizer from rbacFiles, or a guardrail.
    answersAccessReviews: config.access.rbacFiles.length > 0 || guardrailsFor(config, new ClusterState()).length > 0,
    judgesNodes: config.policies.some((policy) => policy.name === NODE_RESTRICTION_POLICY),
    mutates: config.policies.some((policy) => policy.mutate !== undefined),
    notes,
  };
}

/** What the pod will parse: config.yaml against the shipped keys only, as mounted. */
function checkShipped(files: Record<string, string>, original: WebhookConfig): void {
  const mounted = "/etc/palisade/config/config.yaml";
  const shipped = parseWebhookConfig(mounted, files["config.yaml"]!, (path) => {
    const text = files[path];
    if (text === undefined) throw new UserError(`internal: the shipped configuration names ${path}, which is not shipped`);
    return { file: `/etc/palisade/config/${path}`, text };
  });
  if (shipped.policies.length !== original.policies.length || shipped.exceptions.length !== original.exceptions.length) throw new UserError("internal: the shipped configuration differs from the given one");
  const size = Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  if (size > CONFIGMAP_LIMIT) throw new UserError(`the configuration and the files it references come to ${size} bytes; a ConfigMap holds at most 1 MiB`, { hint: "ship fewer or smaller clusterState/rbacFiles manifests" });
}
