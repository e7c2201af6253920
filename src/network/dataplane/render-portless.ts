/**
 * iptables matches for the port-less part of a rule's connections, in one family: whole
 * protocols by number, ICMP (ip6tables: ICMPv6) messages by type and code. Every port-less
 * packet is one match on the mark the hook chain sets; a set that lacks only a few things is
 * written as a negation (iptables ANDs repeated icmp matches, and takes one `-p` a rule);
 * anything else is listed, one iptables rule per piece.
 */
import { PortSet } from "../ports.js";
import { ICMP, ICMPV6, type PortlessEntry } from "../portless.js";

/** Negations one rule may stack before listing what is held is clearer. */
const MAX_NEGATIONS = 8;

interface FamilySyntax {
  icmpNumber: number;
  protocol: string;
  match: string;
}

const SYNTAX: Record<4 | 6, FamilySyntax> = {
  4: { icmpNumber: ICMP, protocol: "icmp", match: "-m icmp --icmp-type" },
  6: { icmpNumber: ICMPV6, protocol: "ipv6-icmp", match: "-m icmp6 --icmpv6-type" },
};

function icmpType(entry: PortlessEntry): string {
  return entry.code === undefined ? `${entry.type}` : `${entry.type}/${entry.code}`;
}

const isTyped = (syntax: FamilySyntax) => (e: PortlessEntry) => e.protocol === syntax.icmpNumber && e.type !== undefined;

/** The family's ICMP messages of `held`, as matches. */
function icmpMatches(held: PortlessEntry[], missing: PortlessEntry[], syntax: FamilySyntax): string[] {
  const negate = syntax.match.replace(/ (--icmp(?:v6)?-type)$/, " ! $1");
  if (missing.length > 0 && missing.length <= MAX_NEGATIONS && missing.length < held.length) {
    return [[`-p ${syntax.protocol}`, ...missing.map((e) => `${negate} ${icmpType(e)}`)].join(" ")];
  }
  return held.map((e) => `-p ${syntax.protocol} ${syntax.match} ${icmpType(e)}`);
}

function protocolName(protocol: number, syntax: FamilySyntax): string {
  return protocol === syntax.icmpNumber ? syntax.protocol : String(protocol);
}

/**
 * One match string per iptables rule; together they match exactly the port-less packets of
 * `connections` that `family` can carry. `everyPortless` is the match on the hook's mark.
 */
export function portlessMatches(connections: PortSet, family: 4 | 6, everyPortless: string): string[] {
  const universe = PortSet.familyPortless(family);
  const relevant = connections.intersect(universe);
  if (!relevant.hasPortless()) return [];
  if (relevant.equals(universe)) return [everyPortless];
  const syntax = SYNTAX[family];
  const typed = isTyped(syntax);
  const held = relevant.portlessEntries();
  const missing = universe.subtract(relevant).portlessEntries();
  const heldTyped = held.filter(typed);
  const missingTyped = missing.filter(typed);
  // Whole protocols (this family's ICMP among them when all of its messages are held or none are).
  const heldWhole = held.filter((e) => !typed(e));
  const missingWhole = missing.filter((e) => !typed(e));
  const out: string[] = [];
  const icmpPartial = heldTyped.length > 0;
  if (icmpPartial) out.push(...icmpMatches(heldTyped, missingTyped, syntax));
  // What is left: every protocol but this family's ICMP when its messages were matched above.
  const wholeMissing = missingWhole.filter((e) => !(icmpPartial && e.protocol === syntax.icmpNumber));
  if (wholeMissing.length === 0 && heldWhole.length > 0) out.push(icmpPartial ? `${everyPortless} ! -p ${syntax.protocol}` : everyPortless);
  else if (wholeMissing.length === 1 && !icmpPartial) out.push(`${everyPortless} ! -p ${protocolName(wholeMissing[0]!.protocol, syntax)}`);
  else for (const e of heldWhole) out.push(`-p ${protocolName(e.protocol, syntax)}`);
  return out;
}
