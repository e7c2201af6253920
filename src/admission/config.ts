/**
 * The one configuration file of `palisade serve` (kind: WebhookServerConfiguration):
 * server settings, admission policies with their modes, exceptions, access webhooks.
 * Validated strictly with file:line:column errors. Files it names (PSA configuration,
 * exceptions) are read through an injected `readFile`, keeping this module pure.
 * Documented in examples/admission-config.yaml.
 */
import { UserError } from "../errors.js";
import { isRecord } from "../k8s/types.js";
import { isNodeRestrictedLabel, type TenancyModel, type Tenant } from "../tenancy/tenants.js";
import { ConfigSource } from "./config-source.js";
import type { AdmissionException } from "./exceptions.js";
import { POLICY_MODES, type AdmissionPolicy, type PolicyMode } from "./policy.js";
import { imagesPolicy } from "./policies/images.js";
import type { ImagePolicyOptions } from "../supplychain/images/check.js";
import { secretsPolicy } from "./policies/secrets.js";
import { nodeRestrictionPolicy } from "./policies/node-restriction.js";
import { certificateSubjectRestrictionPolicy } from "./policies/certificate-subject-restriction.js";
import { podSecurityPolicy, type PodSecuritySettings } from "./policies/pod-security.js";
import { podSecurityPolicyPolicy } from "./policies/pod-security-policy.js";
import { readPodSecurityPolicy, isPodSecurityPolicy, type PodSecurityPolicy } from "../psp/policy.js";
import { validatePolicy } from "../psp/validate.js";
import { formatFieldError } from "../psp/field-errors.js";
import { parseAllDocuments, LineCounter } from "yaml";
import { tenancyPolicy } from "./policies/tenancy.js";
import { parsePodSecurityConfiguration } from "./psa-config.js";

export const CONFIG_API_VERSION = "palisade.dev/v1alpha1";
export const CONFIG_KIND = "WebhookServerConfiguration";

/** The largest AdmissionReview (or access review) body read by default. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface ServerSettings {
  address: string;
  port: number;
  certFile?: string;
  keyFile?: string;
  /**
   * When set, callers of /validate, /mutate, /authenticate and /authorize (the API server)
   * must present a certificate signed by this CA; /healthz, /readyz and /metrics stay open
   * (src/adapters/webhook/client-certificate.ts).
   */
  clientCAFile?: string;
  /** HTTP worker processes (node:cluster); 1 = serve in the main process. */
  workers: number;
  maxBodyBytes: number;
  /** Whole-request deadline: a client slower than this is cut off (slowloris). */
  requestTimeoutSeconds: number;
  /** Manifests (Namespaces, Nodes, Pods) to know the cluster from before requests teach us. */
  clusterState: string[];
  /** Log level for pino. */
  logLevel: string;
  /**
   * Kubeconfig for the read-only Namespace (and Node) watch when the server runs outside the
   * cluster; in a pod the service account is used without it (src/adapters/kube/connection.ts).
   */
  kubeconfig?: string;
}

export interface GuardrailSettings {
  /** Namespace label naming a tenant; Secret reads across tenants are denied. */
  tenantLabel?: string;
  /** Namespaces with this label=value refuse pods/exec and pods/attach. */
  production?: { key: string; value: string };
}

export interface AccessSettings {
  /** kube-apiserver static token file (CSV) for /authenticate. */
  tokenFile?: string;
  /** RBAC manifests (Roles, ClusterRoles, bindings) for /authorize. */
  rbacFiles: string[];
  guardrails: GuardrailSettings;
  /** Namespace labels for guardrails, as manifests (Namespace objects); defaults to server.clusterState. */
}

export interface WebhookConfig {
  file: string;
  server: ServerSettings;
  policies: AdmissionPolicy[];
  exceptions: AdmissionException[];
  tenancy?: TenancyModel;
  /** PSA's defaults and exemptions, when the podSecurity policy is configured (scan --admission-config judges with them too). */
  podSecurity?: PodSecuritySettings;
  /** The images policy's settings, when it is configured (scan --admission-config judges images with them too). */
  images?: ImagePolicyOptions & { mode: PolicyMode };
  access: AccessSettings;
}

export type ReadFile = (path: string, relativeTo: string) => { file: string; text: string };

