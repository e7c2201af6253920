/**
 * Label selectors printed the way apimachinery's Selector.String() prints them
 * (`baz in (norf,qux),foo=bar`), for explain and lint messages.
 */
import type { LabelSelector, LabelSelectorRequirement } from "../k8s/labels.js";

function formatRequirement(r: LabelSelectorRequirement): string {
  const values = [...(r.values ?? [])].sort();
  switch (r.operator) {
    case "In":
      return values.length === 1 ? `${r.key}=${values[0]}` : `${r.key} in (${values.join(",")})`;
    case "NotIn":
      return values.length === 1 ? `${r.key}!=${values[0]}` : `${r.key} notin (${values.join(",")})`;
    case "Exists":
      return r.key;
    case "DoesNotExist":
      return `!${r.key}`;
    case "Gt":
      return `${r.key}>${values[0] ?? ""}`;
    case "Lt":
      return `${r.key}<${values[0] ?? ""}`;
    default:
      return `${r.key} ${r.operator} (${values.join(",")})`;
  }
}

/** Requirements sorted by key, as upstream sorts them; `{}` prints as the empty string. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  if (selector === null || selector === undefined) return "<none>";
  const requirements: LabelSelectorRequirement[] = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, operator: "In", values: [value] })),
    ...(selector.matchExpressions ?? []),
  ];
  return requirements
    .map((r) => ({ key: r.key, text: formatRequirement(r) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(",");
}

/** Human form for messages: `all pods` for `{}`. */
export function describeSelector(selector: LabelSelector | null | undefined): string {
  const text = formatLabelSelector(selector);
  return text === "" ? "everything" : text;
}

/**
 * Parse the string form (`a=b,c in (d,e),!f,g>3`) into a selector; undefined when it does
 * not parse. Used for `-l` flags and for facts written as strings.
 */
export function parseLabelSelectorString(text: string): LabelSelector | undefined {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  if (current.trim() !== "" || parts.length > 0) parts.push(current);
  const expressions: LabelSelectorRequirement[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([^\s!=<>(),]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      expressions.push({ key: m[1]!, operator: m[2] === "in" ? "In" : "NotIn", values: m[3]!.split(",").map((v) => v.trim()).filter((v) => v !== "") });
    } else if ((m = part.match(/^([^\s!=<>(),]+)\s*(==|=|!=)\s*([^\s!=<>(),]*)$/))) {
      expressions.push({ key: m[1]!, operator: m[2] === "!=" ? "NotIn" : "In", values: [m[3]!] });
    } else if ((m = part.match(/^([^\s!=<>(),]+)\s*([<>])\s*(-?\d+)$/))) {
      expressions.push({ key: m[1]!, operator: m[2] === ">" ? "Gt" : "Lt", values: [m[3]!] });
    } else if ((m = part.match(/^!\s*([^\s!=<>(),]+)$/))) {
      expressions.push({ key: m[1]!, operator: "DoesNotExist" });
    } else if ((m = part.match(/^([^\s!=<>(),]+)$/))) {
      expressions.push({ key: m[1]!, operator: "Exists" });
    } else return undefined;
  }
  return expressions.length === 0 ? {} : { matchExpressions: expressions };
}
