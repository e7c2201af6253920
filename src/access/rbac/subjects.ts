/**
 * Who a binding subject is: upstream's appliesTo, the service-account user and group
 * names, and the user info an impersonated request carries (kubectl --as / --as-group).
 */
import { isDns1123Label, isDns1123Subdomain } from "../../k8s/dns-names.js";
import {
  ALL_AUTHENTICATED,
  ALL_SERVICE_ACCOUNTS,
  ALL_UNAUTHENTICATED,
  ANONYMOUS_USER,
  SERVICE_ACCOUNT_PREFIX,
  type Subject,
  type UserInfo,
} from "./types.js";

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/**
 * `system:serviceaccount:NS:NAME` split, or undefined when upstream's serviceaccount.SplitUsername
 * refuses it: exactly two parts, a namespace that is a DNS label and an account name that is a
 * DNS subdomain. A user merely named like one (`system:serviceaccount:ci:Foo`) is a plain user:
 * impersonating it adds no service-account groups and is authorized as `users`.
 */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (!isDns1123Label(namespace) || !isDns1123Subdomain(name)) return undefined;
  return { namespace, name };
}

/** The groups the service-account authenticator gives every token of a namespace. */
export function serviceAccountGroups(namespace: string): string[] {
  return [ALL_SERVICE_ACCOUNTS, `${ALL_SERVICE_ACCOUNTS}:${namespace}`];
}

/**
 * upstream appliesToUser. A ServiceAccount subject without a namespace takes the
 * binding's namespace; in a ClusterRoleBinding (namespace "") it applies to nobody.
 * Subject kinds are case-sensitive and apiGroup is not consulted.
 */
export function subjectAppliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return user.name === subject.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount": {
      const namespace = subject.namespace ? subject.namespace : bindingNamespace;
      if (!namespace) return false;
      return user.name === serviceAccountUsername(namespace, subject.name);
    }
    default:
      return false;
  }
}

/** Index of the first subject that applies, or -1 (upstream appliesTo). */
export function firstApplyingSubject(user: UserInfo, subjects: readonly Subject[], bindingNamespace: string): number {
  for (let i = 0; i < subjects.length; i++) {
    if (subjectAppliesTo(user, subjects[i] as Subject, bindingNamespace)) return i;
  }
  return -1;
}

/**
 * The user info the apiserver builds for an impersonated request: a service-account
 * user name with no groups requested gets the service-account groups; then every
 * non-anonymous user gets system:authenticated unless system:authenticated or
 * system:unauthenticated was requested, and the anonymous user gets system:unauthenticated.
 */
export function impersonatedUser(name: string, requestedGroups: readonly string[] = []): UserInfo {
  let groups = [...requestedGroups];
  const serviceAccount = splitServiceAccountUsername(name);
  if (serviceAccount && groups.length === 0) groups = serviceAccountGroups(serviceAccount.namespace);
  if (name !== ANONYMOUS_USER) {
    if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_UNAUTHENTICATED);
  }
  return { name, groups };
}

/** `User alice`, `Group devs`, `ServiceAccount ns/name` — the form every report uses. */
export function describeSubject(subject: Subject, bindingNamespace = ""): string {
  if (subject.kind === "ServiceAccount") return `ServiceAccount ${subject.namespace || bindingNamespace || "?"}/${subject.name}`;
  return `${subject.kind} ${subject.name}`;
}

/** A subject with its ServiceAccount namespace made explicit, for listing and graph nodes. */
export function normalizeSubject(subject: Subject, bindingNamespace: string): Subject {
  if (subject.kind === "ServiceAccount") return { kind: "ServiceAccount", name: subject.name, namespace: subject.namespace || bindingNamespace };
  return { kind: subject.kind, name: subject.name };
}

export function subjectKey(subject: Subject): string {
  return subject.kind === "ServiceAccount" ? `ServiceAccount:${subject.namespace ?? ""}/${subject.name}` : `${subject.kind}:${subject.name}`;
}
