/**
 * Why a pair's connectivity changed between two sets of manifests: one sample connection
 * of what is newly allowed and one of what is newly denied, each explained on both sides,
 * keeping the side (egress of the source, ingress of the destination) whose verdict moved.
 * That side's deciding policy and rule after the change, and before it, are what to review.
 */
import { explainConnection, type ConnectionDetails, type ExplainedSide, type PolicyLocator } from "./explain.js";
import type { Endpoint, Protocol, Tier } from "./model.js";
import type { PortSet } from "./ports.js";
import { describeEntry, protocolOfNumber } from "./portless.js";

export interface SideReason {
  allowed: boolean;
  summary: string;
  policy?: string;
  /** file:line:column of the deciding rule, or of each policy that dropped at the end of its tier. */
  at?: string[];
}

export interface ChangeCause {
  /** The sample connection explained: `5432/TCP`, `ICMP`, `ICMP type 8`, `protocol 47`. */
  connection: string;
  now: "allowed" | "denied";
  /** Set when one end exists on one side only: that, not a policy, is the cause. */
  note?: string;
  sides: { direction: "egress" | "ingress"; before: SideReason; after: SideReason }[];
}

export interface CauseContext {
  set: { tiers: Tier[] };
  locate?: PolicyLocator;
  endpoints: ReadonlyMap<string, Endpoint>;
}

interface Sample {
  protocol: Protocol;
  port?: number;
  details: ConnectionDetails;
  /** How the cause names it: `5432/TCP`, `53/UDP from source port 53`, `ICMP`, `ICMP type 8`, `protocol 47`. */
  label: string;
}

/** The lowest connection of a set: ports first (from the lowest source port that differs), then the first port-less piece. */
function sample(set: PortSet): Sample | undefined {
  for (const protocol of ["TCP", "UDP", "SCTP"] as const) {
    const group = set.sourcePortGroups(protocol)[0];
    const port = group?.ports[0]?.[0];
    if (port === undefined) continue;
    const sourcePort = group?.sources?.[0]?.[0];
    if (sourcePort === undefined) return { protocol, port, details: {}, label: `${port}/${protocol}` };
    return { protocol, port, details: { sourcePort }, label: `${port}/${protocol} from source port ${sourcePort}` };
  }
  // ICMP first: what a person probes with when "other protocols" changed.
  const entries = set.portlessEntries();
  const entry = entries.find((e) => e.protocol === 1) ?? entries.find((e) => e.protocol === 58) ?? entries[0];
  if (!entry) return undefined;
  const details: ConnectionDetails = entry.type === undefined ? {} : { icmp: { type: entry.type, code: entry.code ?? 0 } };
  return { protocol: protocolOfNumber(entry.protocol), details, label: describeEntry(entry) };
}

function reason(side: ExplainedSide): SideReason {
  const out: SideReason = { allowed: side.allowed, summary: side.summary };
  if (side.policy !== undefined) out.policy = side.policy;
  if (side.at) out.at = side.at;
  return out;
}

function explainOne(row: { from: string; to: string }, set: PortSet, now: ChangeCause["now"], before: CauseContext, after: CauseContext): ChangeCause | undefined {
  const probe = sample(set);
  if (!probe) return undefined;
  const connection = probe.label;
  for (const [ctx, which] of [[before, "before"], [after, "after"]] as const) {
    const missing = [row.from, row.to].find((label) => !ctx.endpoints.has(label));
    if (missing !== undefined) return { connection, now, note: `${missing} is not in the ${which} manifests`, sides: [] };
  }
  const explain = (ctx: CauseContext) => explainConnection(ctx.set.tiers, ctx.endpoints.get(row.from)!, ctx.endpoints.get(row.to)!, probe.protocol, probe.port, ctx.locate, probe.details);
  const was = explain(before);
  const is = explain(after);
  const sides = (["egress", "ingress"] as const).filter((d) => was[d].allowed !== is[d].allowed).map((direction) => ({ direction, before: reason(was[direction]), after: reason(is[direction]) }));
  return { connection, now, sides };
}

export function causesOf(row: { from: string; to: string }, added: PortSet, removed: PortSet, before: CauseContext, after: CauseContext): ChangeCause[] {
  return [explainOne(row, added, "allowed", before, after), explainOne(row, removed, "denied", before, after)].filter((c): c is ChangeCause => c !== undefined);
}
