/**
 * A scan against an earlier report (`palisade scan --baseline old.json`): only findings
 * the earlier report did not have are reported, so a repository with known findings can
 * refuse new ones in CI today and pay the old ones off over time.
 *
 * Findings are matched by rule, object, field and file (findings/identity.ts) and by what
 * the finding names (its container, variable, key or flag), never by line or message,
 * which move with unrelated edits. Once every exact match is taken, a finding whose file
 * was renamed matches on the rest; then one whose field moved to another list element
 * (containers reordered; a pod's first privileged container fixed, its second still
 * privileged). Kustomize's generated ConfigMaps and Secrets are known by their names
 * without the content hash, which changes with every edit. Each earlier finding matches
 * at most one finding now, so one more of a kind is new. Pure: the shell reads the file.
 */
import { UserError } from "../errors.js";
import { findingKey } from "../findings/identity.js";
import type { Finding, ObjectRef } from "../findings/types.js";
import { JSON_SCHEMA_VERSION } from "../report/json.js";

/** One finding of the earlier report, as much of it as matching reads. */
export interface BaselineFinding {
  ruleId: string;
  object?: ObjectRef;
  fieldPath?: string;
  position?: { file: string };
  message: string;
  properties?: Record<string, unknown>;
}

export interface FindingsAgainstBaseline {
  /** The findings the baseline does not have, in their order. */
  fresh: Finding[];
  /** Findings left out because the baseline has them. */
  known: number;
  /** Findings of the baseline (of the rules this scan ran) found no more. */
  fixed: number;
}

const HINT = "give a report written by palisade scan -o json (e.g. palisade scan k8s/ -o json > palisade-baseline.json)";

/** The earlier report's findings, or a UserError naming the file and what is wrong with it. */
export function baselineFindings(report: unknown, file: string): BaselineFinding[] {
  if (typeof report !== "object" || report === null || Array.isArray(report)) throw new UserError(`${file}: not a scan report (expected a JSON object)`, { hint: HINT });
  const r = report as Record<string, unknown>;
  if (r.schemaVersion !== JSON_SCHEMA_VERSION) {
    const what = r.schemaVersion === "palisade.dev/posture/v1" ? "a posture report" : r.version === "2.1.0" && Array.isArray(r.runs) ? "a SARIF log" : `schemaVersion ${JSON.stringify(r.schemaVersion ?? null)}`;
    throw new UserError(`${file}: not a scan report (${what}; expected schemaVersion ${JSON_SCHEMA_VERSION})`, { hint: HINT });
  }
  if (!Array.isArray(r.findings)) throw new UserError(`${file}: the report has no findings list`, { hint: HINT });
  return r.findings.map((value: unknown, i) => {
    const problem = whyNotAFinding(value);
    if (problem) throw new UserError(`${file}: findings[${i}] ${problem}`, { hint: `${HINT}; an edited report must keep each finding's ruleId, message, object and position` });
    return value as BaselineFinding;
  });
}

function whyNotAFinding(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "is not an object";
  const f = value as Record<string, unknown>;
  if (typeof f.ruleId !== "string") return "has no ruleId";
  if (typeof f.message !== "string") return "has no message";
  if (f.fieldPath !== undefined && typeof f.fieldPath !== "string") return "has a fieldPath that is not a string";
  if (f.object !== undefined) {
    const o = f.object as Record<string, unknown> | null;
    if (typeof o !== "object" || o === null || typeof o.kind !== "string" || typeof o.name !== "string") return "has an object without kind and name";
    if (o.namespace !== undefined && typeof o.namespace !== "string") return "has an object whose namespace is not a string";
  }
  if (f.properties !== undefined && (typeof f.properties !== "object" || f.properties === null || Array.isArray(f.properties))) return "has properties that are not a mapping";
  if (f.position !== undefined) {
    const p = f.position as Record<string, unknown> | null;
    if (typeof p !== "object" || p === null || typeof p.file !== "string") return "has a position without a file";
  }
  return undefined;
}

