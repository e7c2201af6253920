/**
 * Where a role's dangerous requests are held, and how the dangers of several rules (or of
 * one rule in several namespaces) add up to one finding. Upstream's RBAC authorizer
 * (plugin/pkg/auth/authorizer/rbac/rbac.go, VisitRulesFor) applies a RoleBinding's rules
 * only to requests in the binding's namespace, and a request on a cluster-scoped resource
 * carries namespace "": so a role held through RoleBindings alone grants nothing there.
 */
import { SEVERITIES, severityRank, type Rule, type Severity } from "../../findings/types.js";
import type { BindingDef } from "./types.js";

/** What one rule allows of a danger: the requests, what the best of them is worth, and the notes of lesser requests, each at its request's worth. */
export interface RuleDanger {
  rule: Rule;
  hits: string[];
  severity: Severity;
  notes: Map<string, Severity>;
}

export function lower(severity: Severity, steps: number): Severity {
  return SEVERITIES[Math.max(0, severityRank(severity) - steps)] as Severity;
}

const higher = (a: Severity, b: Severity | undefined): Severity => (b === undefined || severityRank(a) > severityRank(b) ? a : b);

/**
 * A note says why a request is worth less (get pods/exec alone): it is moot once a request
 * worth more in the same danger is allowed beside it, whatever lowers that one (a resourceNames list).
 */
export function notesWorthSaying(notes: ReadonlyMap<string, Severity>, best: Severity): string[] {
  return [...notes].filter(([, worth]) => severityRank(worth) >= severityRank(best)).map(([note]) => note);
}

interface Tallied {
  hits: Set<string>;
  /** The most a hit is worth once lowered (resourceNames). */
  severity: Severity;
  /** The most a hit's request is worth in itself, before lowering: what decides whether a note still holds. */
  best: Severity;
  notes: Map<string, Severity>;
}

/** The dangers of several rules, or of one rule judged in several namespaces, merged per risk. */
export class DangerTally {
  private readonly byRisk = new Map<Rule, Tallied>();

  /** `steps`: how far this rule's grant is lowered; `label`: said after each of its hits. */
  add(danger: RuleDanger, steps = 0, label = ""): void {
    const worth = lower(danger.severity, steps);
    const held = this.byRisk.get(danger.rule) ?? { hits: new Set<string>(), severity: worth, best: danger.severity, notes: new Map<string, Severity>() };
    for (const hit of danger.hits) held.hits.add(`${hit}${label}`);
    held.severity = higher(worth, held.severity);
    held.best = higher(danger.severity, held.best);
    for (const [note, at] of danger.notes) held.notes.set(note, higher(at, held.notes.get(note)));
    this.byRisk.set(danger.rule, held);
  }

  has(rule: Rule): boolean {
    return this.byRisk.has(rule);
  }

  entries(): Array<{ rule: Rule; hits: string[]; severity: Severity; notes: string[] }> {
    return [...this.byRisk].map(([rule, held]) => ({ rule, hits: [...held.hits], severity: held.severity, notes: notesWorthSaying(held.notes, held.best) }));
  }
}

/**
 * Where bindings apply a role: cluster-wide when any is a ClusterRoleBinding, else only in
 * the namespaces of its RoleBindings (none when nothing binds it).
 */
export function bindingReach(bindings: readonly BindingDef[]): { clusterWide: boolean; namespaces: string[] } {
  const clusterWide = bindings.some((b) => b.kind === "ClusterRoleBinding");
  const namespaces = clusterWide ? [] : [...new Set(bindings.flatMap((b) => (b.kind === "RoleBinding" && b.namespace ? [b.namespace] : [])))];
  return { clusterWide, namespaces };
}
