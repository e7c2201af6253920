import { createColors } from "picocolors";
import { SEVERITIES, type Finding, type Severity } from "../findings/types.js";
import { describeRef, isLiveFile } from "../k8s/types.js";
import type { LoadProblem } from "../k8s/types.js";
import type { ScanResult } from "../scan/run.js";
import { printable, printableLineStart } from "./printable.js";
import { countBySeverity, findingSubjects } from "./summary.js";

type Colors = ReturnType<typeof createColors>;

export interface TextOptions {
  color: boolean;
  /** Only the summary line(s), not every finding. */
  summaryOnly?: boolean;
  /** Show fields and remediation under each finding (`-o wide`). */
  wide?: boolean;
}

function paint(c: Colors, severity: Severity, text: string): string {
  switch (severity) {
    case "critical":
      return c.bold(c.red(text));
    case "high":
      return c.red(text);
    case "medium":
      return c.yellow(text);
    case "low":
      return c.cyan(text);
    default:
      return c.dim(text);
  }
}

/**
 * Findings grouped by file, then by object, in file order; one piece per file, so a scan
 * of 200,000 findings is never one string. Every value from the input goes through
 * printable() as its line is put together, before any colour: the line breaks and colours
 * are the renderer's own, and nothing in a manifest can add to them.
 */
export function* renderTextPieces(result: ScanResult, options: TextOptions): Generator<string> {
  const c = createColors(options.color);
  if (!options.summaryOnly) {
    const byFile = new Map<string, Finding[]>();
    for (const f of result.findings) {
      const file = f.position?.file ?? "<unknown>";
      const list = byFile.get(file) ?? [];
      list.push(f);
      byFile.set(file, list);
    }
    for (const [file, findings] of byFile) {
      const out: string[] = [c.bold(c.underline(printableLineStart(file)))];
      const byObject = new Map<string, Finding[]>();
      for (const f of findings) {
        const key = f.object ? describeRef(f.object) : "(file)";
        const list = byObject.get(key) ?? [];
        list.push(f);
        byObject.set(key, list);
      }
      for (const [ref, list] of byObject) {
        // The note the object's noted findings share (the level Pod Security judged it at), even beside findings of rules that note nothing.
        const notes = new Set(list.flatMap((f) => (f.note ? [f.note] : [])));
        const shared = notes.size === 1 ? [...notes][0] : "";
        out.push(`  ${c.bold(printableLineStart(ref))}${shared ? c.dim(`  — ${printable(shared)}`) : ""}`);
        let idWidth = 0;
        for (const f of list) idWidth = Math.max(idWidth, f.ruleId.length);
        let shownPatch: Finding["fix"];
        for (const f of list) {
          // A live object's lines are those of the List kubectl returned, which nobody sees: -o wide names the field.
          const where = f.position && !isLiveFile(f.position.file) ? `${f.position.line}:${f.position.column}` : "";
          out.push(`    ${c.dim(where.padEnd(8))} ${paint(c, f.severity, f.severity.padEnd(8))} ${c.magenta(f.ruleId.padEnd(idWidth))}  ${printable(f.message)}`);
          if (options.wide) {
            if (f.note) out.push(`             ${c.dim("why:")}   ${printable(f.note)}`);
            if (f.fieldPath) out.push(`             ${c.dim("field:")} ${printable(f.fieldPath)}`);
            if (f.remediation) out.push(`             ${c.dim("fix:")}   ${printable(f.remediation)}`);
            if (f.fix && f.fix.length > 0) {
              // A live object's fix is a kubectl command (an object's findings share one patch: shown once);
              // a file's, or another family's, only that it exists: its values may be a manifest's (a Secret's number retyped), and palisade fix edits files.
              const live = f.position && f.object && f.ruleId.startsWith("pss/") ? kubectlPatch(f.position.file, f.object, f.fix) : undefined;
              if (live && f.fix === shownPatch) out.push(`             ${c.dim("patch:")} the same as above`);
              else if (live) out.push(`             ${c.dim("patch:")} ${printable(live)}`);
              else out.push(`             ${c.dim("patch:")} a JSON patch of ${f.fix.length} ${f.fix.length === 1 ? "operation" : "operations"} (-o json)`);
              shownPatch = f.fix;
            }
          }
        }
      }
      // Each file ends with an empty line.
      yield out.join("\n") + "\n\n";
    }
  }
  yield summaryLine(result, c) + "\n";
}

/**
 * `kubectl patch` for a live object's fix, at the context it was read from; undefined for
 * objects read from files. Single-quoted for a POSIX shell (a ' inside closes, escapes and reopens).
 */
function kubectlPatch(file: string, object: NonNullable<Finding["object"]>, patch: NonNullable<Finding["fix"]>): string | undefined {
  if (!isLiveFile(file)) return undefined;
  const context = file === "<cluster>" ? undefined : file.slice("<cluster ".length, -1);
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  return [
    "kubectl patch",
    quote(`${object.kind}/${object.name}`),
    ...(object.namespace ? ["-n", quote(object.namespace)] : []),
    ...(context ? ["--context", quote(context)] : []),
    "--type json -p",
    quote(JSON.stringify(patch)),
  ].join(" ");
}

export function renderText(result: ScanResult, options: TextOptions): string {
  return [...renderTextPieces(result, options)].join("");
}

