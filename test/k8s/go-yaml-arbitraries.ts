/**
 * fast-check arbitraries of Kubernetes-like YAML streams for the kubectl differential
 * (go-yaml-differential.test.ts): scalars in every style YAML 1.1 resolves, flow and block
 * collections, anchors, aliases and merge keys, tags, comments, document markers, CRLF
 * line ends and a byte-order mark. Keys are unique by the string kubectl makes of them
 * (a key twice is a named exception, tested on its own).
 */
import fc from "fast-check";

/** A node as written: inline text, a block scalar, or a collection in block or flow style. */
export type YamlNode =
  | { t: "inline"; text: string }
  | { t: "block"; header: string; lines: string[] }
  | { t: "map"; entries: Array<[string, YamlNode]>; flow: boolean }
  | { t: "seq"; items: YamlNode[]; flow: boolean };

const inline = (text: string): YamlNode => ({ t: "inline", text });

const bigIntIn = (min: bigint, max: bigint) => fc.bigInt({ min, max });

/** Integers in every base go-yaml reads, with signs and underscores; in int64 (signed) or uint64 (unsigned). */
const integerText = fc.oneof(
  fc.tuple(bigIntIn(-(2n ** 63n), 2n ** 63n - 1n), fc.constantFrom("", "+")).map(([n, plus]) => (n >= 0n ? plus : "") + n.toString()),
  fc.tuple(bigIntIn(0n, 2n ** 64n - 1n), fc.constantFrom("0x", "0X", "0o", "0b", "0")).map(([n, prefix]) => prefix + n.toString(prefix === "0" || prefix === "0o" ? 8 : prefix === "0b" ? 2 : 16)),
  fc.tuple(bigIntIn(0n, 2n ** 40n), fc.constantFrom("-0x", "-0o", "-0b", "-0")).map(([n, prefix]) => prefix + n.toString(prefix === "-0" || prefix === "-0o" ? 8 : prefix === "-0b" ? 2 : 16)),
  fc.integer({ min: 1000, max: 9_999_999 }).map((n) => n.toString().replace(/(\d)(?=(\d{3})+$)/g, "$1_")),
  fc.constantFrom("0", "-0", "+0", "00", "08", "09", "0777", "012345678", "0x", "0b2", "1_", "_1", "99999999999999999999", "9223372036854775808", "-9223372036854775809", "18446744073709551616"),
);

const floatText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((d) => d.toExponential()),
  fc.constantFrom("1.", ".5", "-.5", "+.5", "1e3", "1E3", "1e+3", "1.5e-3", "0.1", "-0.0", "1_0.5", "1e400", "-1e400", "4.9e-325", "1.7976931348623157e308", ".e3", "1.2.3", "1e", "0x1p3", ".", "+", "-."),
);

const wordText = fc.constantFrom(
  ...["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE"],
  ...["on", "On", "ON", "off", "Off", "OFF", "yEs", "tRue", "nul", "null", "Null", "NULL", "~", "nULL"],
  ...[".nan", ".Inf", "-.inf", "+.INF", ".Nan", "nan", "inf", "Infinity", "NaN"],
);

const timestampText = fc.constantFrom("2024-01-02", "2024-1-2", "2024-01-02T03:04:05Z", "2024-01-02t03:04:05.123+02:00", "2024-02-30", "2001-12-14 21:59:43.10", "1234-", "12:30", "190:20:30", "2024-13-01");

const safePlain = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_./-]{0,12}$/).filter((s) => !s.startsWith("y") && !s.startsWith("n"));

const quoted = fc.oneof(
  fc.string({ maxLength: 12, unit: fc.constantFrom(..."ab1 -:#'\"\\\t\u00e9\u4e2d\u{1F600}".split(/(?:)/u)) }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 12, unit: fc.constantFrom(..."ab1 -:#'\"".split("")) }).map((s) => `'${s.replace(/'/g, "''")}'`),
  fc.constantFrom('"\\x41\\u00e9\\U0001F600\\N\\_\\e\\0"', "'0x10'", '"yes"', "'~'", '"1e3"', "''", '""'),
);

