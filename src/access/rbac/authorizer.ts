/**
 * The RBAC authorizer over an index built once: can-i (Authorize), the rules a user holds
 * in a namespace (RulesFor, for --list) and who-can. Decisions are exactly upstream's:
 * the privileged group first, then every ClusterRoleBinding, then the RoleBindings of the
 * request's namespace, first allowing rule wins. The indexes only pre-select candidates;
 * every candidate is still judged by upstream's appliesTo and RuleAllows.
 */
import { combinedResource, ruleAllows } from "./matching.js";
import { firstApplyingSubject, normalizeSubject, serviceAccountUsername, subjectKey } from "./subjects.js";
import { SYSTEM_MASTERS, type BindingDef, type Policy, type RequestAttributes, type RoleDef, type SourcedRule, type Subject, type UserInfo } from "./types.js";

export interface Grant {
  binding: BindingDef;
  /** Index of the first subject of the binding that applies (upstream reports that one). */
  subjectIndex: number;
  role: RoleDef;
  rule: SourcedRule;
}

export type Decision =
  | { allowed: true; reason: string; superuser: true }
  | { allowed: true; reason: string; superuser: false; grant: Grant }
  | { allowed: false; reason: string; errors: string[] };

export interface WhoCanEntry {
  /** The subject with its ServiceAccount namespace made explicit. */
  subject: Subject;
  /** Absent for the privileged group, which no binding grants. */
  grant?: Grant;
}

const SUPERUSER_KEY = subjectKey({ kind: "Group", name: SYSTEM_MASTERS });

/**
 * Where a (namespace-normalised) subject is filed in the subject indexes. Upstream matches a
 * ServiceAccount subject by comparing the user's name with the one MakeUsername builds
 * (MatchesUsername), whatever that name's shape, so it is filed under that user name: a user
 * name need not split as SplitUsername would for the binding to apply.
 */
function indexKey(subject: Subject): string {
  return subject.kind === "ServiceAccount" ? `User:${serviceAccountUsername(subject.namespace ?? "", subject.name)}` : subjectKey(subject);
}

/** The index keys under which a binding naming `user` (as a user, a service account or a group) is filed. */
function userIndexKeys(user: UserInfo): string[] {
  return [`User:${user.name}`, ...user.groups.map((g) => `Group:${g}`)];
}

interface ResolvedBinding {
  binding: BindingDef;
  role?: RoleDef;
  error?: string;
}

interface RuleEntry {
  resolved: ResolvedBinding;
  rule: SourcedRule;
}

export class RbacAuthorizer {
  readonly policy: Policy;
  private readonly clusterRoleBindings: ResolvedBinding[] = [];
  private readonly roleBindingsByNamespace = new Map<string, ResolvedBinding[]>();
  private readonly clusterBySubject = new Map<string, ResolvedBinding[]>();
  private readonly namespacedBySubject = new Map<string, Map<string, ResolvedBinding[]>>();
  /** Rules by each resource string they name ("pods", "pods/exec", "*", "*" + "/scale"), cluster-wide grants... */
  private readonly clusterRulesByResource = new Map<string, RuleEntry[]>();
  /** ...and RoleBinding grants per namespace. Each list is in (binding order, rule index) order. */
  private readonly namespacedRulesByResource = new Map<string, Map<string, RuleEntry[]>>();
  private readonly nonResourceRules: RuleEntry[] = [];

