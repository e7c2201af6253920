/**
 * The escalation step "create a service-account-token Secret, then read it". A Secret of type
 * kubernetes.io/service-account-token annotated kubernetes.io/service-account.name: SA is
 * filled with a token of SA by the token controller (pkg/controller/serviceaccount/tokens_controller.go),
 * in current releases too: KEP-2799 only stopped auto-generating such Secrets (v1.24) and has
 * LegacyServiceAccountTokenCleanUp (GA v1.30) delete the auto-generated ones, those an account's
 * `secrets` list references, after a year unused; a Secret created by hand is neither. The API
 * server does not check that SA exists when the Secret is created; the controller deletes a
 * token Secret whose account does not exist instead of filling it.
 *
 * A create names no object (POST to the collection), so resourceNames cannot restrict it: the
 * creator picks the Secret's name. A read limited to one name X is therefore enough: name the
 * new Secret X.
 */
import { isDns1123Subdomain } from "../../k8s/dns-names.js";
import type { Grant } from "./authorizer.js";
import { ANY_NAME, type Allowed } from "./impersonation.js";
import { apiGroupMatches, resourceMatches, verbMatches } from "./matching.js";
import type { RequestAttributes } from "./types.js";

/** list and watch return whole Secrets, data included, as get does. */
export const SECRET_READS = ["get", "list", "watch"] as const;

export interface TokenSecretStep {
  /** The grant that allows creating the Secret. */
  grant: Grant | "superuser";
  /** When only some names may be read: the one the Secret is given, and the verb that reads it. */
  named?: { name: string; verb: (typeof SECRET_READS)[number] };
}

function secrets(verb: string, namespace: string, name: string): RequestAttributes {
  return { kind: "resource", verb, apiGroup: "", resource: "secrets", subresource: "", name, namespace };
}

/**
 * The Secret names `held` lets a subject read somewhere, when limited by resourceNames: each
 * still decided by the authorizer. Only valid Secret names (DNS subdomains) can be created.
 */
function readableNames(held: readonly Grant[]): Set<string> {
  const names = new Set<string>();
  for (const { rule } of held) {
    const r = rule.rule;
    if (!SECRET_READS.some((verb) => verbMatches(r, verb)) || !apiGroupMatches(r, "") || !resourceMatches(r, "secrets", "")) continue;
    for (const name of r.resourceNames) if (isDns1123Subdomain(name)) names.add(name);
  }
  return names;
}

/**
 * Whether the subject (`allow`, holding `held`) may create a token Secret in `namespace` ("" for
 * every namespace) and read it back: by reading any Secret there, or one fixed name it gives the new Secret.
 */
export function tokenSecretStep(namespace: string, held: readonly Grant[], allow: (request: RequestAttributes) => Allowed): TokenSecretStep | undefined {
  const create = allow(secrets("create", namespace, ""));
  if (!create) return undefined;
  if (SECRET_READS.some((verb) => allow(secrets(verb, namespace, ANY_NAME)))) return { grant: create };
  for (const name of readableNames(held)) {
    // A list or watch narrowed to the Secret (fieldSelector metadata.name) carries its name, as a get does.
    const verb = SECRET_READS.find((v) => allow(secrets(v, namespace, name)));
    if (verb) return { grant: create, named: { name, verb } };
  }
  return undefined;
}

/**
 * The step in words; `where` is `in NAMESPACE` or `in any namespace` (a path names the namespace
 * once folded, and the account after it: `... for ServiceAccount SA`).
 */
export function describeTokenSecretStep(step: TokenSecretStep, where: string): string {
  if (!step.named) return `create a service-account-token Secret ${where} and read it`;
  const { name, verb } = step.named;
  return `create a service-account-token Secret named ${name} (the one name it may ${verb}) ${where} and read it once the token controller fills it`;
}
