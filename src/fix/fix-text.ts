import { parseAllDocuments, type Document, type ToStringOptions } from "yaml";
import { jsYaml, kubernetesYamlSchema } from "../k8s/js-yaml-lazy.js";
import { formatFieldPath, isRecord, objectRef, type FieldPath, type K8sObject } from "../k8s/types.js";
import type { PodView } from "../podsecurity/pod.js";
import { applyToJson, type Edit } from "./edits.js";
import { correctionsOf, quoteCorrections, type Correction } from "../manifest/fixes.js";
import { misTypedFields } from "../manifest/string-fields.js";
import { checkFields } from "../manifest/field-check.js";
import { podTemplate } from "../k8s/workloads.js";
import type { ObjectRef } from "../findings/types.js";
import type { Level, Version } from "../podsecurity/levels.js";
import { preserveOriginalLines } from "./line-merge.js";
import { planPodFix, type PodFixPlan } from "./plan.js";
import { applyToDocument } from "./yaml-apply.js";

/**
 * `palisade fix` over one manifest file's text: every document, every workload kind.
 * Only documents that need an edit are re-printed, and in those only the edited lines
 * change; the rest of the file is returned byte for byte.
 */

export interface FixTarget {
  level: Level;
  version: Version;
}

export interface DocumentFix {
  documentIndex: number;
  /** 1-based line where the document starts. */
  line: number;
  object: ObjectRef;
  /** Where the pod (template) sits in the object, e.g. ["spec", "template"]. */
  templatePath: FieldPath;
  plan: PodFixPlan;
}

/** A misspelt or misplaced field moved, or a quoted integer or boolean unquoted (manifest/fixes.ts). */
export interface FieldCorrection {
  line: number;
  object: ObjectRef;
  ruleId: string;
  description: string;
}

export interface FileFix {
  text: string;
  changed: boolean;
  documents: DocumentFix[];
  corrections: FieldCorrection[];
  /** YAML errors that stopped the file from being fixed (it is then returned unchanged). */
  errors: Array<{ line: number; column: number; message: string }>;
  /** Documents that needed edits but could not be edited safely (left unchanged). */
  skipped: Array<{ line: number; message: string }>;
}

/** How the file lays out nested blocks, so re-printed lines match their neighbours. */
export function detectLayout(text: string): Pick<ToStringOptions, "indent" | "indentSeq"> {
  const lines = text.split("\n");
  let seqSame = 0;
  let seqIndented = 0;
  const indents = new Map<number, number>();
  for (let i = 0; i + 1 < lines.length; i++) {
    const key = /^(\s*)(- )?[^\s#-][^:#]*:\s*(#.*)?$/.exec(lines[i] ?? "");
    if (!key) continue;
    const keyIndent = (key[1]?.length ?? 0) + (key[2]?.length ?? 0);
    const next = /^(\s*)(- )?\S/.exec(lines[i + 1] ?? "");
    if (!next) continue;
    const nextIndent = next[1]?.length ?? 0;
    if (next[2]) {
      if (nextIndent === keyIndent) seqSame++;
      else if (nextIndent > keyIndent) seqIndented++;
    } else if (nextIndent > keyIndent) {
      const step = nextIndent - keyIndent;
      indents.set(step, (indents.get(step) ?? 0) + 1);
    }
  }
  const indent = [...indents.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 2;
  return { indent: indent >= 1 && indent <= 8 ? indent : 2, indentSeq: seqIndented >= seqSame };
}

function sameDocument(text: string, expected: unknown): boolean {
  const reparsed = parseAllDocuments(text) as unknown as Document[];
  if (reparsed.length !== 1 || (reparsed[0]?.errors.length ?? 1) > 0) return false;
  return JSON.stringify(reparsed[0]?.toJS()) === JSON.stringify(expected);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** A workload document as `rewriteWorkloads` hands it to its caller. */
export interface WorkloadDocument {
  documentIndex: number;
  line: number;
  object: K8sObject;
  template: { pod: PodView; path: FieldPath };
}

/** The one document in `segment` as the loader reads it, or undefined when js-yaml refuses it. */
function kubernetesReading(segment: string): unknown {
  try {
    return jsYaml()
      .loadAll(segment, undefined, { schema: kubernetesYamlSchema() })
      .find((value) => value !== null && value !== undefined);
  } catch {
    return undefined;
  }
}

/**
 * Rewrite the workload documents of a manifest file: `edit` returns, per document, edit
 * rounds relative to the pod (template). Documents without edits keep their exact text.
 * `correct`, when given, returns edits of any object relative to the object itself; they
 * are made first, and `edit` sees the object as they leave it.
 */
export function rewriteWorkloads(
  text: string,
  edit: (doc: WorkloadDocument) => Edit[][],
  correct?: (object: K8sObject, line: number) => Edit[],
): { text: string; errors: FileFix["errors"]; skipped: FileFix["skipped"] } {
  if (text.includes("\r\n") && !/(?:^|[^\r])\n/.test(text)) {
    // Saved with Windows line breaks: the lines a fix adds get them too, not a mix. Lines
    // and columns are the same either way (a \r only ends a line).
    const result = rewriteWorkloads(text.replace(/\r\n/g, "\n"), edit, correct);
    return { ...result, text: result.errors.length > 0 ? text : result.text.replace(/\n/g, "\r\n") };
  }
  const docs = parseAllDocuments(text, { prettyErrors: false }) as unknown as Document[];
  const errors = docs.flatMap((d) => d.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? 1, column: e.linePos?.[0]?.col ?? 1, message: e.message })));
  if (errors.length > 0) return { text, errors, skipped: [] };
  const skipped: FileFix["skipped"] = [];
  const layout = detectLayout(text);
  const starts = docs.map((d, i) => (i === 0 ? 0 : (d.range?.[0] ?? 0)));
  const pieces: string[] = [];
  docs.forEach((doc, i) => {
    const segment = text.slice(starts[i], i + 1 < docs.length ? starts[i + 1] : text.length);
    let object: unknown;
    try {
      // toJS first: it refuses alias bombs. The values judged are Kubernetes' reading
      // (yes/no/on/off, octal), as `palisade scan` judges them; the Document is what is edited.
      object = doc.toJS();
      object = kubernetesReading(segment) ?? object;
    } catch (err) {
      // e.g. the yaml package's alias-expansion limit (a "billion laughs" document).
      skipped.push({ line: lineOf(text, doc.range?.[0] ?? 0), message: `not read: ${err instanceof Error ? err.message : String(err)}` });
      pieces.push(segment);
      return;
    }
    // A document is one object, or a List of them (`kubectl get -o yaml`).
    const line = lineOf(text, doc.range?.[0] ?? 0);
    const members: Array<{ object: K8sObject; prefix: FieldPath }> = [];
    if (isRecord(object) && object.kind === "List" && Array.isArray(object.items)) {
      object.items.forEach((item: unknown, n: number) => {
        if (isRecord(item)) members.push({ object: item as K8sObject, prefix: ["items", n] });
      });
    } else if (isRecord(object)) members.push({ object: object as K8sObject, prefix: [] });
    const work: Array<{ path: FieldPath; rounds: Edit[][] }> = [];
    for (const member of members) {
      const corrections = correct?.(member.object, line) ?? [];
      if (corrections.length > 0) {
        applyToJson(member.object, corrections);
        work.push({ path: member.prefix, rounds: [corrections] });
      }
      const template = podTemplate(member.object);
      if (!template) continue;
      const rounds = edit({ documentIndex: i, line, object: member.object, template });
      if (rounds.some((r) => r.length > 0)) work.push({ path: [...member.prefix, ...template.path], rounds });
    }
    if (work.length === 0) {
      pieces.push(segment);
      return;
    }
    try {
      for (const { path, rounds } of work) for (const round of rounds) applyToDocument(doc, path, round);
    } catch (err) {
      // e.g. a securityContext shared through a YAML alias: editing it would change other places too.
      skipped.push({ line: lineOf(text, doc.range?.[0] ?? 0), message: `not edited: ${err instanceof Error ? err.message : String(err)}` });
      pieces.push(segment);
      return;
    }
    let printed = doc.toString({ ...layout, lineWidth: 0, flowCollectionPadding: false });
    // Keep the segment's own ending (blank lines, no final newline) around the re-printed document.
    const trailing = /\n*$/.exec(segment)?.[0] ?? "";
    printed = printed.replace(/\n*$/, "") + trailing;
    // The merge keeps the user's lines; it is only used when it provably means the same document.
    const merged = preserveOriginalLines(segment, printed);
    pieces.push(sameDocument(merged, doc.toJS()) ? merged : printed);
  });
  return { text: pieces.join(""), errors: [], skipped };
}

