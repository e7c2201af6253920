/**
 * The connectivity matrix between every pair of pods and the external blocks that the
 * policies' CIDRs cut, computed without walking pairs packet by packet:
 *
 * 1. Pods that no policy can tell apart (same namespace, labels, ports, host networking,
 *    and IPs when a policy names addresses)
 *    form one class; every class is computed once.
 * 2. For each class and direction, the rules of the policies selecting it are matched
 *    against every peer class once (a bitset per rule, shared by every class that sees the
 *    rule); peers matched by the same rules form one signature.
 * 3. Each distinct signature is evaluated once with set algebra over port intervals
 *    (connectivity.ts); a pair's connections are its egress side intersected with its
 *    ingress side, memoised per pair of side results.
 */
import { cutAddressSpace, formatIp, formatRange, parseCidr, parseIpCached, rangeContains, type IpRange } from "./cidr.js";
import { appliesTo, selectingPolicies, setRules, sideConnections } from "./connectivity.js";
import { endpointKey, type Direction, type Endpoint, type ExternalEndpoint, type PodEndpoint, type SetRule, type Tier } from "./model.js";
import { PortSet } from "./ports.js";

export interface ExternalBlock {
  range: IpRange;
  /** `first-last`, as np-guard prints it. */
  label: string;
  endpoint: ExternalEndpoint;
}

export interface Matrix {
  pods: readonly PodEndpoint[];
  /** External blocks that appear as sources (cut by ingress CIDRs) and as destinations (cut by egress CIDRs). */
  externalSources: readonly ExternalBlock[];
  externalDestinations: readonly ExternalBlock[];
  /** Number of pod classes the computation used (pods no policy can tell apart share one). */
  classCount: number;
  /** Connections from pod i to pod j (all when i === j: a pod always reaches itself). */
  podToPod(i: number, j: number): PortSet;
  /**
   * Which pods may connect to pod j at all, into `out` (out[i] = 1 when podToPod(i, j) is
   * not empty; 0 for j itself), without building a set per pair: for passes over every
   * pair (10^8 of them at 10,000 workloads).
   */
  reachersOf(j: number, out: Uint8Array): void;
  /** Whether another pod i may connect to pod j at all (false for i = j), as reachersOf marks it, for one pair. */
  reaches(i: number, j: number): boolean;
  /**
   * The pods that may fail to reach pod j: "all" when a policy isolates j for ingress;
   * otherwise only the pods some policy isolates for egress, every other pod reaching j.
   * A pass over a cluster with few isolated pods then costs what they number.
   */
  mayNotReach(j: number): readonly number[] | "all";
  /**
   * The pods that may pass pod j's ingress side (j itself included): "all" unless a policy
   * isolates j for ingress and allows nothing to the peers its rules do not name. A pass
   * over who reaches an isolated pod then costs what its rules name, not every pod.
   */
  mayReachFrom(j: number): readonly number[] | "all";
  /** Connections from external source block b to pod j. */
  externalToPod(b: number, j: number): PortSet;
  /** Connections from pod i to external destination block b. */
  podToExternal(i: number, b: number): PortSet;
}

/** Which of the ranges the policies name hold a pod's IPs, as text (indices); "" when none is named. */
function rangesHolding(tiers: readonly Tier[]): (p: PodEndpoint) => string {
  const ranges: IpRange[] = [];
  const seen = new Set<string>();
  for (const tier of tiers) {
    for (const policy of tier.policies) {
      for (const cidr of [...(policy.cidrs?.("ingress") ?? []), ...(policy.cidrs?.("egress") ?? []), ...(policy.localCidrs?.() ?? [])]) {
        const range = seen.has(cidr) ? undefined : parseCidr(cidr);
        seen.add(cidr);
        if (range) ranges.push(range);
      }
    }
  }
  if (ranges.length === 0) return () => "";
  return (p) => {
    const ips = p.ips.map((text) => parseIpCached(text)).filter((ip) => ip !== undefined);
    if (ips.length === 0) return "";
    return ranges.flatMap((range, i) => (ips.some((ip) => rangeContains(range, ip)) ? [i] : [])).join(",");
  };
}

/**
 * `addresses`: address rules (ANP networks, Calico nets and network sets) may match a pod
 * by its IPs, so pods alike in all else are told apart by which of the policies' ranges
 * hold their IPs (not by the IPs themselves: a live cluster's pods each have their own,
 * and one class per pod would make the matrix quadratic in pods).
 */
