import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { type Command } from "commander";
import { UserError } from "../errors.js";
import { isSeverity, type Finding, type Severity } from "../findings/types.js";
import { loadSnapshot } from "../k8s/load.js";
import { describeRef } from "../k8s/types.js";
import { atOrAbove } from "../report/summary.js";
import { renderProblems } from "../report/text.js";
import { compareFindings, type ScanResult } from "../scan/run.js";
import { checkWorkloads, loadPolicies, undecodableWorkloads, type LoadedPolicies } from "../psp/check.js";
import { mutateManifestText } from "../psp/mutate-text.js";
import { PSP_RULE_LIST } from "../psp/rules.js";
import { mayUseFromRbac } from "../psp/rbac.js";
import { rbacAuthorizerFor } from "../access/rbac/family.js";
import { colorFor, EXIT, failOnOption, outputOption, writeStdout, repeatable } from "./common.js";
import { REPORT_FORMATS as SCAN_FORMATS, renderReport } from "../report/render.js";
import { registerPspMigrate } from "./psp-migrate.js";

/**
 * `palisade psp`: PodSecurityPolicy semantics on manifests — check workloads against
 * policies, print the pods as the policies default them, and plan the move to Pod Security
 * Admission. Every workload kind is judged by the pod it would create.
 */
export function registerPspCommand(program: Command): void {
  const psp = program.command("psp").description("PodSecurityPolicy: check and default workloads as the PSP admission controller did; migrate policies to Pod Security Standards");

  psp
    .command("check")
    .description("check workloads against PodSecurityPolicies (every policy usable, as without RBAC data)")
    .option("--policy <file>", "file or directory with PodSecurityPolicy objects (repeatable)", repeatable, [])
    .argument("<paths...>", "manifests to check (files, directories, - for stdin)")
    .option("--rbac", "decide which policies each pod may use from the RBAC objects among the manifests (plus the bootstrap roles), as the admission controller did; without it every policy is usable")
    .option("--user <name>", "with --rbac: the user who creates bare Pods (a template's pods are requested by their controller's service account; the pod's own service account counts for every pod)")
    .addOption(outputOption(SCAN_FORMATS, "text"))
    .addOption(failOnOption("low"))
    .option("--no-color", "never colour the text output")
    .addHelpText("after", "\nExit codes: 0 every pod admitted unchanged or after defaulting, 1 findings at or above --fail-on, 2 usage or input errors (including invalid policies).")
    .action(async (paths: string[], flags: { policy: string[]; rbac?: boolean; user?: string; output: string; failOn: Severity | "none"; color?: boolean }) => {
      process.exitCode = await check(paths, flags);
    });

  psp
    .command("mutate")
    .description("print the manifests with each pod (template) defaulted by the policy that admits it, comments kept")
    .option("--policy <file>", "file or directory with PodSecurityPolicy objects (repeatable)", repeatable, [])
    .argument("<paths...>", "YAML manifests (files; - for stdin)")
    .addHelpText("after", "\nPods no policy admits are printed unchanged and reported on stderr.\nExit codes: 0 all admitted, 1 some pod not admitted, 2 usage or input errors.")
    .action(async (paths: string[], flags: { policy: string[] }) => {
      process.exitCode = await mutate(paths, flags);
    });

  registerPspMigrate(psp);
}

async function readPolicies(files: string[], color: boolean | undefined): Promise<{ loaded: LoadedPolicies; problems: string }> {
  if (files.length === 0) throw new UserError("no policies given", { hint: "add --policy FILE (repeatable) with PodSecurityPolicy objects" });
  const snapshot = await loadSnapshot({ paths: files });
  const loaded = loadPolicies(snapshot.objects);
  if (loaded.policies.length === 0 && loaded.findings.length === 0) {
    // The reason may be a file that did not load (a YAML error): say it before refusing.
    if (snapshot.problems.length > 0) process.stderr.write(renderProblems(snapshot.problems, colorFor(process.stderr, color)) + "\n");
    throw new UserError(`no PodSecurityPolicy objects in ${files.join(", ")}`, { hint: "--policy takes files with apiVersion policy/v1beta1 (or extensions/v1beta1) kind PodSecurityPolicy" });
  }
  return { loaded, problems: snapshot.problems.length ? renderProblems(snapshot.problems, colorFor(process.stderr, color)) : "" };
}