  constructor(policy: Policy) {
    this.policy = policy;
    const clusterRoles = new Map(policy.clusterRoles.map((r) => [r.name, r]));
    const roles = new Map(policy.roles.map((r) => [`${r.namespace}/${r.name}`, r]));
    const resolve = (binding: BindingDef): ResolvedBinding => {
      const namespace = binding.namespace ?? "";
      const { kind, name } = binding.roleRef;
      if (kind === "ClusterRole") {
        const role = clusterRoles.get(name);
        return role ? { binding, role } : { binding, error: `clusterrole.rbac.authorization.k8s.io "${name}" not found` };
      }
      if (kind === "Role") {
        // A ClusterRoleBinding cannot reference a Role: there is no namespace to find it in.
        const role = namespace ? roles.get(`${namespace}/${name}`) : undefined;
        return role ? { binding, role } : { binding, error: `role.rbac.authorization.k8s.io "${name}" not found${namespace ? ` in namespace ${namespace}` : ""}` };
      }
      return { binding, error: `unsupported role reference kind: ${JSON.stringify(kind)}` };
    };
    for (const binding of policy.clusterRoleBindings) {
      const resolved = resolve(binding);
      this.clusterRoleBindings.push(resolved);
      this.indexSubjects(resolved, this.clusterBySubject, "");
      this.indexRules(resolved, true);
    }
    for (const binding of policy.roleBindings) {
      const namespace = binding.namespace ?? "";
      const resolved = resolve(binding);
      let list = this.roleBindingsByNamespace.get(namespace);
      if (!list) this.roleBindingsByNamespace.set(namespace, (list = []));
      list.push(resolved);
      let bySubject = this.namespacedBySubject.get(namespace);
      if (!bySubject) this.namespacedBySubject.set(namespace, (bySubject = new Map()));
      this.indexSubjects(resolved, bySubject, namespace);
      this.indexRules(resolved, false);
    }
  }

  private indexSubjects(resolved: ResolvedBinding, index: Map<string, ResolvedBinding[]>, bindingNamespace: string): void {
    const keys = new Set<string>();
    for (const subject of resolved.binding.subjects) {
      if (subject.kind === "ServiceAccount" && !subject.namespace && !bindingNamespace) continue;
      keys.add(indexKey(normalizeSubject(subject, bindingNamespace)));
    }
    for (const key of keys) {
      const list = index.get(key);
      if (list) list.push(resolved);
      else index.set(key, [resolved]);
    }
  }

  private indexRules(resolved: ResolvedBinding, clusterScoped: boolean): void {
    let byResource = this.clusterRulesByResource;
    if (!clusterScoped) {
      const namespace = resolved.binding.namespace ?? "";
      byResource = this.namespacedRulesByResource.get(namespace) ?? new Map();
      this.namespacedRulesByResource.set(namespace, byResource);
    }
    for (const rule of resolved.role?.rules ?? []) {
      // Non-resource URLs are only ever authorized cluster-wide (their requests have no namespace).
      if (clusterScoped && rule.rule.nonResourceURLs.length > 0) this.nonResourceRules.push({ resolved, rule });
      for (const resource of new Set(rule.rule.resources)) {
        const list = byResource.get(resource);
        if (list) list.push({ resolved, rule });
        else byResource.set(resource, [{ resolved, rule }]);
      }
    }
  }

  /** The bindings that may apply to `user` for a request in `namespace`, in upstream visit order. */
  private candidateBindings(user: UserInfo, namespace: string): ResolvedBinding[] {
    const keys = userIndexKeys(user);
    const found = new Set<ResolvedBinding>();
    const namespaced = namespace ? this.namespacedBySubject.get(namespace) : undefined;
    for (const key of keys) {
      for (const b of this.clusterBySubject.get(key) ?? []) found.add(b);
      for (const b of namespaced?.get(key) ?? []) found.add(b);
    }
    return [...found].sort((a, b) => a.binding.order - b.binding.order);
  }

  authorize(user: UserInfo, request: RequestAttributes): Decision {
    return this.decide(user, request, this.candidateBindings(user, request.kind === "resource" ? request.namespace : ""));
  }

  /**
   * can-i for many questions of one user: the candidate bindings of each namespace are
   * looked up once. Answers are the same as authorize's.
   */
  authorizerFor(user: UserInfo): (request: RequestAttributes) => Decision {
    const byNamespace = new Map<string, ResolvedBinding[]>();
    return (request) => {
      const namespace = request.kind === "resource" ? request.namespace : "";
      let candidates = byNamespace.get(namespace);
      if (!candidates) byNamespace.set(namespace, (candidates = this.candidateBindings(user, namespace)));
      return this.decide(user, request, candidates);
    };
  }

