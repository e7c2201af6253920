import type * as Crypto from "node:crypto";
import { createRequire } from "node:module";
import { isAbsolute, relative, sep } from "node:path";
import type { Location, Log, ReportingDescriptor, Result } from "sarif";
import { findingKey } from "../findings/identity.js";
import type { Finding, Rule, Severity } from "../findings/types.js";
import { describeRef, isCheckoutFile } from "../k8s/types.js";
import type { ExceptedFinding, ScanResult } from "../scan/run.js";
import { packageVersion } from "../version.js";
import { ITEMS_MARK, jsonPieces } from "./json-pieces.js";
import { mostSevereFirst, severityCounts, thousands } from "./most-severe.js";

const LEVEL: Record<Severity, Result.level> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };
/** GitHub code scanning reads `security-severity` (0–10) to rank alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "1.0" };

/** Paths as GitHub wants them: relative to the checkout, with forward slashes. */
export function checkoutPath(file: string, cwd = process.cwd()): string {
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  return rel.split(sep).join("/").replace(/^\.\//, "");
}

/**
 * Where a file and a position are, for SARIF: nothing for a source that is no file (see
 * isCheckoutFile), or GitHub would attach the alert to a file `<stdin>` no one can open.
 */
function physicalLocation(file: string, line: number, column: number): Pick<Location, "physicalLocation"> {
  if (!isCheckoutFile(file)) return {};
  return { physicalLocation: { artifactLocation: { uri: sarifUri(file), uriBaseId: "%SRCROOT%" }, region: { startLine: line, startColumn: column } } };
}

/**
 * A path as a SARIF artifact URI: relative to the checkout (%SRCROOT%), each segment
 * percent-encoded, since SARIF URIs are RFC 3986 references: a space, `#`, `%` or `ü` in
 * a file name as written would make the URI invalid, or cut it at a "fragment".
 */
export function sarifUri(file: string, cwd = process.cwd()): string {
  return encodePath(checkoutPath(file, cwd));
}

/** Each segment percent-encoded; `:` too unless `absolute` (in a relative reference's first segment it would read as a scheme). */
function encodePath(path: string, absolute = false): string {
  return path
    .split("/")
    .map((segment) => (absolute ? encodeURIComponent(segment).replace(/%3A/gi, ":") : encodeURIComponent(segment)))
    .join("/");
}

/**
 * What GitHub code scanning takes of a SARIF run ("SARIF support for code scanning", its
 * table of limits): it rejects a whole upload whose run holds more than 25,000 results,
 * and of a run it accepts keeps "only the top 5,000 results ... prioritized by severity".
 */
export interface SarifLimits {
  /** Results a run may hold. */
  results: number;
  /** Results GitHub keeps of a run. */
  shown: number;
}

export const GITHUB_SARIF_LIMITS: Readonly<SarifLimits> = { results: 25_000, shown: 5_000 };

/** The findings a SARIF run holds, and what the run says of those it leaves out. */
interface SarifSelection {
  /** Indices of the findings written, in the order written; undefined: all, in report order. */
  order: readonly number[] | undefined;
  /** A notification for the run (and a warning for stderr), when GitHub would not take every result. */
  notice?: { level: "warning" | "note"; text: string; omitted: number };
}

/**
 * Up to `limits.results` findings, the most severe, so that an upload is never rejected
 * for its size. A run of more than GitHub shows is written most severe first (in report
 * order within a severity), so that the results GitHub keeps are the most severe whichever
 * way it picks them; a smaller run keeps the report order.
 */
function sarifSelection(findings: readonly Finding[], limits: Readonly<SarifLimits> = GITHUB_SARIF_LIMITS): SarifSelection {
  if (findings.length <= limits.shown) return { order: undefined };
  const order = mostSevereFirst(findings);
  const all = "-o json reports every finding.";
  const kept = thousands(limits.shown);
  if (order.length <= limits.results) {
    const text = `${thousands(order.length)} results, more than the ${kept} GitHub code scanning keeps of a run: they are written most severe first. ${all}`;
    return { order, notice: { level: "note", omitted: 0, text } };
  }
  const omitted = order.slice(limits.results);
  const accepted = thousands(limits.results);
  const text =
    `${thousands(order.length)} findings, more than the ${accepted} results GitHub code scanning accepts in a run (it rejects the whole upload): ` +
    `the ${accepted} most severe are written, most severe first, and ${thousands(omitted.length)} ${omitted.length === 1 ? "is" : "are"} left out (${severityCounts(omitted.map((i) => findings[i]!.severity))}); ` +
    `GitHub then keeps ${kept} of them. ${all}`;
  return { order: order.slice(0, limits.results), notice: { level: "warning", omitted: omitted.length, text } };
}

/** The warning for stderr when a SARIF report cannot hold, or GitHub will not show, every finding. */
export function sarifLimitWarning(findings: readonly Finding[], limits: Readonly<SarifLimits> = GITHUB_SARIF_LIMITS): string | undefined {
  const { notice } = sarifSelection(findings, limits);
  return notice && `palisade: -o sarif: ${notice.text}\n`;
}

/** GitHub code scanning limits a rule's short and full descriptions to 1,024 characters; help has them whole. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // Not half a surrogate pair at the cut.
  return `${text.slice(0, max - 1).replace(/[\ud800-\udbff]$/, "")}…`;
}

function ruleDescriptor(rule: Rule): ReportingDescriptor {
  const markdown = `${rule.docs.description}\n\n**Remediation:** ${rule.docs.remediation}${rule.docs.helpUri ? `\n\n[Reference](${rule.docs.helpUri})` : ""}`;
  return {
    id: rule.id,
    name: rule.id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : "")),
    shortDescription: { text: clip(rule.title, 1024) },
    fullDescription: { text: clip(rule.docs.description, 1024) },
    help: { text: `${rule.docs.description}\n\nRemediation: ${rule.docs.remediation}`, markdown },
    ...(rule.docs.helpUri ? { helpUri: rule.docs.helpUri } : {}),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { tags: ["security", "kubernetes", rule.family, `zero-trust/${rule.pillar}`], "security-severity": SECURITY_SEVERITY[rule.severity], precision: "very-high" },
  };
}

/**
 * node:crypto, loaded when a SARIF report is first rendered: loading it costs ~15 ms of
 * start-up, and every scan imports this module while few print SARIF.
 */
let crypto: typeof Crypto | undefined;

/** Stable across line moves: the rule, the object and the field, not the line number. */
function fingerprint(f: Finding): string {
  crypto ??= createRequire(import.meta.url)("node:crypto") as typeof Crypto;
  return crypto.createHash("sha256").update(findingKey(f)).digest("hex").slice(0, 32);
}

function sarifResult(f: Finding, index: ReadonlyMap<string, number>): Result {
  const where = f.object ? `${describeRef(f.object)}${f.fieldPath ? ` ${f.fieldPath}` : ""}: ` : "";
  const location: Location = {
    ...physicalLocation(f.position?.file ?? "<unknown>", f.position?.line ?? 1, f.position?.column ?? 1),
    ...(f.object ? { logicalLocations: [{ name: f.object.name, fullyQualifiedName: describeRef(f.object), kind: f.object.kind }] } : {}),
  };
  const r: Result = {
    ruleId: f.ruleId,
    level: LEVEL[f.severity],
    message: { text: `${where}${f.message}${f.remediation ? ` — ${f.remediation}` : ""}` },
    // A finding with neither a file nor an object (there are none today) has no location to give.
    ...(Object.keys(location).length > 0 ? { locations: [location] } : {}),
    partialFingerprints: { "palisadeFinding/v1": fingerprint(f) },
    properties: { severity: f.severity, pillar: f.pillar, ...(f.properties ?? {}) },
  };
  const i = index.get(f.ruleId);
  if (i !== undefined) r.ruleIndex = i;
  return r;
}

function sarifLog(result: ScanResult, rules: readonly Rule[], results: unknown[], notice: SarifSelection["notice"]): Log {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "Palisade",
            semanticVersion: packageVersion(),
            version: packageVersion(),
            informationUri: "https://github.com/palisade-dev/palisade",
            rules: rules.map(ruleDescriptor),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: "file://" + encodePath(process.cwd().split(sep).join("/").replace(/^(?=[^/])/, "/"), true).replace(/\/?$/, "/") } },
        results: results as Result[],
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: [
              ...result.problems.map((p) => {
                const { file, line, column } = p.position;
                const at = physicalLocation(file, line, column);
                return {
                  level: "error" as const,
                  // A source that is no file is named in the text instead, as no location can name it.
                  message: { text: `${at.physicalLocation ? "" : `${file}: `}${p.message}${p.hint ? ` (${p.hint})` : ""}` },
                  ...(at.physicalLocation ? { locations: [at] } : {}),
                };
              }),
              // The run says itself what it leaves out, where a reader of the file (not of the log) looks.
              ...(notice ? [{ level: notice.level, message: { text: notice.text }, properties: { findings: result.findings.length, results: result.findings.length - notice.omitted, omitted: notice.omitted } }] : []),
            ],
          },
        ],
      },
    ],
  };
}