const TOP_KEYS = ["apiVersion", "kind", "server", "policies", "exceptionsFile", "exceptions", "access"];
const POLICY_NAMES = ["podSecurity", "podSecurityPolicy", "nodeRestriction", "certificateSubjectRestriction", "tenancy", "images", "secrets"];

export function parseWebhookConfig(file: string, text: string, readFile: ReadFile): WebhookConfig {
  const src = ConfigSource.parse(file, text);
  src.map([], true);
  src.onlyKeys([], TOP_KEYS);
  src.string(["apiVersion"], { required: true, oneOf: [CONFIG_API_VERSION] });
  src.string(["kind"], { required: true, oneOf: [CONFIG_KIND] });

  src.onlyKeys(["server"], ["address", "port", "certFile", "keyFile", "clientCAFile", "workers", "maxBodyBytes", "requestTimeoutSeconds", "clusterState", "logLevel", "kubeconfig"]);
  const server: ServerSettings = {
    address: src.string(["server", "address"], { fallback: "0.0.0.0" })!,
    port: src.integer(["server", "port"], 8443, { min: 0, max: 65535 }),
    workers: src.integer(["server", "workers"], 1, { min: 1, max: 64 }),
    // An UPDATE carries the object and its old version, each up to what the API server takes
    // (3 MB a request, 1.5 MiB in etcd) and larger as JSON: 3 MiB refused such updates with 413.
    maxBodyBytes: src.integer(["server", "maxBodyBytes"], DEFAULT_MAX_BODY_BYTES, { min: 1024, max: 64 * 1024 * 1024 }),
    requestTimeoutSeconds: src.integer(["server", "requestTimeoutSeconds"], 10, { min: 1, max: 60 }),
    clusterState: src.strings(["server", "clusterState"]),
    logLevel: src.string(["server", "logLevel"], { oneOf: ["fatal", "error", "warn", "info", "debug", "silent"], fallback: "info" })!,
  };
  for (const key of ["certFile", "keyFile", "clientCAFile", "kubeconfig"] as const) {
    const value = src.string(["server", key]);
    if (value !== undefined) server[key] = value;
  }
  if ((server.certFile === undefined) !== (server.keyFile === undefined)) src.fail(["server"], "certFile and keyFile go together", "set both, or neither and use --self-signed");

  src.onlyKeys(["policies"], POLICY_NAMES);
  const policies: AdmissionPolicy[] = [];
  const mode = (name: string): PolicyMode => src.string(["policies", name, "mode"], { required: true, oneOf: POLICY_MODES }) as PolicyMode;

  let tenancy: TenancyModel | undefined;
  if (src.map(["policies", "tenancy"])) {
    src.onlyKeys(["policies", "tenancy"], ["mode", "namespaceLabel", "tenants"]);
    tenancy = readTenancy(src);
    policies.push(tenancyPolicy(tenancy, mode("tenancy")));
  }
  let podSecurity: PodSecuritySettings | undefined;
  if (src.map(["policies", "podSecurity"])) {
    src.onlyKeys(["policies", "podSecurity"], ["mode", "configurationFile"]);
    const path = src.string(["policies", "podSecurity", "configurationFile"]);
    const settings = path === undefined ? parsePodSecurityConfiguration(undefined) : (() => {
      const loaded = readOrFail(src, ["policies", "podSecurity", "configurationFile"], path, readFile);
      return parsePodSecurityConfiguration(ConfigSource.parse(loaded.file, loaded.text));
    })();
    policies.push(podSecurityPolicy(settings, mode("podSecurity")));
    podSecurity = settings;
  }
  if (src.map(["policies", "podSecurityPolicy"])) {
    src.onlyKeys(["policies", "podSecurityPolicy"], ["mode", "policiesFile"]);
    const path = src.string(["policies", "podSecurityPolicy", "policiesFile"], { required: true })!;
    const loaded = readOrFail(src, ["policies", "podSecurityPolicy", "policiesFile"], path, readFile);
    policies.push(podSecurityPolicyPolicy(parsePodSecurityPolicies(loaded.file, loaded.text), mode("podSecurityPolicy")));
  }
  if (src.map(["policies", "nodeRestriction"])) {
    src.onlyKeys(["policies", "nodeRestriction"], ["mode"]);
    policies.push(nodeRestrictionPolicy(mode("nodeRestriction")));
  }
  if (src.map(["policies", "certificateSubjectRestriction"])) {
    src.onlyKeys(["policies", "certificateSubjectRestriction"], ["mode"]);
    policies.push(certificateSubjectRestrictionPolicy(mode("certificateSubjectRestriction")));
  }
  let images: WebhookConfig["images"];
  if (src.map(["policies", "images"])) {
    src.onlyKeys(["policies", "images"], ["mode", "allowedRegistries", "requireDigest", "forbidLatest"]);
    images = {
      allowedRegistries: src.strings(["policies", "images", "allowedRegistries"]),
      requireDigest: src.boolean(["policies", "images", "requireDigest"], false),
      forbidLatest: src.boolean(["policies", "images", "forbidLatest"], true),
      mode: mode("images"),
    };
    policies.push(imagesPolicy(images, images.mode));
  }
  if (src.map(["policies", "secrets"])) {
    src.onlyKeys(["policies", "secrets"], ["mode"]);
    policies.push(secretsPolicy(mode("secrets")));
  }

  let exceptions: AdmissionException[] = [];
  const exceptionsFile = src.string(["exceptionsFile"]);
  if (exceptionsFile !== undefined) {
    const loaded = readOrFail(src, ["exceptionsFile"], exceptionsFile, readFile);
    exceptions = parseExceptions(ConfigSource.parse(loaded.file, loaded.text));
  }

  src.onlyKeys(["access"], ["tokenFile", "rbacFiles", "guardrails"]);
  src.onlyKeys(["access", "guardrails"], ["tenantLabel", "production"]);
  src.onlyKeys(["access", "guardrails", "production"], ["key", "value"]);
  const guardrails: GuardrailSettings = {};
  const tenantLabel = src.string(["access", "guardrails", "tenantLabel"]);
  if (tenantLabel !== undefined) guardrails.tenantLabel = tenantLabel;
  if (src.map(["access", "guardrails", "production"])) {
    guardrails.production = { key: src.string(["access", "guardrails", "production", "key"], { required: true })!, value: src.string(["access", "guardrails", "production", "value"], { required: true })! };
  }
  const access: AccessSettings = { rbacFiles: src.strings(["access", "rbacFiles"]), guardrails };
  const tokenFile = src.string(["access", "tokenFile"]);
  if (tokenFile !== undefined) access.tokenFile = tokenFile;

  const config: WebhookConfig = { file, server, policies, exceptions, access };
  if (tenancy) config.tenancy = tenancy;
  if (podSecurity) config.podSecurity = podSecurity;
  if (images) config.images = images;
  return config;
}

