import type * as Crypto from "node:crypto";
import { createRequire } from "node:module";
import { isAbsolute, relative, sep } from "node:path";
import type { Location, Log, ReportingDescriptor, Result } from "sarif";
import { findingKey } from "../findings/identity.js";
import type { Finding, Rule, Severity } from "../findings/types.js";
import { describeRef, isCheckoutFile } from "../k8s/types.js";
import type { ScanResult } from "../scan/run.js";
import { packageVersion } from "../version.js";
import { ITEMS_MARK, jsonPieces } from "./json-pieces.js";

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

function ruleDescriptor(rule: Rule): ReportingDescriptor {
  const markdown = `${rule.docs.description}\n\n**Remediation:** ${rule.docs.remediation}${rule.docs.helpUri ? `\n\n[Reference](${rule.docs.helpUri})` : ""}`;
  return {
    id: rule.id,
    name: rule.id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : "")),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.docs.description },
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

function sarifLog(result: ScanResult, rules: readonly Rule[], results: unknown[]): Log {
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
            toolExecutionNotifications: result.problems.map((p) => {
              const { file, line, column } = p.position;
              const at = physicalLocation(file, line, column);
              return {
                level: "error" as const,
                // A source that is no file is named in the text instead, as no location can name it.
                message: { text: `${at.physicalLocation ? "" : `${file}: `}${p.message}${p.hint ? ` (${p.hint})` : ""}` },
                ...(at.physicalLocation ? { locations: [at] } : {}),
              };
            }),
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
export function renderSarifPieces(result: ScanResult): Generator<string> {
  const rules = dedupeRules(result.rules);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const findings = result.findings;
  // log → runs → run → results → a result: four containers deep.
  return jsonPieces(sarifLog(result, rules, [ITEMS_MARK]), findings.length, (i) => sarifResult(findings[i]!, index), 4);
}

/** The SARIF log as one string, for callers that need one; the CLI writes the pieces. */
export function renderSarif(result: ScanResult): string {
  const rules = dedupeRules(result.rules);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return JSON.stringify(sarifLog(result, rules, result.findings.map((f) => sarifResult(f, index))), null, 2) + "\n";
}

function dedupeRules(rules: readonly Rule[]): Rule[] {
  const seen = new Map<string, Rule>();
  for (const r of rules) if (!seen.has(r.id)) seen.set(r.id, r);
  return [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
