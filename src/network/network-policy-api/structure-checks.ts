/**
 * The schema checks that every policy of the network-policy-api makes the same way:
 * priority bounds, enums (actions, tiers), bounded lists of rules, peers and ports, a rule's
 * name, and the unions of which exactly one field is set (subjects, peers, ports). What
 * differs between the API versions (the enums' values, MaxItems, the words of a union) is
 * passed in by the caller.
 */
import { isRecord, type FieldPath } from "../../k8s/types.js";
import type { Direction } from "../model.js";
import type { Add } from "./selector-checks.js";

/** spec.priority: required, an integer from 0 to 1000 (the CRDs' Minimum and Maximum). */
export function checkPriority(priority: unknown, add: Add): void {
  const path = ["spec", "priority"];
  if (priority === undefined) add(path, "Required value: priority is required");
  else if (typeof priority !== "number" || !Number.isInteger(priority) || priority < 0 || priority > 1000) {
    add(path, `Invalid value: ${JSON.stringify(priority)}: priority must be an integer from 0 to 1000`);
  }
}

/** A required enum field (`field` names it in the message). */
export function checkChoice(value: unknown, path: FieldPath, field: string, values: readonly string[], add: Add): void {
  if (value === undefined) add(path, `Required value: ${field} is required (${values.join(", ")})`);
  else if (!values.includes(value as string)) add(path, `Unsupported value: ${JSON.stringify(value)}: supported values: ${values.map((v) => `"${v}"`).join(", ")}`);
}

/** spec.ingress and spec.egress: optional lists of at most `maxRules` (the message calls them `noun`), each rule checked by `checkRule`. */
export function checkRuleLists(
  spec: Record<string, unknown>,
  maxRules: number,
  noun: string,
  add: Add,
  checkRule: (rule: unknown, path: FieldPath, direction: Direction) => void,
): void {
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction];
    if (rules === undefined) continue;
    if (!Array.isArray(rules)) {
      add(["spec", direction], "Invalid value: must be a list of rules");
      continue;
    }
    if (rules.length > maxRules) add(["spec", direction], `Too many: ${rules.length}: must have at most ${maxRules} ${noun}`);
    rules.forEach((rule: unknown, i) => checkRule(rule, ["spec", direction, i], direction));
  }
}

/** A rule's optional name; maxLength counts characters (code points), not UTF-16 units. */
export function checkRuleName(name: unknown, path: FieldPath, add: Add): void {
  if (name !== undefined && (typeof name !== "string" || [...name].length > 100)) add(path, "Invalid value: name must be a string of at most 100 characters");
}

/** A list of 1 to `maxItems` (the message calls them `noun`), each item checked by `checkItem`. */
export function checkBoundedList(list: unknown, path: FieldPath, maxItems: number, noun: string, add: Add, checkItem: (item: unknown, path: FieldPath) => void): void {
  if (!Array.isArray(list) || list.length === 0 || list.length > maxItems) add(path, `Invalid value: must list from 1 to ${maxItems} ${noun}`);
  else list.forEach((item: unknown, i) => checkItem(item, [...path, i]));
}

/** A rule's `from` (ingress) or `to` (egress): required, 1 to `maxPeers` peers. */
export function checkRulePeers(rule: Record<string, unknown>, path: FieldPath, direction: Direction, maxPeers: number, add: Add, checkPeer: (peer: unknown, path: FieldPath) => void): unknown {
  const field = direction === "ingress" ? "from" : "to";
  const peers = rule[field];
  if (peers === undefined) add([...path, field], `Required value: ${field} must list from 1 to ${maxPeers} peers`);
  else checkBoundedList(peers, [...path, field], maxPeers, "peers", add, checkPeer);
  return peers;
}

/**
 * The one field set of a union the schema bounds with min/maxProperties 1 (`what` names the
 * union in messages), with its value; undefined, with the reason added, when it is not an
 * object or sets other than one field. The object is pruned, so its keys are the union's own.
 */
export function theOneField(union: unknown, path: FieldPath, what: string, fields: readonly string[], add: Add): { key: string; value: unknown } | undefined {
  if (!isRecord(union)) {
    add(path, `Invalid value: ${what} must be an object`);
    return undefined;
  }
  const keys = Object.keys(union);
  if (keys.length === 1) return { key: keys[0]!, value: union[keys[0]!] };
  add(path, `Invalid value: ${what} must set exactly one of ${fields.join(", ")}`);
  return undefined;
}