function readOrFail(src: ConfigSource, path: (string | number)[], target: string, readFile: ReadFile): { file: string; text: string } {
  try {
    return readFile(target, src.file);
  } catch (err) {
    if (err instanceof UserError) throw err;
    return src.fail(path, `cannot read ${JSON.stringify(target)}: ${err instanceof Error ? err.message : String(err)}`, "paths are relative to the configuration file");
  }
}

function readTenancy(src: ConfigSource): TenancyModel {
  const base = ["policies", "tenancy"];
  const namespaceLabel = src.string([...base, "namespaceLabel"], { fallback: "palisade.dev/tenant" })!;
  const tenants: Tenant[] = [];
  src.list([...base, "tenants"]).forEach((_item, i) => {
    const at = [...base, "tenants", i];
    src.map(at, true);
    src.onlyKeys(at, ["name", "taint", "nodeLabel"]);
    src.onlyKeys([...at, "taint"], ["key", "value", "effect"]);
    src.onlyKeys([...at, "nodeLabel"], ["key", "value"]);
    const name = src.string([...at, "name"], { required: true })!;
    if (tenants.some((t) => t.name === name)) src.fail([...at, "name"], `duplicate tenant ${JSON.stringify(name)}`);
    const nodeLabelKey = src.string([...at, "nodeLabel", "key"], { required: true })!;
    if (!isNodeRestrictedLabel(nodeLabelKey)) {
      src.fail([...at, "nodeLabel", "key"], `tenant node label ${JSON.stringify(nodeLabelKey)} is not under node-restriction.kubernetes.io/`, "kubelets can set any other label on their own Node; use e.g. node-restriction.kubernetes.io/tenant");
    }
    tenants.push({
      name,
      taint: {
        key: src.string([...at, "taint", "key"], { required: true })!,
        value: src.string([...at, "taint", "value"], { fallback: name })!,
        effect: src.string([...at, "taint", "effect"], { oneOf: ["NoSchedule", "NoExecute"], fallback: "NoSchedule" })!,
      },
      nodeLabel: { key: nodeLabelKey, value: src.string([...at, "nodeLabel", "value"], { fallback: name })! },
    });
  });
  if (tenants.length === 0) src.fail([...base, "tenants"], "at least one tenant is required");
  return { namespaceLabel, tenants };
}