function classKey(p: PodEndpoint, addresses: (p: PodEndpoint) => string): string {
  const labels = Object.keys(p.labels)
    .sort()
    .map((k) => `${k}=${p.labels[k]}`)
    .join(",");
  const ports = portsOf(p);
  const host = p.hostNetwork ? `host:${p.ips.join(",")}` : `in:${addresses(p)}`;
  return `${p.namespace}\u0000${labels}\u0000${ports}\u0000${host}\u0000${p.serviceAccount ?? ""}`;
}

/** A pod's declared ports as text: what named ports resolve on. */
function portsOf(p: PodEndpoint): string {
  return p.ports.map((x) => `${x.name ?? ""}:${x.port}/${x.protocol}`).join(",");
}

/** External blocks for one direction: the address space cut at every CIDR the policies name there. */
export function externalBlocks(tiers: readonly Tier[], direction: Direction): ExternalBlock[] {
  const ranges: IpRange[] = [];
  for (const tier of tiers) {
    for (const policy of tier.policies) {
      for (const cidr of policy.cidrs?.(direction) ?? []) {
        const range = parseCidr(cidr);
        if (range) ranges.push(range);
      }
    }
  }
  return cutAddressSpace(ranges).map((range) => ({ range, label: formatRange(range), endpoint: { kind: "external", ip: formatIp(range.family, range.first) } }));
}