/** "across 3 files", "across 2 files and 1 kustomization", "read from <cluster ctx>": what the scan read. */
function scannedInputs(stats: ScanResult["stats"]): string {
  const kustomizations = stats.kustomizations ?? 0;
  // A kubeconfig context's name is the kubeconfig's to choose.
  const cluster = stats.cluster === undefined ? undefined : printable(stats.cluster);
  const parts = [
    ...(stats.files > 0 || (kustomizations === 0 && stats.cluster === undefined) ? [count(stats.files, "file", "files")] : []),
    ...(kustomizations > 0 ? [count(kustomizations, "kustomization", "kustomizations")] : []),
    ...(cluster !== undefined ? [cluster] : []),
  ];
  if (parts.length === 1 && cluster !== undefined) return `read from ${cluster}`;
  return `across ${parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}` : parts.join("")}`;
}


export function summaryLine(result: ScanResult, c: Colors = createColors(false)): string {
  const counts = countBySeverity(result.findings);
  const parts = [...SEVERITIES]
    .reverse()
    .filter((s) => counts[s] > 0)
    .map((s) => paint(c, s, `${counts[s]} ${s}`));
  const files = scannedInputs(result.stats);
  let head: string;
  // Against a baseline, the findings shown are the new ones only.
  const fresh = result.baseline ? "new " : "";
  if (result.findings.length === 0) {
    // Dockerfiles are files, not objects: a scan of clean Dockerfiles alone said "in 0 objects", as if nothing had been read.
    const dockerfiles = result.stats.dockerfiles ?? 0;
    const read = [...(result.stats.objects > 0 || dockerfiles === 0 ? [count(result.stats.objects, "object", "objects")] : []), ...(dockerfiles > 0 ? [count(dockerfiles, "Dockerfile", "Dockerfiles")] : [])];
    head = c.green(`No ${fresh}findings in ${read.join(" and ")} ${files}.`);
  } else {
    const subjects = findingSubjects(result);
    const about: string[] = [];
    // Dockerfiles are files, not objects: "4 of 0 objects" would say findings about nothing.
    if (subjects.objects > 0 || subjects.dockerfiles === 0 || result.stats.objects > 0) about.push(`${subjects.objects} of ${count(result.stats.objects, "object", "objects")}`);
    if (subjects.impliedNamespaces > 0) about.push(`${count(subjects.impliedNamespaces, "namespace", "namespaces")} with no Namespace object`);
    const dockerfiles = result.stats.dockerfiles ?? 0;
    if (subjects.dockerfiles > 0) about.push(dockerfiles > 0 ? `${subjects.dockerfiles} of ${count(dockerfiles, "Dockerfile", "Dockerfiles")}` : count(subjects.dockerfiles, "Dockerfile", "Dockerfiles"));
    head = `${c.bold(String(result.findings.length))} ${fresh}${result.findings.length === 1 ? "finding" : "findings"} (${parts.join(", ")}) in ${about.join(" and ")}, ${files}.`;
  }
  const notes: string[] = [];
  // A binary file is skipped, not a problem (it does not make the exit code 2): it is named above and counted once, as skipped.
  const problems = result.problems.filter((p) => p.kind !== "binary").length;
  const binary = result.problems.length - problems;
  if (problems > 0) notes.push(c.red(`${problems} input ${problems === 1 ? "problem" : "problems"} (see above)`));
  if (result.stats.skippedNonKubernetes > 0) notes.push(`${count(result.stats.skippedNonKubernetes, "non-Kubernetes document", "non-Kubernetes documents")} skipped`);
  if (binary > 0) notes.push(`${count(binary, "binary file", "binary files")} skipped (see above)`);
  const otherSkipped = result.stats.skippedFiles - binary;
  if (otherSkipped > 0) notes.push(`${count(otherSkipped, "other file", "other files")} skipped`);
  const patches = result.stats.skippedPatches ?? 0;
  if (patches > 0) notes.push(`${count(patches, "kustomize patch", "kustomize patches")} left out (parts of objects: scan the rendered overlay with -k DIR)`);
  const templates = result.stats.skippedTemplates ?? 0;
  if (templates > 0) notes.push(`${count(templates, "Helm template", "Helm templates")} left out (scan the rendered chart: helm template CHART | palisade scan -)`);
  const controlled = result.stats.skippedControlled ?? 0;
  if (controlled > 0) notes.push(`${count(controlled, "live object", "live objects")} judged through the controller that made ${controlled === 1 ? "it" : "them"} (a Deployment's ReplicaSets and pods...)`);
  const selection = result.ruleSelection;
  if (selection) notes.push(`${count(result.rules.length, "rule", "rules")} checked (${describeSelection(selection)})`);
  const baseline = result.baseline;
  if (baseline) notes.push(`against ${printable(baseline.file)}: ${count(baseline.known, "known finding", "known findings")} not shown, ${baseline.fixed} fixed since`);
  return notes.length ? `${head}\n${notes.join("; ")}.` : head;
}

function describeSelection(selection: NonNullable<ScanResult["ruleSelection"]>): string {
  const parts: string[] = [];
  if (selection.rules.length > 0) parts.push(`only ${selection.rules.join(", ")}`);
  if (selection.skipRules.length > 0) parts.push(`skipping ${selection.skipRules.join(", ")}`);
  // The patterns are as given, on the command line or in a configuration file.
  return printable(parts.join("; "));
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `file:line:col: message` lines for stderr; a message may quote the input, so it is made printable too. */
export function renderProblems(problems: readonly LoadProblem[], color: boolean): string {
  const c = createColors(color);
  return problems
    .map((p) => `${c.bold(printableLineStart(`${p.position.file}:${p.position.line}:${p.position.column}`))}: ${c.red(printable(p.message))}${p.hint ? `\n  ${c.dim("hint:")} ${printable(p.hint)}` : ""}`)
    .join("\n");
}