/**
 * The SARIF log in pieces (see json-pieces.ts), each result built as its batch is
 * printed: 200,000 findings make ~300 MB of SARIF, which as one string took 2 GB.
 */
export function renderSarifPieces(result: ScanResult, limits: Readonly<SarifLimits> = GITHUB_SARIF_LIMITS): Generator<string> {
  const rules = dedupeRules(result.rules);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const findings = result.findings;
  const { order, notice } = sarifSelection(findings, limits);
  const count = order ? order.length : findings.length;
  const at = order ? (i: number) => order[i]! : (i: number) => i;
  const excepted = exceptedShown(result, count, limits);
  const resultAt = (i: number): Result => (i < count ? sarifResult(findings[at(i)]!, index) : suppressedResult(excepted[i - count]!, index));
  // log → runs → run → results → a result: four containers deep.
  return jsonPieces(sarifLog(result, rules, [ITEMS_MARK], notice), count + excepted.length, resultAt, 4);
}

/** The SARIF log as one string, for callers that need one; the CLI writes the pieces. */
export function renderSarif(result: ScanResult, limits: Readonly<SarifLimits> = GITHUB_SARIF_LIMITS): string {
  const rules = dedupeRules(result.rules);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const { order, notice } = sarifSelection(result.findings, limits);
  const written = order ? order.map((i) => result.findings[i]!) : result.findings;
  const excepted = exceptedShown(result, written.length, limits);
  const results = [...written.map((f) => sarifResult(f, index)), ...excepted.map((e) => suppressedResult(e, index))];
  return JSON.stringify(sarifLog(result, rules, results, notice), null, 2) + "\n";
}

/**
 * The findings exceptions left out, as results with an external, accepted suppression:
 * code scanning shows them as suppressed, not as open alerts, and an audit of the log sees
 * who accepted each and why. Only while they fit in GitHub's limit beside the open ones.
 */
function exceptedShown(result: ScanResult, shown: number, limits: Readonly<SarifLimits>): ExceptedFinding[] {
  const excepted = result.exceptions?.excepted ?? [];
  return shown + excepted.length <= limits.results ? excepted : [];
}

function suppressedResult({ finding, exception }: ExceptedFinding, index: ReadonlyMap<string, number>): Result {
  const justification = `exception ${exception.id} (owner ${exception.owner}, until ${exception.expires.slice(0, 10)}): ${exception.reason}`;
  return { ...sarifResult(finding, index), suppressions: [{ kind: "external", status: "accepted", justification }] };
}

function dedupeRules(rules: readonly Rule[]): Rule[] {
  const seen = new Map<string, Rule>();
  for (const r of rules) if (!seen.has(r.id)) seen.set(r.id, r);
  return [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