/**
 * What a finding names besides its field: the container, environment variable, ConfigMap
 * key or flag. A credential in another variable at the same list index is another finding.
 * Findings about no object (a Dockerfile's line, say) have only their file and rule to go
 * by; their message tells two of them apart.
 */
function subject(f: BaselineFinding | Finding): string {
  if (!f.object) return f.message;
  const p = f.properties ?? {};
  return ["container", "env", "key", "flag"].map((name) => (typeof p[name] === "string" ? p[name] : "")).join("|");
}

function exactKey(f: BaselineFinding | Finding): string {
  return `${findingKey(f)}|${subject(f)}`;
}

/** Kustomize's hash suffix on the ConfigMaps and Secrets it generates (a hex hash with 0, 1, 3, a, e replaced). */
const GENERATED_NAME = /-[2456789bcdfghkmt]{10}$/;

/**
 * Without its file, a generated ConfigMap's or Secret's name without its hash, and the
 * namespace `default` as no namespace: an object that names none lands there, and earlier
 * reports named it `default` in Pod Security findings.
 */
function movedKey(f: BaselineFinding | Finding): string | undefined {
  if (!f.object) return undefined;
  const generated = f.object.kind === "ConfigMap" || f.object.kind === "Secret";
  const { namespace, ...rest } = f.object;
  const object = { ...rest, name: generated ? f.object.name.replace(GENERATED_NAME, "") : f.object.name, ...(namespace && namespace !== "default" ? { namespace } : {}) };
  return `${findingKey({ ruleId: f.ruleId, object, fieldPath: f.fieldPath }, false)}|${subject(f)}`;
}

/** As movedKey, with the field's list indices left out: the same field of another element. */
function shiftedKey(f: BaselineFinding | Finding): string | undefined {
  const key = movedKey(f);
  return key === undefined ? undefined : key.replace(/\[\d+\]/g, "[]");
}

/** Which of `findings` are new against the baseline; earlier findings of rules outside `ruleIds` (a narrower scan) are not counted as fixed. */
export function compareWithBaseline(findings: readonly Finding[], baseline: readonly BaselineFinding[], ruleIds: ReadonlySet<string>): FindingsAgainstBaseline {
  const earlier = baseline.filter((f) => ruleIds.has(f.ruleId));
  const used = new Array<boolean>(earlier.length).fill(false);
  const exact = indexBy(earlier, exactKey);
  const moved = indexBy(earlier, movedKey);
  const shifted = indexBy(earlier, shiftedKey);
  // Each key's candidates are taken in the baseline's order; `next` skips those already taken.
  const take = (index: Map<string, { entries: number[]; next: number }>, key: string | undefined): boolean => {
    const candidates = key === undefined ? undefined : index.get(key);
    if (!candidates) return false;
    while (candidates.next < candidates.entries.length) {
      const i = candidates.entries[candidates.next++] as number;
      if (!used[i]) return (used[i] = true);
    }
    return false;
  };
  const matched = findings.map((f) => take(exact, exactKey(f)));
  // Each looser pass only once the stricter one is done: a renamed file's findings must not take those of a file that stayed.
  for (const [index, key] of [
    [moved, movedKey],
    [shifted, shiftedKey],
  ] as const) {
    findings.forEach((f, i) => {
      if (!matched[i]) matched[i] = take(index, key(f));
    });
  }
  const fresh = findings.filter((_, i) => !matched[i]);
  return { fresh, known: findings.length - fresh.length, fixed: used.filter((u) => !u).length };
}

function indexBy(findings: readonly BaselineFinding[], key: (f: BaselineFinding) => string | undefined): Map<string, { entries: number[]; next: number }> {
  const index = new Map<string, { entries: number[]; next: number }>();
  findings.forEach((f, i) => {
    const k = key(f);
    if (k === undefined) return;
    const candidates = index.get(k);
    if (candidates) candidates.entries.push(i);
    else index.set(k, { entries: [i], next: 0 });
  });
  return index;
}
