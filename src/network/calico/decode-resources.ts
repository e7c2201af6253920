/**
 * The non-policy projectcalico.org/v3 objects policy evaluation needs: Tiers (order and
 * the action at the tier's end), and NetworkSets / GlobalNetworkSets (labelled address
 * blocks that rule selectors match just like endpoints).
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";
import type { IpRange } from "../cidr.js";
import type { Problem } from "./decode.js";
import type { BuiltInTier } from "./built-in-tiers.js";
import { parseNet } from "./rule-match.js";

export interface DecodedTier {
  name: string;
  order?: number;
  /** What happens to traffic that the tier's policies selected but did not decide. */
  defaultAction: "Deny" | "Pass";
}

export interface DecodedNetworkSet {
  name: string;
  /** Undefined for a GlobalNetworkSet. */
  namespace?: string;
  labels: Record<string, string>;
  nets: IpRange[];
}

export { DEFAULT_TIER, DEFAULT_TIER_ORDER } from "./built-in-tiers.js";

const TIER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `builtIns`: the Calico version's own tiers (built-in-tiers.ts), whose order the API server pins. */
export function decodeTier(object: K8sObject, builtIns: ReadonlyMap<string, BuiltInTier>): { tier?: DecodedTier; problems: Problem[] } {
  const problems: Problem[] = [];
  const name = object.metadata?.name ?? "";
  if (!TIER_NAME.test(name) || name.length > 63) {
    problems.push({ path: ["metadata", "name"], message: `tier name ${JSON.stringify(name)} is invalid: lower case alphanumeric characters or '-', at most 63 (tiers cannot have dots)` });
  }
  const spec = object.spec === undefined || object.spec === null ? {} : object.spec;
  if (!isRecord(spec)) return { problems: [...problems, { path: ["spec"], message: "expected an object" }] };
  for (const key of Object.keys(spec)) {
    if (key !== "order" && key !== "defaultAction") problems.push({ path: ["spec", key], message: `unknown field ${JSON.stringify(key)} (known: order, defaultAction)` });
  }
  let order: number | undefined;
  if (spec.order !== undefined && spec.order !== null) {
    if (typeof spec.order !== "number" || !Number.isFinite(spec.order)) problems.push({ path: ["spec", "order"], message: "expected a number" });
    else order = spec.order;
  }
  const builtIn = builtIns.get(name)?.order;
  if (builtIn !== undefined && order !== builtIn) {
    problems.push({ path: ["spec", "order"], message: `the ${name} tier's order must be ${builtIn}` });
  }
  const defaultAction = spec.defaultAction ?? "Deny";
  if (defaultAction !== "Deny" && defaultAction !== "Pass") problems.push({ path: ["spec", "defaultAction"], message: `defaultAction ${JSON.stringify(defaultAction)} is invalid: expected Deny or Pass` });
  if (problems.length > 0) return { problems };
  const tier: DecodedTier = { name, defaultAction: defaultAction as DecodedTier["defaultAction"] };
  if (order !== undefined) tier.order = order;
  return { tier, problems };
}

export function decodeNetworkSet(object: K8sObject): { set?: DecodedNetworkSet; problems: Problem[] } {
  const problems: Problem[] = [];
  const global = object.kind === "GlobalNetworkSet";
  const name = object.metadata?.name ?? "";
  if (!name) problems.push({ path: ["metadata", "name"], message: "metadata.name is required" });
  const labels = object.metadata?.labels ?? {};
  if (Object.prototype.hasOwnProperty.call(labels, "projectcalico.org/namespace")) {
    problems.push({ path: ["metadata", "labels", "projectcalico.org/namespace"], message: "projectcalico.org/namespace is not a valid label name (Calico sets it itself)" });
  }
  const spec = object.spec === undefined || object.spec === null ? {} : object.spec;
  if (!isRecord(spec)) return { problems: [...problems, { path: ["spec"], message: "expected an object" }] };
  for (const key of Object.keys(spec)) {
    if (key !== "nets" && key !== "allowedEgressDomains") problems.push({ path: ["spec", key], message: `unknown field ${JSON.stringify(key)} (known: nets)` });
  }
  if (spec.allowedEgressDomains !== undefined) {
    problems.push({ path: ["spec", "allowedEgressDomains"], message: "allowedEgressDomains (DNS policy) is a Calico Enterprise feature Palisade cannot evaluate", unsupported: true });
  }
  const nets: IpRange[] = [];
  const list = spec.nets ?? [];
  if (!Array.isArray(list)) problems.push({ path: ["spec", "nets"], message: "expected a list of CIDRs" });
  else
    list.forEach((item, i) => {
      const range = typeof item === "string" ? parseNet(item) : undefined;
      if (!range) problems.push({ path: ["spec", "nets", i], message: `invalid CIDR ${JSON.stringify(item)}` });
      else nets.push(range);
    });
  if (problems.length > 0) return { problems };
  const set: DecodedNetworkSet = { name, labels: { ...labels }, nets };
  if (!global) set.namespace = object.metadata?.namespace || "default";
  return { set, problems };
}