/** Index of the first block of `range`'s family starting at or after range.first (binary search). */
function firstBlockAtOrAfter(blocks: readonly ExternalBlock[], range: IpRange): number {
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const b = blocks[mid]!.range;
    if (b.family < range.family || (b.family === range.family && b.first < range.first)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface SideTable {
  /** Index into `results` for each peer; undefined table means the side allows everything. */
  resultOfPeer: Uint32Array;
  results: PortSet[];
  /** Per result: 1 when it is empty, and when it is every connection, so `reachersOf` tests pairs without sets. */
  empty: Uint8Array;
  full: Uint8Array;
  /** The peers some rule names, in order, when a peer no rule names is allowed nothing: only they may pass this side. */
  named?: readonly number[];
}

export interface MatrixOptions {
  /** Also cut external space at these tiers' CIDRs (diff uses the other side's, so both sides share blocks). */
  cutWith?: readonly Tier[];
}

export function computeMatrix(tiers: readonly Tier[], pods: readonly PodEndpoint[], options: MatrixOptions = {}): Matrix {
  const cutTiers = options.cutWith ? [...tiers, ...options.cutWith] : tiers;
  const externalSources = externalBlocks(cutTiers, "ingress");
  const externalDestinations = externalBlocks(cutTiers, "egress");

  const addresses = rangesHolding(tiers);
  const classOf = new Int32Array(pods.length);
  const classes: PodEndpoint[] = [];
  const classIndex = new Map<string, number>();
  pods.forEach((pod, i) => {
    const key = classKey(pod, addresses);
    let c = classIndex.get(key);
    if (c === undefined) {
      c = classes.length;
      classes.push(pod);
      classIndex.set(key, c);
    }
    classOf[i] = c;
  });

  // Peers of an egress side are destinations; of an ingress side, sources.
  const peers: Record<Direction, Endpoint[]> = {
    egress: [...classes, ...externalDestinations.map((b) => b.endpoint)],
    ingress: [...classes, ...externalSources.map((b) => b.endpoint)],
  };
  // Candidate peers by namespace, so a rule's scope (PeerScope) limits what is tried.
  const classesByNamespace = new Map<string, number[]>();
  const namespaceLabelsOf = new Map<string, Record<string, string>>();
  const hostNetworkClasses: number[] = [];
  classes.forEach((c, i) => {
    const list = classesByNamespace.get(c.namespace) ?? [];
    list.push(i);
    classesByNamespace.set(c.namespace, list);
    namespaceLabelsOf.set(c.namespace, c.namespaceLabels);
    if (c.hostNetwork) hostNetworkClasses.push(i);
  });
  // Peers past the classes are external blocks: they declare no ports.
  const portsKey = classes.map(portsOf);

  const ruleMatches: Record<Direction, Map<SetRule, Int32Array>> = { egress: new Map(), ingress: new Map() };
  const candidates = (direction: Direction, rule: SetRule): Iterable<number> => {
    const scope = rule.peerScope;
    const total = peers[direction].length;
    if (!scope || scope.anyPeer) return Array.from({ length: total }, (_, i) => i);
    const out: number[] = [];
    if (scope.podNamespaces) {
      for (const [namespace, list] of classesByNamespace) if (scope.podNamespaces(namespace, namespaceLabelsOf.get(namespace)!)) for (const c of list) out.push(c);
    }
    if (scope.addresses) {
      for (const c of hostNetworkClasses) out.push(c); // not push(...): lists can outgrow the argument limit
      const blocks = direction === "egress" ? externalDestinations : externalSources;
      if (scope.addressRanges) {
        // Blocks are cut at every range boundary and sorted: those inside a range are contiguous.
        for (const range of scope.addressRanges) {
          for (let b = firstBlockAtOrAfter(blocks, range); b < blocks.length && blocks[b]!.range.family === range.family && blocks[b]!.range.first <= range.last; b++) out.push(classes.length + b);
        }
      } else for (let p = classes.length; p < total; p++) out.push(p);
    }
    return out;
  };
  /** Indices of the peers a rule matches, computed once per rule and direction. */
  const matchedPeers = (direction: Direction, rule: SetRule): Int32Array => {
    let matched = ruleMatches[direction].get(rule);
    if (!matched) {
      const list = peers[direction];
      const hits: number[] = [];
      for (const p of candidates(direction, rule)) if (rule.matchesPeer(list[p]!)) hits.push(p);
      matched = Int32Array.from(new Set(hits));
      ruleMatches[direction].set(rule, matched);
    }
    return matched;
  };

  // Classes selected by the same policies share a side table (a namespace's default deny
  // selects every class in it): 10,000 classes would otherwise be 10^8 peer entries.
  const policyIds = new Map<object, number>();
  const policyId = (policy: object) => {
    let id = policyIds.get(policy);
    if (id === undefined) policyIds.set(policy, (id = policyIds.size));
    return id;
  };
  const tables: Record<Direction, Map<string, SideTable>> = { egress: new Map(), ingress: new Map() };
  const sideTable = (direction: Direction, self: PodEndpoint): SideTable | undefined => {
    const selection = selectingPolicies(tiers, direction, self);
    if (selection.every((s) => s.policies.length === 0)) return undefined;
    const rules: SetRule[] = [];
    const onDestination: SetRule[] = [];
    let readsSource = false;
    // Rules that read the pod itself and leave it out: only pods they leave out alike share a table.
    const notApplying: string[] = [];
    for (const { policies } of selection) {
      for (const policy of policies) {
        for (const rule of setRules(policy, direction)) {
          if (rule.action === "Log") continue;
          if (!appliesTo(rule, self)) {
            notApplying.push(`${policyId(policy)}.${rule.ruleIndex}`);
            continue;
          }
          rules.push(rule);
          if (rule.dependsOnDestination) onDestination.push(rule);
          if (rule.dependsOnSource) readsSource = true;
        }
      }
    }
    const readsDestination = onDestination.length > 0;
    // What else a table depends on: on an ingress side the destination is the pod itself, so
    // rules that read it (named ports, a Calico rule's destination selector or nets) give
    // each pod what they give it, and only pods they treat alike share a table. On an
    // egress side the source is the pod itself: named source ports resolve on its ports.
    // An ingress rule reading both ends has no part that depends on the pod alone to key
    // by: such a pod gets a table of its own.
    const key =
      selection.map((s) => s.policies.map(policyId).join(",")).join("|") +
      (notApplying.length > 0 ? `!${notApplying.join(",")}` : "") +
      (direction === "ingress" && readsDestination ? `#${onDestination.map((rule) => JSON.stringify(rule.connections(self, self).toJSON())).join(";")}` : "") +
      (direction === "egress" && readsSource ? `@${portsOf(self)}` : "") +
      (direction === "ingress" && readsSource && readsDestination ? `%${endpointKey(self)}` : "");
    const known = tables[direction].get(key);
    if (known) return known;
    const table = buildSideTable(direction, self, selection, rules, readsDestination, readsSource);
    tables[direction].set(key, table);
    return table;
  };
  const buildSideTable = (direction: Direction, self: PodEndpoint, selection: ReturnType<typeof selectingPolicies>, rules: readonly SetRule[], readsDestination: boolean, readsSource: boolean): SideTable => {
    const peerList = peers[direction];
    // Signature of a peer: the indices of the rules that match it. Peers no rule matches
    // share the empty signature, so only touched peers cost anything.
    const signatures = new Map<number, string>();
    rules.forEach((rule, r) => {
      for (const p of matchedPeers(direction, rule)) signatures.set(p, `${signatures.get(p) ?? ""}${r},`);
    });
    const resultIndex = new Map<string, number>();
    const results: PortSet[] = [];
    const resultOfPeer = new Uint32Array(peerList.length);
    for (let p = 0; p < peerList.length; p++) {
      const signature = signatures.get(p) ?? "";
      // Named ports resolve on the destination, which on the egress side is the peer, and
      // named source ports on the source, which on the ingress side is: peers declaring the
      // same ports resolve them alike.
      const key = (direction === "egress" && readsDestination) || (direction === "ingress" && readsSource) ? `${signature}#${portsKey[p] ?? ""}` : signature;
      let index = resultIndex.get(key);
      if (index === undefined) {
        const matched = new Set(signature === "" ? [] : signature.slice(0, -1).split(",").map((r) => rules[Number(r)]!));
        const ends = direction === "egress" ? { source: self, destination: peerList[p]! } : { source: peerList[p]!, destination: self };
        index = results.length;
        results.push(sideConnections(selection, direction, (rule) => matched.has(rule), ends, self));
        resultIndex.set(key, index);
      }
      resultOfPeer[p] = index;
    }
    const empty = Uint8Array.from(results, (r) => (r.isEmpty() ? 1 : 0));
    const full = Uint8Array.from(results, (r) => (r.isAll() ? 1 : 0));
    const unnamed = resultIndex.get("");
    return { resultOfPeer, results, empty, full, named: unnamed === undefined || empty[unnamed] === 1 ? [...signatures.keys()].sort((a, b) => a - b) : undefined };
  };

  const egress = classes.map((c) => sideTable("egress", c));
  const ingress = classes.map((c) => sideTable("ingress", c));
  const side = (table: SideTable | undefined, peer: number): PortSet => (table ? table.results[table.resultOfPeer[peer]!]! : PortSet.all);

  const podsOfClass: number[][] = classes.map(() => []);
  for (let i = 0; i < pods.length; i++) podsOfClass[classOf[i]!]!.push(i);
  const reachableFrom = new Map<SideTable, number[]>();

  const egressIsolated: number[] = [];
  for (let i = 0; i < pods.length; i++) if (egress[classOf[i]!]) egressIsolated.push(i);

  /** Whether pods of class ci may connect to pods of class cj: both sides allow something, and something in common. */
  const classReaches = (ci: number, cj: number): boolean => {
    const out = egress[ci];
    const into = ingress[cj];
    let outAll = true;
    let intoAll = true;
    if (out) {
      const r = out.resultOfPeer[cj]!;
      if (out.empty[r]) return false;
      outAll = out.full[r] === 1;
    }
    if (into) {
      const r = into.resultOfPeer[ci]!;
      if (into.empty[r]) return false;
      intoAll = into.full[r] === 1;
    }
    return outAll || intoAll || !side(out, cj).intersect(side(into, ci)).isEmpty();
  };

  // Pairs meet the same two side results over and over: one set for each meeting, so a
  // pass over every pair allocates per distinct result, and writers can describe a set once.
  const meetings = new Map<PortSet, Map<PortSet, PortSet>>();
  const meet = (out: PortSet, into: PortSet): PortSet => {
    let withOut = meetings.get(out);
    if (!withOut) meetings.set(out, (withOut = new Map()));
    let both = withOut.get(into);
    if (!both) withOut.set(into, (both = out.intersect(into)));
    return both;
  };

  return {
    pods,
    externalSources,
    externalDestinations,
    classCount: classes.length,
    podToPod(i, j) {
      if (i === j) return PortSet.all;
      const ci = classOf[i]!;
      const cj = classOf[j]!;
      const out = side(egress[ci], cj);
      return out.isEmpty() ? out : meet(out, side(ingress[cj], ci));
    },
    reaches(i, j) {
      return i !== j && classReaches(classOf[i]!, classOf[j]!);
    },
    mayNotReach(j) {
      return ingress[classOf[j]!] ? "all" : egressIsolated;
    },
    mayReachFrom(j) {
      const table = ingress[classOf[j]!];
      if (!table?.named) return "all";
      let from = reachableFrom.get(table);
      if (!from) {
        from = [];
        for (const c of table.named) if (c < classes.length) for (const i of podsOfClass[c]!) from.push(i);
        reachableFrom.set(table, from);
      }
      return from;
    },
    reachersOf(j, out) {
      const cj = classOf[j]!;
      for (let i = 0; i < pods.length; i++) out[i] = i !== j && classReaches(classOf[i]!, cj) ? 1 : 0;
    },
    externalToPod(b, j) {
      return side(ingress[classOf[j]!], classes.length + b);
    },
    podToExternal(i, b) {
      return side(egress[classOf[i]!], classes.length + b);
    },
  };
}