const tagged = fc.oneof(
  fc.tuple(fc.constantFrom("!!str", "!custom", "!Ref", "!!foo", "!<!bar>", "!"), fc.oneof(integerText, floatText, wordText, safePlain)).map(([tag, v]) => `${tag} ${v}`),
  fc.string({ maxLength: 10, unit: fc.constantFrom(..."ab1 +/".split("")) }).map((s) => `!!binary ${Buffer.from(s).toString("base64") || '""'}`),
  // Mostly a value the tag takes; now and then one it refuses (kubectl then refuses the stream).
  fc.oneof(
    { weight: 4, arbitrary: fc.oneof(integerText.map((v) => `!!int ${v}`), fc.oneof(integerText, floatText).map((v) => `!!float ${v}`), timestampText.map((v) => `!!timestamp ${v}`), fc.constantFrom("!!bool yes", "!!bool False", "!!null ~", "!!null", '!!int "12"')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("!!int", "!!float", "!!bool", "!!null", "!!timestamp"), fc.oneof(integerText, floatText, wordText, timestampText)).map(([tag, v]) => `${tag} ${v}`) },
  ),
);

const scalar: fc.Arbitrary<YamlNode> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(integerText, floatText, wordText, timestampText, safePlain).map(inline) },
  { weight: 2, arbitrary: quoted.map(inline) },
  { weight: 1, arbitrary: tagged.map(inline) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("|", "|-", "|+", ">", ">-", ">+"), fc.array(fc.constantFrom("line one", "  more", "", "yes", "# not a comment", "x: y"), { minLength: 1, maxLength: 4 }))
      // The first line with text sets the indentation: a more indented one there would end the scalar early.
      .filter(([, lines]) => !(lines.find((l) => l !== "") ?? " ").startsWith(" "))
      .map(([header, lines]): YamlNode => ({ t: "block", header, lines })),
  },
);

/** Keys and the string kubectl makes of each (unique by that). */
const KEYS: Array<[string, string]> = [
  ["name", "name"], ["image", "image"], ["value", "value"], ["x.y/z", "x.y/z"], ["k-1", "k-1"], ["10", "10"], ["0x1F", "31"],
  ["true", "true"], ["no", "false"], ["'quoted'", "quoted"], ['"dq key"', "dq key"], ["1.5", "1.5"], ["-7", "-7"], ["empty", "empty"],
];

const keys = fc.uniqueArray(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 5, selector: ([, resolved]) => resolved });

export const node: fc.Arbitrary<YamlNode> = fc.letrec<{ node: YamlNode }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: "yaml" },
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.tuple(keys, fc.array(tie("node"), { maxLength: 5 }), fc.boolean()).map(([ks, values, flow]): YamlNode => ({ t: "map", entries: ks.map(([k], i) => [k, values[i] ?? inline("")]), flow })) },
    { weight: 1, arbitrary: fc.tuple(fc.array(tie("node"), { minLength: 1, maxLength: 3 }), fc.boolean()).map(([items, flow]): YamlNode => ({ t: "seq", items, flow })) },
  ),
})).node;

/** Flow style holds only inline scalars and flow collections here (block scalars need lines). */
function flowText(n: YamlNode): string | undefined {
  if (n.t === "inline") return n.text.startsWith("!") && n.text.split(" ").length === 1 ? undefined : n.text;
  if (n.t === "block") return undefined;
  const parts = n.t === "map" ? n.entries.map(([k, v]) => (flowText(v) === undefined ? undefined : `${k}: ${flowText(v)}`)) : n.items.map(flowText);
  if (parts.some((p) => p === undefined)) return undefined;
  return n.t === "map" ? `{${parts.join(", ")}}` : `[${parts.join(", ")}]`;
}

