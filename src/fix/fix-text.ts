import { formatFieldPath, objectRef, type FieldPath, type K8sObject } from "../k8s/types.js";
import { correctionsOf, quoteCorrections, type Correction } from "../manifest/fixes.js";
import { misTypedFields } from "../manifest/string-fields.js";
import { checkFields } from "../manifest/field-check.js";
import { podTemplate } from "../k8s/workloads.js";
import { isKubernetesObject } from "../k8s/parse.js";
import type { ObjectRef } from "../findings/types.js";
import { evaluatePod } from "../podsecurity/evaluate.js";
import type { Level, Version } from "../podsecurity/levels.js";
import type { Edit } from "./edits.js";
import { planPodFix, whyNotFixed, type PodFixPlan } from "./plan.js";
import { rewriteManifest, type InputProblem, type RewriteOptions } from "./rewrite.js";

export { detectLayout } from "./layout.js";

/**
 * `palisade fix` over one manifest file's text: every document, every workload kind.
 * What is reported is what was written: each change whose edit is in the text, and the
 * violations the written text still has (re-judged), with why each was left.
 */

export interface FixTarget {
  level: Level;
  version: Version;
}

export interface DocumentFix {
  documentIndex: number;
  /** 1-based line where the object starts. */
  line: number;
  object: ObjectRef;
  /** Where the pod (template) sits in the object, e.g. ["spec", "template"]. */
  templatePath: FieldPath;
  /** As written: `changes` are the edits made, `notFixed` and `after` the written pod's violations. */
  plan: PodFixPlan;
}

/** A misspelt or misplaced field moved, or a quoted integer or boolean unquoted (manifest/fixes.ts). */
export interface FieldCorrection {
  line: number;
  object: ObjectRef;
  ruleId: string;
  description: string;
  /** Why the correction could not be written (it was not); absent when it was. */
  notMade?: string;
}

export interface FileFix {
  text: string;
  changed: boolean;
  documents: DocumentFix[];
  corrections: FieldCorrection[];
  /** Input problems (YAML errors, refused documents, fields the API server cannot decode): those documents or objects keep their text. */
  errors: InputProblem[];
  /** Kubernetes objects read (with or without a pod): none in every file given is an input error. */
  objects: number;
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

/**
 * Fields the written object still has that kubectl apply refuses (unknown, or of the wrong
 * type) and no certain correction moved: reported NOT fixed, so a run that leaves the
 * manifest unappliable does not end as if it were ready.
 */
function fieldsLeft(written: K8sObject, line: number, object: ObjectRef): Array<FieldCorrection & { field: string }> {
  if (!isKubernetesObject(written)) return [];
  const check = checkFields(written);
  return [
    ...check.unknown.map((field) => ({
      line, object, field: formatFieldPath(field.path), ruleId: "manifest/unknown-field",
      description: `${formatFieldPath(field.path)} is not a field of ${field.type}${field.meant ? `: did you mean ${field.meant}?` : ""}`,
      notMade: "where it was meant is not certain: kubectl apply refuses the object until it is moved or removed by hand",
    })),
    ...check.wrongTypes.map((field) => ({
      line, object, field: formatFieldPath(field.path), ruleId: "manifest/wrong-type",
      description: `${formatFieldPath(field.path)} holds ${JSON.stringify(field.value) ?? String(field.value)}, where ${field.expected} is expected`,
      notMade: "the value meant is not certain: kubectl apply refuses the object until it is corrected by hand",
    })),
  ];
}

export function fixManifestText(text: string, target: FixTarget, options: RewriteOptions = {}): FileFix {
  const corrections = new Map<Edit, { correction: Correction; edits: Edit[] }>();
  const plans = new Map<string, PodFixPlan>();
  const result = rewriteManifest(
    text,
    {
      // Fields the API server would refuse or drop come first: the pod is judged as corrected.
      correct: (object) =>
        [...correctionsOf(object, checkFields(object)).values(), ...quoteCorrections(misTypedFields(object))].flatMap((correction) => {
          const edits = editsOf(correction);
          for (const edit of edits) corrections.set(edit, { correction, edits });
          return edits;
        }),
      edit: ({ documentIndex, line, template }) => {
        const plan = planPodFix(target.level, target.version, template.pod);
        plans.set(`${documentIndex}:${line}`, plan);
        return plan.rounds;
      },
    },
    options,
  );
  const documents: DocumentFix[] = [];
  const made: FieldCorrection[] = [];
  for (const outcome of result.objects) {
    const object = objectRef(outcome.before as K8sObject);
    const seen = new Set<Correction>();
    // Fields a correction was meant for and could not be written: reported with its reason, not again as left.
    const attempted = new Set<string>();
    for (const [edit] of outcome.edits) {
      const found = corrections.get(edit);
      if (!found || seen.has(found.correction)) continue;
      seen.add(found.correction);
      const why = found.edits.map((e) => outcome.edits.get(e)).find((w) => w !== undefined);
      made.push({ line: outcome.line, object, ...describeCorrection(found.correction), ...(why ? { notMade: why } : {}) });
      if (why) attempted.add(formatFieldPath(found.correction.kind === "move" ? found.correction.from : found.correction.path));
    }
    made.push(...fieldsLeft(outcome.written, outcome.line, object).filter((left) => !attempted.has(left.field)).map(({ field: _field, ...left }) => left));
    const plan = plans.get(`${outcome.documentIndex}:${outcome.line}`);
    const written = podTemplate(outcome.written);
    if (!plan || !written || outcome.templatePath === undefined) continue;
    // Judged again as written: an edit that could not be made leaves its violation.
    const after = evaluatePod(target.level, target.version, written.pod);
    const refused = new Map<string, string>();
    for (const change of plan.changes) {
      const why = outcome.edits.get(change.edit);
      if (why !== undefined && !refused.has(change.checkId)) refused.set(change.checkId, why);
    }
    const notFixed = after.map((v) => ({
      checkId: v.checkId, reason: v.reason, detail: v.detail, fields: v.fields,
      why: refused.get(v.checkId) ?? plan.notFixed.find((n) => n.checkId === v.checkId)?.why ?? whyNotFixed(v.checkId),
    }));
    // A check that passes with only some of its edits written is not fixed either: a
    // seccompProfile field written without the removal of the annotation it contradicts
    // passes the level, and the API server refuses it.
    const failing = new Set(after.map((v) => v.checkId));
    for (const [checkId, why] of refused) {
      if (failing.has(checkId)) continue;
      notFixed.push({ checkId, reason: "not all of its edits could be written", detail: why, fields: [], why: "the others were: finish the change by hand, or the API server may refuse the object" });
    }
    const changes = plan.changes.filter((c) => outcome.edits.has(c.edit) && outcome.edits.get(c.edit) === undefined);
    documents.push({ documentIndex: outcome.documentIndex, line: outcome.line, object, templatePath: outcome.templatePath, plan: { ...plan, changes, notFixed, after } });
  }
  return { text: result.text, changed: result.text !== text, documents, corrections: made, errors: result.problems, objects: result.objects.filter((o) => isKubernetesObject(o.before)).length };
}
