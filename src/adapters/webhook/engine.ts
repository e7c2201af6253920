/**
 * Composes the pure parts into the engine the server calls: the configured policies and
 * exceptions over the cluster state, the token authenticator, RBAC and the guardrails.
 * The clock is injected once here, so the core stays pure.
 */
import { crossTenantSecretsGuardrail, productionExecGuardrail } from "../../admission/access/guardrails.js";
import { decideAccess, type AccessAuthorizer, type Guardrail } from "../../admission/access/subject-access-review.js";
import type { TokenUser, TokenVerdict } from "../../admission/access/token-review.js";
import { ClusterState } from "../../admission/cluster-state.js";
import type { WebhookConfig } from "../../admission/config.js";
import { mutateAdmission, validateAdmission } from "../../admission/pipeline.js";
import type { AdmissionRequest } from "../../admission/review.js";
import type { K8sObject } from "../../k8s/types.js";
import type { WebhookEngine } from "./handler.js";
import type { AccessEndpoint } from "./open-access.js";

/** Anything that maps a bearer token to a user (src/access/authn's TokenAuthenticator fits). */
export interface TokenAuthenticatorLike {
  authenticateToken(token: string): Promise<{ authenticated: true; user: TokenUser } | { authenticated: false; reason: string }>;
}

export interface EngineOptions {
  config: Pick<WebhookConfig, "policies" | "exceptions" | "access">;
  cluster?: ClusterState;
  authenticator?: TokenAuthenticatorLike;
  authorizer?: AccessAuthorizer;
  now?: () => Date;
  /** Called with each admitted request, e.g. to share cluster knowledge with other workers. */
  onObserve?: (request: Parameters<WebhookEngine["observe"]>[0]) => void;
  /** Worker mode: the pods other workers have seen in a namespace, before a namespace update is judged. */
  podsFor?: (namespace: string) => Promise<K8sObject[]>;
  /** Reads a namespace the cluster state lacks from the API server into it (cluster-sync.ts). */
  lookupNamespace?: (name: string) => Promise<void>;
}

export function guardrailsFor(config: Pick<WebhookConfig, "access">, cluster: ClusterState): Guardrail[] {
  const guardrails: Guardrail[] = [];
  const labels = (name: string) => cluster.namespaceLabels(name);
  const { tenantLabel, production } = config.access.guardrails;
  if (tenantLabel) guardrails.push(crossTenantSecretsGuardrail({ tenantLabel, tenantGroupPrefix: "tenant:", namespaceLabels: labels, namespaces: () => cluster.namespaceNames() }));
  if (production) guardrails.push(productionExecGuardrail(production, labels, () => cluster.namespaceNames()));
  return guardrails;
}

/**
 * Which access endpoints an engine built from these options answers, known before any engine
 * is built (the primary of a multi-worker server builds none): the test createEngine makes.
 */
export function accessEndpoints(options: Pick<EngineOptions, "config" | "authenticator" | "authorizer">): AccessEndpoint[] {
  const endpoints: AccessEndpoint[] = [];
  if (options.authenticator) endpoints.push("/authenticate");
  if (options.authorizer || guardrailsFor(options.config, new ClusterState()).length > 0) endpoints.push("/authorize");
  return endpoints;
}

export function createEngine(options: EngineOptions): WebhookEngine & { cluster: ClusterState } {
  const cluster = options.cluster ?? new ClusterState();
  const now = options.now ?? (() => new Date());
  const guardrails = guardrailsFor(options.config, cluster);
  for (const policy of options.config.policies) policy.warmUp?.();
  // The clock is read only when an exception is looked up (none configured: never).
  const input = () => ({ policies: options.config.policies, exceptions: options.config.exceptions, cluster, now });
  const engine: WebhookEngine & { cluster: ClusterState } = {
    cluster,
    validate: (request, deadline) => validateAdmission(request, deadline === undefined ? input() : { ...input(), deadline }),
    mutate: (request) => mutateAdmission(request, input()),
    observe(request) {
      cluster.observe(request);
      options.onObserve?.(request);
    },
  };
  const preparations = [namespaceUpdatePods(options.podsFor, cluster), unknownNamespace(options.lookupNamespace, cluster)].filter((p) => p !== undefined);
  if (preparations.length > 0) {
    engine.prepare = (request) => {
      const pending = preparations.map((prepare) => prepare(request)).filter((p) => p !== undefined);
      return pending.length === 0 ? undefined : Promise.all(pending).then(() => undefined);
    };
  }
  const authenticator = options.authenticator;
  if (authenticator) {
    engine.authenticate = async (review): Promise<TokenVerdict> => {
      const result = await authenticator.authenticateToken(review.token);
      return result.authenticated ? { authenticated: true, user: result.user } : { authenticated: false, reason: result.reason };
    };
  }
  if (options.authorizer || guardrails.length > 0) engine.authorize = (review) => decideAccess(review, guardrails, options.authorizer);
  return engine;
}

type Preparation = (request: AdmissionRequest) => Promise<void> | undefined;

/** Worker mode: before a namespace update is judged, the pods other workers have seen in it. */
function namespaceUpdatePods(podsFor: EngineOptions["podsFor"], cluster: ClusterState): Preparation | undefined {
  if (!podsFor) return undefined;
  return (request) => {
    const { resource, operation, subResource } = request;
    if (resource.group !== "" || resource.resource !== "namespaces" || operation !== "UPDATE" || subResource !== "") return undefined;
    const name = request.name || request.object?.metadata?.name || "";
    return podsFor(name).then((pods) => cluster.mergePods(name, pods));
  };
}

/**
 * Once the namespaces are listed, a request in one the state lacks was made in a namespace
 * created since the last watch event: read it before judging, or Pod Security would refuse
 * the pod as in a namespace that does not exist. Namespace requests themselves need no
 * lookup (their object is the namespace).
 */
function unknownNamespace(lookup: EngineOptions["lookupNamespace"], cluster: ClusterState): Preparation | undefined {
  if (!lookup) return undefined;
  return (request) => {
    const namespace = request.namespace;
    if (!namespace || request.resource.resource === "namespaces" || !cluster.namespacesComplete() || cluster.namespaceLabels(namespace) !== undefined) return undefined;
    return lookup(namespace);
  };
}
