/**
 * The ClusterRole aggregation controller as a pure function: every ClusterRole with an
 * aggregationRule gets, in place of its own rules, the union (first occurrence kept, in
 * selector order then role-name order, itself skipped) of the rules of every ClusterRole
 * its selectors match. The controller re-runs whenever any ClusterRole changes, so chains
 * (edit -> admin) and cycles settle; we iterate to that fixpoint.
 */
import { matchesLabelSelector, validateLabelSelector } from "../../k8s/labels.js";
import { sameRule } from "./matching.js";
import type { PolicyProblem, RoleDef, SourcedRule } from "./types.js";

export function aggregateClusterRoles(clusterRoles: RoleDef[]): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const byName = [...clusterRoles].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const aggregated = byName.filter((role) => role.aggregationRule !== undefined);
  const broken = new Set<RoleDef>();
  for (const role of aggregated) {
    if (role.ownRules.length > 0 && !role.origin.bootstrap) {
      problems.push({
        message: `ClusterRole ${role.name} has an aggregationRule, so the aggregation controller replaces the ${role.ownRules.length} rule(s) written here`,
        origin: role.origin,
        fieldPath: ["rules"],
      });
    }
    (role.aggregationRule?.clusterRoleSelectors ?? []).forEach((selector, i) => {
      const errors = validateLabelSelector(selector);
      if (errors.length > 0) {
        broken.add(role);
        problems.push({
          message: `aggregationRule.clusterRoleSelectors[${i}] is invalid (${errors.join("; ")}): the aggregation controller leaves this ClusterRole's rules unchanged`,
          origin: role.origin,
          fieldPath: ["aggregationRule", "clusterRoleSelectors", i],
        });
      }
    });
  }
  // Each round recomputes every aggregated role from the current rules of the others;
  // the number of roles bounds the length of any aggregation chain.
  for (let round = 0; round <= aggregated.length; round++) {
    let changed = false;
    for (const role of aggregated) {
      if (broken.has(role)) continue;
      const next: SourcedRule[] = [];
      for (const selector of role.aggregationRule?.clusterRoleSelectors ?? []) {
        for (const candidate of byName) {
          if (candidate.name === role.name || !matchesLabelSelector(selector, candidate.labels)) continue;
          for (const rule of candidate.rules) {
            if (!next.some((existing) => sameRule(existing.rule, rule.rule))) next.push(rule);
          }
        }
      }
      if (!sameRuleList(next, role.rules)) {
        role.rules = next;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return problems;
}

function sameRuleList(a: SourcedRule[], b: SourcedRule[]): boolean {
  return a.length === b.length && a.every((rule, i) => sameRule(rule.rule, (b[i] as SourcedRule).rule));
}
