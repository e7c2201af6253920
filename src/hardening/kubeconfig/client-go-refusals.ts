/**
 * What kubectl and client-go refuse in a kubeconfig before they send a request, each at its
 * field with their own reason. Upstream: the file is loaded into maps by name (clientcmd
 * api/v1 conversion: a name seen twice fails the load, as does a `*-data` value that is not
 * Go's base64, data-fields.ts); DirectClientConfig.ConfirmUsable then
 * checks the context in use (current-context, or --context) and only its user and cluster
 * (validation.go: validateAuthInfo, validateClusterInfo); and for an https:// server,
 * ClientConfig goes on to use the user's credentials and the cluster's TLS settings, where the
 * transport refuses a CA beside insecure-skip-tls-verify (transport TLSConfigFor), an exec
 * plugin of an unknown apiVersion (exec GetAuthenticator) and an auth provider kubectl does
 * not have (rest GetAuthProvider).
 *
 * An entry the current context does not use is refused only when it is chosen (--context,
 * --user, --cluster): it is reported too, marked as such, so that the rule can lower it.
 */
import { formatFieldPath, isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import { kubeconfigTypeError } from "./decode-types.js";
import { notBase64Refusals } from "./data-fields.js";
import type { Kubeconfig, KubeconfigCluster, KubeconfigUser } from "./read.js";
import { reachedOverTls, withoutUserinfo } from "../url-text.js";
import { proxyUrlRefusal } from "./proxy-url.js";

export interface Refusal {
  path: FieldPath;
  message: string;
  /** False for an entry the current context does not use. */
  inUse: boolean;
}

const nonEmpty = (value: unknown): value is string => typeof value === "string" && value !== "";
const quoted = (name: string) => JSON.stringify(name);

/** The exec credential API versions client-go still speaks (v1alpha1 was removed in v1.24). */
const EXEC_API_VERSIONS = new Set(["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]);
/** interactiveMode defaults to IfAvailable only for these (clientcmd api/v1 SetDefaults_ExecConfig); any other apiVersion must set it. */
const INTERACTIVE_MODE_DEFAULTED = new Set(["client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1alpha1"]);
const INTERACTIVE_MODES = new Set(["Never", "IfAvailable", "Always"]);
/** kubectl links client-go's auth provider plugins: oidc, and gcp and azure, which since v1.26 only fail with a pointer to their replacement (kubeconfig/removed-auth-provider). */
const KUBECTL_AUTH_PROVIDERS = new Set(["oidc", "gcp", "azure"]);

/** The path of a field when the file has it, else of the object that lacks it. */
const at = (path: FieldPath, body: Record<string, unknown>, field: string): FieldPath => (field in body ? [...path, field] : path);

function clusterRefusals(cluster: KubeconfigCluster): Array<Omit<Refusal, "inUse">> {
  const out: Array<Omit<Refusal, "inUse">> = [];
  const name = cluster.name;
  if (!nonEmpty(cluster.server)) {
    // kubectl lays its defaults (ClusterDefaults) under the cluster, so only other client-go programs refuse it.
    const reason = Object.keys(cluster.body).length === 0 ? "cluster has no server defined" : `no server found for cluster ${quoted(name)}`;
    out.push({
      path: at(cluster.path, cluster.body, "server"),
      message: `cluster ${name} has no server: client-go refuses it (${reason}), and kubectl sends its requests to http://localhost:8080 (or $KUBERNETES_MASTER) instead`,
    });
  }
  // validateClusterInfo checks any non-empty proxy-url, whatever the server's scheme; kubectl's message quotes the value, ours hides its userinfo.
  const proxyRefusal = nonEmpty(cluster.proxyUrl) ? proxyUrlRefusal(cluster.proxyUrl) : undefined;
  if (proxyRefusal !== undefined) {
    out.push({ path: [...cluster.path, "proxy-url"], message: `cluster ${name}'s proxy-url is not one client-go can use: kubectl refuses it (invalid 'proxy-url' ${quoted(withoutUserinfo(cluster.proxyUrl as string))} for cluster ${quoted(name)}: ${proxyRefusal})` });
  }
  const caData = nonEmpty(cluster.certificateAuthorityData);
  if (caData && nonEmpty(cluster.certificateAuthority)) {
    out.push({
      path: [...cluster.path, "certificate-authority"],
      message: `cluster ${name} sets both certificate-authority-data and certificate-authority: kubectl refuses it (certificate-authority-data and certificate-authority are both specified for ${name}. certificate-authority-data will override.)`,
    });
  }
  if (cluster.insecureSkipTlsVerify === true && (caData || nonEmpty(cluster.certificateAuthority)) && reachedOverTls(cluster.server)) {
    out.push({
      path: [...cluster.path, "insecure-skip-tls-verify"],
      message: `cluster ${name} sets insecure-skip-tls-verify beside a CA: kubectl refuses it (specifying a root certificates file with the insecure flag is not supported)`,
    });
  }
  return out;
}

function execRefusals(user: KubeconfigUser, exec: Record<string, unknown>, overTls: boolean): Array<Omit<Refusal, "inUse">> {
  const out: Array<Omit<Refusal, "inUse">> = [];
  const name = user.name;
  const execPath = [...user.path, "exec"];
  if (isRecord(user.user["auth-provider"])) {
    out.push({ path: [...user.path, "auth-provider"], message: `user ${name} sets both auth-provider and exec: kubectl refuses it (authProvider cannot be provided in combination with an exec plugin for ${name})` });
  }
  if (!nonEmpty(exec.command)) out.push({ path: at(execPath, exec, "command"), message: `user ${name}'s exec plugin has no command: kubectl refuses it (command must be specified for ${name} to use exec authentication plugin)` });
  const apiVersion = nonEmpty(exec.apiVersion) ? exec.apiVersion : undefined;
  if (apiVersion === undefined) {
    out.push({ path: at(execPath, exec, "apiVersion"), message: `user ${name}'s exec plugin has no apiVersion: kubectl refuses it (apiVersion must be specified for ${name} to use exec authentication plugin)` });
  } else if (!EXEC_API_VERSIONS.has(apiVersion) && overTls) {
    out.push({ path: [...execPath, "apiVersion"], message: `user ${name}'s exec plugin asks for apiVersion ${apiVersion}, which client-go no longer speaks (only client.authentication.k8s.io/v1 and v1beta1): kubectl refuses it (exec plugin: invalid apiVersion ${quoted(apiVersion)})` });
  }
  if (Array.isArray(exec.env)) {
    exec.env.forEach((variable: unknown, i) => {
      if (isRecord(variable) && !nonEmpty(variable.name)) {
        out.push({ path: [...execPath, "env", i], message: `an env entry of user ${name}'s exec plugin has no name: kubectl refuses it (env variable name must be specified for ${name} to use exec authentication plugin)` });
      }
    });
  }
  const mode = exec.interactiveMode;
  if (!nonEmpty(mode)) {
    if (apiVersion === undefined || !INTERACTIVE_MODE_DEFAULTED.has(apiVersion)) {
      out.push({
        path: at(execPath, exec, "interactiveMode"),
        message: `user ${name}'s exec plugin has no interactiveMode, which ${apiVersion === undefined ? "an exec plugin" : apiVersion} must set (Never, IfAvailable or Always): kubectl refuses it (interactiveMode must be specified for ${name} to use exec authentication plugin)`,
      });
    }
  } else if (!INTERACTIVE_MODES.has(mode)) {
    out.push({ path: [...execPath, "interactiveMode"], message: `user ${name}'s exec plugin has interactiveMode ${mode}, not Never, IfAvailable or Always: kubectl refuses it (invalid interactiveMode for ${name}: ${quoted(mode)})` });
  }
  return out;
}

function userRefusals(user: KubeconfigUser, overTls: boolean): Array<Omit<Refusal, "inUse">> {
  const out: Array<Omit<Refusal, "inUse">> = [];
  const body = user.user;
  const name = user.name;
  const certificateData = nonEmpty(body["client-certificate-data"]);
  const certificateFile = nonEmpty(body["client-certificate"]);
  // client-go looks at the key only for a client certificate: a key alone is ignored, not refused.
  if (certificateData || certificateFile) {
    if (certificateData && certificateFile) {
      out.push({ path: [...user.path, "client-certificate"], message: `user ${name} sets both client-certificate-data and client-certificate: kubectl refuses it (client-cert-data and client-cert are both specified for ${name}. client-cert-data will override.)` });
    }
    const keyData = nonEmpty(body["client-key-data"]);
    const keyFile = nonEmpty(body["client-key"]);
    if (keyData && keyFile) {
      out.push({ path: [...user.path, "client-key"], message: `user ${name} sets both client-key-data and client-key: kubectl refuses it (client-key-data and client-key are both specified for ${name}; client-key-data will override)` });
    }
    if (!keyData && !keyFile) {
      out.push({
        path: [...user.path, certificateData ? "client-certificate-data" : "client-certificate"],
        message: `user ${name} has a client certificate but no client-key or client-key-data: kubectl refuses it (client-key-data or client-key must be specified for ${name} to use the clientCert authentication method.)`,
      });
    }
  }
  if (isRecord(body.exec)) out.push(...execRefusals(user, body.exec, overTls));
  const provider = body["auth-provider"];
  if (isRecord(provider) && overTls) {
    const providerName = typeof provider.name === "string" ? provider.name : "";
    if (!KUBECTL_AUTH_PROVIDERS.has(providerName)) {
      out.push({ path: at([...user.path, "auth-provider"], provider, "name"), message: `user ${name} uses auth provider ${quoted(providerName)}, which kubectl does not have (only oidc): kubectl refuses it (no Auth Provider found for name ${quoted(providerName)})` });
    }
  }
  // Only a token and basic auth count as methods here; a client certificate, exec or auth-provider beside them is allowed.
  const basicAuth = nonEmpty(body.username) || nonEmpty(body.password);
  if (nonEmpty(body.token) && basicAuth) {
    out.push({
      path: [...user.path, nonEmpty(body.username) ? "username" : "password"],
      message: `user ${name} sets both a token and basic auth (username/password): kubectl refuses it (more than one authentication method found for ${name}; found [token basicAuth], only one is allowed)`,
    });
  }
  const groups = body["as-groups"];
  const extra = body["as-user-extra"];
  const impersonationDetail = nonEmpty(body["as-uid"]) ? "as-uid" : Array.isArray(groups) && groups.length > 0 ? "as-groups" : isRecord(extra) && Object.keys(extra).length > 0 ? "as-user-extra" : undefined;
  if (impersonationDetail !== undefined && !nonEmpty(body.as)) {
    out.push({ path: [...user.path, impersonationDetail], message: `user ${name} sets ${impersonationDetail} without as (the user to impersonate): kubectl refuses it (requesting uid, groups or user-extra for ${name} without impersonating a user)` });
  }
  return out;
}

/** The user and cluster names the current context uses, and the context itself. */
function inUse(config: Kubeconfig) {
  const context = config.currentContext === undefined ? undefined : config.contexts.find((c) => c.name === config.currentContext);
  return { context, user: context?.user, cluster: context?.cluster };
}

/**
 * Whether client-go may use this user over TLS: false only when every context naming it names
 * a cluster of the file reached over plain HTTP (the checks of its credentials then never run).
 */
export function userReachedOverTls(config: Kubeconfig, userName: string): boolean {
  const current = inUse(config);
  const contexts = current.user === userName ? [current.context] : config.contexts.filter((c) => c.user === userName);
  if (contexts.length === 0) return true;
  return contexts.some((context) => {
    const cluster = config.clusters.find((c) => c.name === context?.cluster);
    return cluster === undefined || reachedOverTls(cluster.server);
  });
}

export function clientGoRefusals(config: Kubeconfig, object: K8sObject): Refusal[] {
  const refusals: Refusal[] = [];
  const typeError = kubeconfigTypeError(object);
  if (typeError !== undefined) {
    // The load fails before any context is chosen: one refusal, at the value Go stopped at.
    refusals.push({ path: typeError.path, message: `${formatFieldPath(typeError.path)} is ${typeError.found} where client-go's types take ${typeError.expected}: kubectl refuses the whole file (${typeError.error})`, inUse: true });
  }
  refusals.push(...config.duplicateNames.map((d) => ({
    path: d.path,
    message: `${d.list} has two entries named ${quoted(d.name)}: kubectl refuses the whole file (duplicate name ${quoted(d.name)} in list)`,
    inUse: true,
  })));
  refusals.push(...notBase64Refusals(config));
  const current = inUse(config);
  if (config.currentContext !== undefined && current.context === undefined) {
    refusals.push({ path: ["current-context"], message: `current-context names context ${config.currentContext}, which the file does not define: kubectl refuses it (context was not found for specified context: ${config.currentContext})`, inUse: true });
  }
  // Chosen with --context, any context naming a missing cluster fails as the current one does.
  for (const context of config.contexts) {
    if (context.cluster === undefined || context.cluster === "" || config.clusters.some((c) => c.name === context.cluster)) continue;
    refusals.push({
      path: [...context.path, "cluster"],
      message: `context ${context.name} names cluster ${context.cluster}, which the file does not define: client-go refuses it (no server), and kubectl sends its requests to http://localhost:8080 (or $KUBERNETES_MASTER) instead`,
      inUse: context === current.context,
    });
  }
  for (const cluster of config.clusters) {
    const used = current.cluster === cluster.name;
    for (const r of clusterRefusals(cluster)) refusals.push({ ...r, inUse: used });
  }
  for (const user of config.users) {
    const used = current.user === user.name;
    for (const r of userRefusals(user, userReachedOverTls(config, user.name))) refusals.push({ ...r, inUse: used });
  }
  return refusals;
}