  private decide(user: UserInfo, request: RequestAttributes, candidates: ResolvedBinding[]): Decision {
    if (user.groups.includes(SYSTEM_MASTERS)) {
      return { allowed: true, superuser: true, reason: `allowed: member of ${SYSTEM_MASTERS}, which the apiserver authorizes for everything before RBAC` };
    }
    const errors: string[] = [];
    for (const resolved of candidates) {
      const subjectIndex = firstApplyingSubject(user, resolved.binding.subjects, resolved.binding.namespace ?? "");
      if (subjectIndex < 0) continue;
      if (!resolved.role) {
        errors.push(resolved.error ?? "unresolved role");
        continue;
      }
      for (const rule of resolved.role.rules) {
        if (ruleAllows(request, rule.rule)) {
          const grant: Grant = { binding: resolved.binding, subjectIndex, role: resolved.role, rule };
          return { allowed: true, superuser: false, grant, reason: `RBAC: allowed by ${describeGrant(grant)}` };
        }
      }
    }
    return { allowed: false, errors, reason: errors.length ? `RBAC: no rule allows; resolution errors: ${errors.join("; ")}` : "RBAC: no rule allows" };
  }

  /** Every rule `user` holds in `namespace` ("" for cluster-wide), with the binding that gives it (upstream RulesFor). */
  rulesFor(user: UserInfo, namespace: string): Grant[] {
    const grants: Grant[] = [];
    for (const resolved of this.candidateBindings(user, namespace)) {
      const subjectIndex = firstApplyingSubject(user, resolved.binding.subjects, resolved.binding.namespace ?? "");
      if (subjectIndex < 0 || !resolved.role) continue;
      for (const rule of resolved.role.rules) grants.push({ binding: resolved.binding, subjectIndex, role: resolved.role, rule });
    }
    return grants;
  }

  /**
   * Every subject a binding makes able to perform `request`, with the first rule that
   * allows it per (subject, binding), plus the privileged group. A subject listed here is
   * exactly what can-i answers yes for (the properties in the tests hold us to it).
   */
  whoCan(request: RequestAttributes): WhoCanEntry[] {
    const entries: WhoCanEntry[] = [{ subject: { kind: "Group", name: SYSTEM_MASTERS } }];
    const lists: RuleEntry[][] = [];
    if (request.kind === "resource") {
      const keys = new Set([combinedResource(request.resource, request.subresource), "*"]);
      if (request.subresource) keys.add(`*/${request.subresource}`);
      const namespaced = request.namespace ? this.namespacedRulesByResource.get(request.namespace) : undefined;
      for (const key of keys) {
        lists.push(this.clusterRulesByResource.get(key) ?? [], namespaced?.get(key) ?? []);
      }
    } else {
      lists.push(this.nonResourceRules);
    }
    // The first allowing rule of each binding; lists are in rule order within a binding.
    const firstRule = new Map<ResolvedBinding, SourcedRule>();
    for (const list of lists) {
      for (const { resolved, rule } of list) {
        const known = firstRule.get(resolved);
        if (known && known.index <= rule.index) continue;
        if (resolved.role && ruleAllows(request, rule.rule)) firstRule.set(resolved, rule);
      }
    }
    const matched = [...firstRule.keys()].sort((a, b) => a.binding.order - b.binding.order);
    for (const resolved of matched) {
      const binding = resolved.binding;
      const rule = firstRule.get(resolved) as SourcedRule;
      const bindingNamespace = binding.namespace ?? "";
      const seen = new Set<string>();
      binding.subjects.forEach((subject, subjectIndex) => {
        if (subject.kind !== "User" && subject.kind !== "Group" && subject.kind !== "ServiceAccount") return;
        if (subject.kind === "ServiceAccount" && !subject.namespace && !bindingNamespace) return;
        const normalized = normalizeSubject(subject, bindingNamespace);
        const key = subjectKey(normalized);
        // The privileged group heads the list already, allowed whatever its bindings say.
        if (key === SUPERUSER_KEY || seen.has(key)) return;
        seen.add(key);
        entries.push({ subject: normalized, grant: { binding, subjectIndex, role: resolved.role as RoleDef, rule } });
      });
    }
    return entries;
  }

