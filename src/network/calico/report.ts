/**
 * Plain-data and text views of Calico results for `palisade calico`: a selector's
 * canonical form and verdict, and the tiers and policies in the order Felix walks them.
 */
import type { SourcePosition } from "../../findings/types.js";
import { formatFieldPath, type FieldPath, type ObjectSource } from "../../k8s/types.js";
import { orderTiers } from "../evaluate.js";
import { compareOrder, type Tier } from "../model.js";
import type { RefusedPolicy } from "../policy-set.js";
import type { OrderingChoice } from "./ordering-choice.js";
import type { CalicoNotice, CalicoRefusal } from "./tiers.js";

export interface TierView {
  name: string;
  order: number | null;
  /** What the tier does with traffic its policies selected but did not decide. */
  endOfTier: "Deny" | "Pass";
  policies: { id: string; order: number | null; types: string[]; staged: boolean }[];
}

export interface RefusalView {
  object: string;
  field: string;
  position?: SourcePosition;
  reason: CalicoRefusal["reason"];
  message: string;
}

export interface TiersView {
  /** Which Calico version's ordering of equal-order policies the listing follows, and why. */
  ordering?: string;
  tiers: TierView[];
  refused: RefusalView[];
  notices: string[];
}

type Where = { source: ObjectSource };

/**
 * Tiers and policies in evaluation order; staged policies are listed after the enforced ones
 * of their tier. Tiers without policies are left out, except those a Tier object defines.
 */
export function tiersView(
  set: { tiers: Tier[]; refused: (RefusedPolicy<Where> & { reason?: CalicoRefusal["reason"] })[]; notices: CalicoNotice<Where>[]; ordering?: OrderingChoice },
  definedTiers: ReadonlySet<string> = new Set(),
): TiersView {
  const enforcedOrder = new Map(orderTiers(set.tiers).map(({ tier }, i) => [tier, i]));
  const tiers = [...set.tiers]
    .filter((tier) => tier.policies.length > 0 || definedTiers.has(tier.name))
    .sort((a, b) => (enforcedOrder.get(a) ?? 0) - (enforcedOrder.get(b) ?? 0));
  return {
    ...(set.ordering ? { ordering: set.ordering.summary } : {}),
    tiers: tiers.map((tier: Tier) => ({
      name: tier.name,
      order: tier.order ?? null,
      endOfTier: tier.dropAtEndWhenSelected ? "Deny" : "Pass",
      policies: [...tier.policies]
        .sort((a, b) => Number(a.staged) - Number(b.staged) || compareOrder(a, b))
        .map((p) => ({ id: p.id, order: p.order ?? null, types: [...p.directions], staged: p.staged })),
    })),
    refused: set.refused.map((r) => {
      const view: RefusalView = {
        object: `${r.object.kind ?? "?"}/${r.object.metadata?.namespace ? `${r.object.metadata.namespace}/` : ""}${r.object.metadata?.name ?? "?"}`,
        field: formatFieldPath(r.path as FieldPath),
        reason: r.reason ?? "invalid",
        message: r.message,
      };
      if (r.where) view.position = r.where.source.locate(r.path);
      return view;
    }),
    notices: set.notices.map((n) => {
      const at = n.where && n.path ? n.where.source.locate(n.path) : undefined;
      return at ? `${at.file}:${at.line}:${at.column}: ${n.message}` : n.message;
    }),
  };
}

export function renderTiersText(view: TiersView): string {
  const lines: string[] = view.ordering ? [`ordering: ${view.ordering}`] : [];
  for (const tier of view.tiers) {
    lines.push(`tier ${tier.name} (order ${tier.order ?? "unset: last"}, end of tier: ${tier.endOfTier})`);
    if (tier.policies.length === 0) lines.push("  (no policies)");
    for (const p of tier.policies) lines.push(`  ${String(p.order ?? "-").padStart(8)}  ${p.id}  [${p.types.join(",")}]${p.staged ? "  staged: not enforced" : ""}`);
  }
  lines.push("then: the namespace profile allows what no tier decided");
  if (view.notices.length > 0) {
    lines.push("", "notes:");
    for (const notice of view.notices) lines.push(`  ${notice}`);
  }
  if (view.refused.length > 0) {
    lines.push("", "refused (left out of every verdict):");
    for (const r of view.refused) {
      const where = r.position ? `${r.position.file}:${r.position.line}:${r.position.column}: ` : "";
      lines.push(`  ${where}${r.object} ${r.field}: ${r.message} [${r.reason}]`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The expression with a caret under the offending column, indented, for selector errors. */
export function pointAt(expression: string, column: number, indent = "  "): string {
  // One visible character per input character keeps the caret under the right column.
  const shown = expression.replace(/[\t]/g, " ").replace(/[\n\r\v\f]/g, "↵");
  return `${indent}${shown}\n${indent}${" ".repeat(Math.max(0, column - 1))}^`;
}