/** A correction as edits: a key renamed in its own mapping, or set where it belongs and removed where it was. */
function editsOf(correction: Correction): Edit[] {
  if (correction.kind === "retype") return [{ op: "set", path: correction.path, value: correction.value }];
  if (correction.kind === "quote") return [{ op: "quote", path: correction.path }];
  const { from, to } = correction;
  if (from.length === to.length && from.slice(0, -1).every((part, i) => part === to[i])) return [{ op: "rename", path: from, to: String(to[to.length - 1]) }];
  return [{ op: "set", path: to, value: correction.value }, { op: "remove", path: from }];
}

function describeCorrection(correction: Correction): { ruleId: string; description: string } {
  // The value is not shown: it may be a Secret's.
  if (correction.kind === "quote") return { ruleId: "manifest/string-expected", description: `${formatFieldPath(correction.path)} quoted as written` };
  if (correction.kind === "retype") return { ruleId: "manifest/wrong-type", description: `${formatFieldPath(correction.path)}: ${JSON.stringify(correction.was)} → ${String(correction.value)}` };
  return { ruleId: "manifest/unknown-field", description: `${formatFieldPath(correction.from)} → ${formatFieldPath(correction.to)}` };
}

export function fixManifestText(text: string, target: FixTarget): FileFix {
  const documents: DocumentFix[] = [];
  const corrections: FieldCorrection[] = [];
  const result = rewriteWorkloads(
    text,
    ({ documentIndex, line, object, template }) => {
      const plan = planPodFix(target.level, target.version, template.pod);
      documents.push({ documentIndex, line, object: objectRef(object), templatePath: template.path, plan });
      return plan.rounds;
    },
    (object, line) => {
      // Fields the API server would refuse or drop come first: the pod is judged as corrected.
      const found = [...correctionsOf(object, checkFields(object)).values(), ...quoteCorrections(misTypedFields(object))];
      for (const correction of found) corrections.push({ line, object: objectRef(object), ...describeCorrection(correction) });
      return found.flatMap(editsOf);
    },
  );
  if (result.errors.length > 0) return { text, changed: false, documents: [], corrections: [], errors: result.errors, skipped: [] };
  // A document left unedited (see skipped) had none of its corrections made.
  const unedited = new Set(result.skipped.map((s) => s.line));
  return { text: result.text, changed: result.text !== text, documents, corrections: corrections.filter((c) => !unedited.has(c.line)), errors: [], skipped: result.skipped };
}