  /**
   * The bindings, cluster-wide or in any namespace, that name the user, one of its groups or
   * its ServiceAccount (whether the subject applies, firstApplyingSubject says).
   */
  private bindingsNaming(user: UserInfo): Set<ResolvedBinding> {
    const keys = userIndexKeys(user);
    const found = new Set<ResolvedBinding>();
    for (const key of keys) {
      for (const b of this.clusterBySubject.get(key) ?? []) found.add(b);
      for (const bySubject of this.namespacedBySubject.values()) for (const b of bySubject.get(key) ?? []) found.add(b);
    }
    return found;
  }

  /**
   * Every rule `user` holds anywhere: cluster-wide and in every namespace. A cheap upper
   * bound on what the user can do, for analyses that must skip hopeless questions.
   */
  grantsAnywhere(user: UserInfo): Grant[] {
    const grants: Grant[] = [];
    for (const resolved of this.bindingsNaming(user)) {
      const subjectIndex = firstApplyingSubject(user, resolved.binding.subjects, resolved.binding.namespace ?? "");
      if (subjectIndex < 0 || !resolved.role) continue;
      for (const rule of resolved.role.rules) grants.push({ binding: resolved.binding, subjectIndex, role: resolved.role, rule });
    }
    return grants;
  }

  /** Every binding that applies to `user`, cluster-wide or in any namespace, with its role when the reference resolves. */
  bindingsOf(user: UserInfo): Array<{ binding: BindingDef; role?: RoleDef }> {
    return [...this.bindingsNaming(user)]
      .filter((r) => firstApplyingSubject(user, r.binding.subjects, r.binding.namespace ?? "") >= 0)
      .sort((a, b) => a.binding.order - b.binding.order)
      .map((r) => (r.role ? { binding: r.binding, role: r.role } : { binding: r.binding }));
  }

  /** Every subject named by any binding (ServiceAccount namespaces made explicit). */
  boundSubjects(): Subject[] {
    const result = new Map<string, Subject>();
    for (const resolved of [...this.clusterRoleBindings, ...[...this.roleBindingsByNamespace.values()].flat()]) {
      const bindingNamespace = resolved.binding.namespace ?? "";
      for (const subject of resolved.binding.subjects) {
        if (subject.kind !== "User" && subject.kind !== "Group" && subject.kind !== "ServiceAccount") continue;
        if (subject.kind === "ServiceAccount" && !subject.namespace && !bindingNamespace) continue;
        const normalized = normalizeSubject(subject, bindingNamespace);
        result.set(subjectKey(normalized), normalized);
      }
    }
    return [...result.values()];
  }

  /** Bindings whose role reference does not resolve. */
  danglingBindings(): Array<{ binding: BindingDef; error: string }> {
    const all = [...this.clusterRoleBindings, ...[...this.roleBindingsByNamespace.values()].flat()];
    return all.filter((r) => !r.role).map((r) => ({ binding: r.binding, error: r.error ?? "unresolved" }));
  }
}

/** Upstream's wording: `RoleBinding "name/ns" of ClusterRole "edit" to User "alice"`, plus the rule. */
export function describeGrant(grant: Grant): string {
  const { binding, subjectIndex, role, rule } = grant;
  const subject = binding.subjects[subjectIndex] as Subject;
  const bindingName = binding.kind === "RoleBinding" ? `${binding.name}/${binding.namespace}` : binding.name;
  const subjectText = subject.kind === "ServiceAccount" ? `${subject.kind} "${subject.name}/${subject.namespace || binding.namespace || ""}"` : `${subject.kind} "${subject.name}"`;
  const from = rule.origin.ref.name !== role.name ? ` (aggregated from ClusterRole "${rule.origin.ref.name}")` : "";
  return `${binding.kind} "${bindingName}" of ${binding.roleRef.kind} "${binding.roleRef.name}" to ${subjectText}, rule ${rule.index}${from}`;
}
