/**
 * Whether a subject may impersonate some user or service account, whoever it is. The
 * apiserver's impersonation filter authorizes each impersonated attribute on its own
 * (users/NAME or serviceaccounts/NAME in its namespace, then groups/NAME for each group),
 * and refuses groups without a user. So a grant on one named user is enough to carry any
 * group the subject may impersonate, system:masters included.
 */
import type { Grant } from "./authorizer.js";
import { resourceMatches, verbMatches, apiGroupMatches } from "./matching.js";
import { splitServiceAccountUsername } from "./subjects.js";
import type { RequestAttributes, ResourceRequest } from "./types.js";

export type Allowed = Grant | "superuser" | false;

/** A user or service account the subject may impersonate, with the grant that allows it. */
export interface ImpersonableIdentity {
  /** `User bob`, `ServiceAccount ns/name`, or `any user`. */
  describe: string;
  grant: Grant | "superuser";
}

/** A name no rule names: "any object of this kind". */
export const ANY_NAME = "\u0000any";

function impersonate(resource: "users" | "serviceaccounts", name: string, namespace = ""): RequestAttributes {
  return { kind: "resource", verb: "impersonate", apiGroup: "", resource, subresource: "", name, namespace };
}

/**
 * The request the impersonation filter (apiserver pkg/endpoints/filters/impersonation.go)
 * authorizes for Impersonate-User: USERNAME. A name serviceaccount.SplitUsername accepts is
 * asked as serviceaccounts/NAME in its namespace, so no `users` rule ever lets it through;
 * any other name is asked as users/USERNAME.
 */
export function impersonateUserRequest(username: string): RequestAttributes {
  const account = splitServiceAccountUsername(username);
  return account ? impersonate("serviceaccounts", account.name, account.namespace) : impersonate("users", username);
}

/**
 * What to tell whoever asks whether `request` is allowed when the impersonation filter never
 * makes it: impersonate on users/NAME for a service-account user name. The authorizer (and so
 * a SubjectAccessReview, and kubectl auth can-i) still answers the request as asked.
 */
export function unaskedImpersonationNote(request: Omit<ResourceRequest, "kind" | "namespace">): string | undefined {
  if (request.verb !== "impersonate" || request.apiGroup !== "" || request.resource !== "users" || request.subresource !== "") return undefined;
  const account = splitServiceAccountUsername(request.name);
  if (!account) return undefined;
  return `the impersonation filter asks impersonate serviceaccounts ${account.name} in namespace ${account.namespace} for ${request.name}, never impersonate users: a yes here lets no one impersonate it (ask: impersonate serviceaccounts ${account.name} -n ${account.namespace})`;
}

/**
 * The first identity `held` names that the authorizer (`allow`) lets the subject
 * impersonate: any user first, then each named user, then each named service account.
 * Candidate names come from the held rules; every candidate is still decided by `allow`.
 */
export function impersonableIdentity(held: readonly Grant[], allow: (request: RequestAttributes) => Allowed): ImpersonableIdentity | undefined {
  const any = allow(impersonate("users", ANY_NAME));
  if (any) return { describe: "any user", grant: any };
  const users = new Set<string>();
  const accounts = new Map<string, { namespace: string; name: string }>();
  for (const { rule, binding } of held) {
    const r = rule.rule;
    if (!verbMatches(r, "impersonate") || !apiGroupMatches(r, "")) continue;
    const namespace = binding.namespace ?? "";
    const names = r.resourceNames.length > 0 ? r.resourceNames : [ANY_NAME];
    for (const name of names) {
      // An empty name impersonates nobody; a service-account-shaped user name is checked as that service account.
      if (!name) continue;
      if (resourceMatches(r, "users", "") && !splitServiceAccountUsername(name)) users.add(name);
      if (resourceMatches(r, "serviceaccounts", "")) accounts.set(`${namespace}/${name}`, { namespace, name });
    }
  }
  for (const name of users) {
    const grant = allow(impersonate("users", name));
    if (grant) return { describe: name === ANY_NAME ? "any user" : `User ${name}`, grant };
  }
  for (const { namespace, name } of accounts.values()) {
    const grant = allow(impersonate("serviceaccounts", name, namespace));
    if (!grant) continue;
    const where = namespace ? `of ${namespace}` : "of any namespace";
    return { describe: name === ANY_NAME ? `any ServiceAccount ${where}` : `ServiceAccount ${name} ${where}`, grant };
  }
  return undefined;
}