/** The lines of `value` after `prefix` (`key:` or `-`), indented by `indent`. */
export function renderValue(prefix: string, value: YamlNode, indent: string, comment: boolean): string[] {
  const flow = (value.t === "map" || value.t === "seq") && (value.flow || (value.t === "map" ? value.entries.length === 0 : value.items.length === 0)) ? flowText(value) : undefined;
  const tail = comment ? " # c" : "";
  if (value.t === "inline") return [`${indent}${prefix} ${value.text}${value.text === "" ? "" : tail}`.replace(/ +$/, "")];
  if (flow !== undefined) return [`${indent}${prefix} ${flow}${tail}`];
  if (value.t === "block") return [`${indent}${prefix} ${value.header}`, ...value.lines.map((l) => (l === "" ? "" : `${indent}  ${l}`))];
  if (value.t === "map") {
    if (value.entries.length === 0) return [`${indent}${prefix} {}`];
    return [`${indent}${prefix}`, ...value.entries.flatMap(([k, v]) => renderValue(`${k}:`, v, `${indent}  `, comment))];
  }
  if (value.items.length === 0) return [`${indent}${prefix} []`];
  return [`${indent}${prefix}`, ...value.items.flatMap((item) => renderValue("-", item, `${indent}  `, comment))];
}

/** Anchored bases and mappings that merge them, before or after written keys, one or a list. */
export const mergeSection = fc
  .tuple(
    fc.uniqueArray(fc.constantFrom("name", "image", "value", "10", "true"), { minLength: 1, maxLength: 3 }),
    fc.uniqueArray(fc.constantFrom("name", "image", "extra"), { minLength: 1, maxLength: 2 }),
    fc.constantFrom("*b1", "*b2", "[*b1, *b2]", "[*b2, *b1]", "{name: inline}"),
    fc.uniqueArray(fc.constantFrom("name", "image", "own"), { maxLength: 2 }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([k1, k2, merged, written, mergeFirst, nested]) => {
    const lines = [`base1: &b1 {${k1.map((k, i) => `${k}: one${i}`).join(", ")}}`, "base2: &b2", ...k2.map((k) => `  ${k}: two`)];
    const own = written.map((k) => `  ${k}: own`);
    const merge = `  <<: ${merged}`;
    lines.push("merged:", ...(mergeFirst ? [merge, ...own] : [...own, merge]));
    if (nested) lines.push("again:", "  <<: *b1", "  inner:", "    <<: *b2", "    deep: yes", "alias: *b2");
    return lines;
  });

export interface GeneratedStream {
  text: string;
  /** How many documents it holds (each a ConfigMap-like object kubectl would send). */
  documents: number;
}

const separator = fc.constantFrom("---", "--- ", "---\t", "--- # next", "---#next", "---  #x");

/** A stream of 1–3 Kubernetes-like documents in many styles. */
export const stream: fc.Arbitrary<GeneratedStream> = fc
  .tuple(
    fc.array(fc.tuple(fc.array(fc.tuple(fc.constantFrom(...KEYS), node, fc.boolean()), { maxLength: 5 }), fc.option(mergeSection, { nil: undefined }), separator, fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 3 }),
    fc.constantFrom("", "---", "--- # first", "# leading comment"),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([docs, lead, crlf, bom]) => {
    const out: string[] = lead ? [lead] : [];
    docs.forEach(([entries, merges, sep, end, comments], i) => {
      if (i > 0) out.push(sep);
      out.push("apiVersion: v1", "kind: ConfigMap", "metadata:", `  name: doc-${i}`);
      if (comments) out.push("# a comment line", "  # an indented one");
      const seen = new Set<string>();
      const fields = entries.filter(([[, resolved]]) => !seen.has(resolved) && seen.add(resolved));
      if (fields.length > 0) out.push("data:", ...fields.flatMap(([[k], v, c]) => renderValue(`${k}:`, v, "  ", c && comments)));
      if (merges) out.push(...merges);
      if (end) out.push("...");
    });
    const text = (bom ? "\ufeff" : "") + out.join(crlf ? "\r\n" : "\n") + (crlf ? "\r\n" : "\n");
    return { text, documents: docs.length };
  });