/** Exceptions file (kind: PolicyExceptionList); also read by `palisade scan --exceptions`. */
export function parseExceptions(src: ConfigSource): AdmissionException[] {
  src.map([], true);
  src.onlyKeys([], ["apiVersion", "kind", "exceptions"]);
  src.string(["apiVersion"], { required: true, oneOf: [CONFIG_API_VERSION] });
  src.string(["kind"], { required: true, oneOf: ["PolicyExceptionList"] });
  const ids = new Set<string>();
  return src.list(["exceptions"]).map((_item, i) => {
    const at = ["exceptions", i];
    src.map(at, true);
    src.onlyKeys(at, ["id", "policy", "rule", "namespace", "workload", "container", "owner", "reason", "expires"]);
    const id = src.string([...at, "id"], { required: true })!;
    if (ids.has(id)) src.fail([...at, "id"], `duplicate exception id ${JSON.stringify(id)}`);
    ids.add(id);
    const expiresRaw = src.get([...at, "expires"]);
    const expires = expiresRaw instanceof Date ? expiresRaw : typeof expiresRaw === "string" && /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(expiresRaw) ? new Date(expiresRaw) : undefined;
    if (!expires || Number.isNaN(expires.getTime())) src.fail([...at, "expires"], "is required: a date (YYYY-MM-DD) or RFC 3339 time", "every exception must expire; renew it deliberately");
    const exception: AdmissionException = {
      id,
      policy: src.string([...at, "policy"], { required: true })!,
      rule: src.string([...at, "rule"], { required: true })!,
      namespace: src.string([...at, "namespace"], { required: true })!,
      owner: src.string([...at, "owner"], { required: true })!,
      reason: src.string([...at, "reason"], { required: true })!,
      expires,
      positions: { exception: src.position(at), rule: src.position([...at, "rule"]) },
    };
    if (exception.reason.trim() === "") src.fail([...at, "reason"], "must say why the exception exists");
    if (exception.owner.trim() === "") src.fail([...at, "owner"], "must name who answers for the exception (a team or a person)");
    const container = src.string([...at, "container"]);
    if (container !== undefined) exception.container = container;
    const workload = src.get([...at, "workload"]);
    if (workload !== undefined) {
      if (!isRecord(workload)) src.fail([...at, "workload"], "expected a mapping {kind?, name}");
      src.onlyKeys([...at, "workload"], ["kind", "name"]);
      exception.workload = { name: src.string([...at, "workload", "name"], { required: true })! };
      const kind = src.string([...at, "workload", "kind"]);
      if (kind !== undefined) exception.workload.kind = kind;
    }
    return exception;
  });
}

/** PodSecurityPolicy objects from a (multi-document) manifest; an invalid policy is an error at its document. */
export function parsePodSecurityPolicies(file: string, text: string): PodSecurityPolicy[] {
  const lines = new LineCounter();
  const policies: PodSecurityPolicy[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
    const at = lines.linePos(doc.contents?.range[0] ?? 0);
    const position = { file, line: at.line, column: at.col };
    if (doc.errors[0]) throw new UserError(`invalid YAML: ${doc.errors[0].message.split("\n")[0]}`, { position });
    const object = doc.toJS() as unknown;
    if (!isRecord(object)) continue;
    if (!isPodSecurityPolicy(object)) throw new UserError(`expected PodSecurityPolicy objects only, found ${String(object.kind)}`, { position, hint: "keep PodSecurityPolicies in their own file" });
    const { policy, errors } = readPodSecurityPolicy(object);
    const all = [...errors, ...validatePolicy(policy)];
    if (all.length > 0) throw new UserError(`PodSecurityPolicy ${policy.name}: ${all.map(formatFieldError).join(", ")}`, { position, hint: "the API server would refuse this policy" });
    policies.push(policy);
  }
  if (policies.length === 0) throw new UserError("no PodSecurityPolicy objects found", { position: { file, line: 1, column: 1 } });
  return policies;
}