async function check(paths: string[], flags: { policy: string[]; rbac?: boolean; user?: string; output: string; failOn: Severity | "none"; color?: boolean }): Promise<number> {
  if (!isSeverity(flags.failOn) && flags.failOn !== "none") throw new UserError(`--fail-on ${flags.failOn}: unknown severity`);
  const { loaded, problems } = await readPolicies(flags.policy, flags.color);
  const snapshot = await loadSnapshot({ paths });
  const mayUse = flags.rbac ? mayUseFromRbac(rbacAuthorizerFor(snapshot, { bootstrap: true })) : undefined;
  // A workload the API server cannot decode never reaches admission: an input problem, not judged.
  snapshot.problems.push(...undecodableWorkloads(snapshot.objects));
  const findings: Finding[] = [...loaded.findings, ...checkWorkloads(loaded.policies, snapshot.objects, mayUse, flags.user)].sort(compareFindings);
  const result: ScanResult = {
    findings,
    problems: snapshot.problems,
    stats: snapshot.stats,
    rules: [...PSP_RULE_LIST],
    scanned: snapshot.objects.map((o) => ({ object: { kind: o.object.kind ?? "Unknown", name: o.object.metadata?.name ?? "(unnamed)" }, file: o.source.file })),
  };
  if (problems || snapshot.problems.length > 0) process.stderr.write(problems + (snapshot.problems.length ? renderProblems(snapshot.problems, colorFor(process.stderr, flags.color)) : "") + "\n");
  await writeStdout(renderReport(result, flags));
  if (loaded.findings.length > 0 || snapshot.problems.some((p) => p.kind !== "binary")) return EXIT.usage;
  return atOrAbove(findings, flags.failOn).length > 0 ? EXIT.findings : EXIT.clean;
}

async function mutate(paths: string[], flags: { policy: string[] }): Promise<number> {
  const { loaded, problems } = await readPolicies(flags.policy, undefined);
  if (problems) process.stderr.write(problems + "\n");
  for (const f of loaded.findings) process.stderr.write(`${f.position ? `${f.position.file}:${f.position.line}:${f.position.column}: ` : ""}invalid policy: ${f.message}\n`);
  let exit: number = loaded.findings.length > 0 ? EXIT.usage : EXIT.clean;
  const worse = (code: number) => (exit = Math.max(exit, code));
  const outputs: string[] = [];
  for (const path of paths) {
    const text = path === "-" ? await readStdinText() : await readFile(path, "utf8").catch(() => {
      throw new UserError(`${path}: cannot read file`, { hint: "psp mutate takes YAML or JSON files (or - for stdin)" });
    });
    const name = path === "-" ? "<stdin>" : path;
    if (path === "-" && text.trim() === "") {
      process.stderr.write("<stdin>:1:1: standard input was empty: nothing was mutated\n  hint: check the command that feeds it; with `set -o pipefail` its failure stops the pipeline\n");
      worse(EXIT.usage);
      continue;
    }
    const result = mutateManifestText(text, loaded.policies, undefined, { file: name, ...(extname(path).toLowerCase() === ".json" ? { json: true } : {}) });
    for (const e of result.errors) {
      process.stderr.write(`${name}:${e.line}:${e.column}: ${e.message}${e.hint?.includes("left unchanged") ? "" : " (left unchanged)"}${e.hint ? `\n  hint: ${e.hint.replace("were still scanned", "were still mutated")}` : ""}\n`);
      worse(EXIT.usage);
    }
    for (const d of result.documents) {
      const ref = describeRef({ kind: d.object.kind ?? "Unknown", name: d.object.metadata?.name ?? "(unnamed)", ...(d.object.metadata?.namespace ? { namespace: d.object.metadata.namespace } : {}) });
      if (d.result.allowed && d.notWritten) {
        process.stderr.write(`${name}:${d.line}: ${ref}: admitted by ${d.result.policy}, but its defaulting was NOT written: ${d.notWritten}\n`);
        worse(EXIT.findings);
      } else if (d.result.allowed) process.stderr.write(`${name}:${d.line}: ${ref}: admitted by ${d.result.policy}${d.result.mutated ? " (defaulted)" : " (unchanged)"}\n`);
      else {
        process.stderr.write(`${name}:${d.line}: ${ref}: ${d.result.message}\n`);
        worse(EXIT.findings);
      }
    }
    outputs.push(paths.length > 1 ? `---\n# Source: ${name}\n${result.text.replace(/^---\n/, "")}` : result.text);
  }
  await writeStdout(outputs.join(""));
  return exit;
}

async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
