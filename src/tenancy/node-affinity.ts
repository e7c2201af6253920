/**
 * Which of a pod's node-affinity terms can place it on a tenant's nodes, as the scheduler
 * reads them: required terms are ORed, the requirements within one term (matchExpressions
 * and matchFields) are ANDed, and the pod's nodeSelector is ANDed with all of it. A
 * preferred term is judged the same way, on its own.
 */
import { matchesRequirement, type Labels, type LabelSelectorRequirement } from "../k8s/labels.js";
import { isRecord, type FieldPath } from "../k8s/types.js";

export interface NodeTerm {
  expressions: LabelSelectorRequirement[];
  fields: LabelSelectorRequirement[];
  /** Path of the term (a nodeSelectorTerm or a preference) from the pod spec. */
  path: FieldPath;
}

function requirementsOf(value: unknown): LabelSelectorRequirement[] {
  return Array.isArray(value) ? (value.filter(isRecord) as unknown as LabelSelectorRequirement[]) : [];
}

function termOf(raw: unknown, path: FieldPath): NodeTerm | undefined {
  if (!isRecord(raw)) return undefined;
  return { expressions: requirementsOf(raw.matchExpressions), fields: requirementsOf(raw.matchFields), path };
}

/** Required and preferred node-affinity terms of a pod spec. */
export function nodeAffinityTerms(spec: Record<string, unknown>): NodeTerm[] {
  const affinity = isRecord(spec.affinity) && isRecord(spec.affinity.nodeAffinity) ? spec.affinity.nodeAffinity : undefined;
  if (!affinity) return [];
  const terms: NodeTerm[] = [];
  const required = affinity.requiredDuringSchedulingIgnoredDuringExecution;
  const base: FieldPath = ["affinity", "nodeAffinity"];
  if (isRecord(required) && Array.isArray(required.nodeSelectorTerms)) {
    required.nodeSelectorTerms.forEach((raw: unknown, i: number) => {
      const term = termOf(raw, [...base, "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", i]);
      if (term) terms.push(term);
    });
  }
  const preferred = affinity.preferredDuringSchedulingIgnoredDuringExecution;
  if (Array.isArray(preferred)) {
    preferred.forEach((weighted: unknown, i: number) => {
      const term = termOf(isRecord(weighted) ? weighted.preference : undefined, [...base, "preferredDuringSchedulingIgnoredDuringExecution", i, "preference"]);
      if (term) terms.push(term);
    });
  }
  return terms;
}

const SELECTING = new Set(["In", "Exists", "Gt", "Lt"]);

/**
 * The index (in `term.expressions`) of the requirement by which the term selects nodes
 * labelled `key=value`, or -1. It selects them when one of its requirements on the key asks
 * for the label (In, Exists, Gt, Lt, not a mere NotIn or DoesNotExist) and such a node
 * passes every requirement of the term on that key and the pod's nodeSelector. Other keys
 * are not known for a tenant's nodes in general, so they do not decide.
 */
export function termSelects(term: NodeTerm, nodeSelector: Readonly<Record<string, unknown>>, key: string, value: string): number {
  const selected = nodeSelector[key];
  if (selected !== undefined && selected !== value) return -1;
  const labels: Labels = { [key]: value };
  const onKey = term.expressions.map((r, i) => ({ r, i })).filter(({ r }) => r.key === key);
  if (!onKey.every(({ r }) => matchesRequirement(r, labels))) return -1;
  return onKey.find(({ r }) => SELECTING.has(r.operator))?.i ?? -1;
}

/** The term matches this known node exactly: every expression on its labels, every field on its name (upstream's only field). */
export function termMatchesNode(term: NodeTerm, name: string, labels: Labels): boolean {
  if (!term.expressions.every((r) => matchesRequirement(r, labels))) return false;
  return term.fields.every((r) => r.key === "metadata.name" && matchesRequirement(r, { "metadata.name": name }));
}

/** Node names a term's matchFields pin it to (metadata.name In ...). */
export function namedNodes(term: NodeTerm): string[] {
  return term.fields.filter((r) => r.key === "metadata.name" && r.operator === "In").flatMap((r) => (Array.isArray(r.values) ? r.values.filter((v): v is string => typeof v === "string") : []));
}
