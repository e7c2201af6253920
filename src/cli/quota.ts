import type { Command } from "commander";
import { UserError } from "../errors.js";
import { isSeverity, type ObjectRef, type Severity } from "../findings/types.js";
import { loadSnapshot } from "../k8s/load.js";
import { atOrAbove } from "../report/summary.js";
import { renderProblems, renderText } from "../report/text.js";
import { compareFindings, type ScanResult } from "../scan/run.js";
import { objectRef } from "../k8s/types.js";
import { evaluateQuotas, type NamespaceReport, type QuotaReport } from "../access/quota/evaluate.js";
import { QUOTA_RULES } from "../access/quota/rules.js";
import { packageVersion } from "../version.js";
import { SCANNED_RESOURCES } from "../adapters/cluster.js";
import { clusterOptions, clusterRequested, liveInput, type ClusterFlags } from "./cluster-flags.js";
import { colorFor, EXIT, failOnOption, outputOption, writeStdout } from "./common.js";
import { withNothingScanned } from "./scan.js";
import { columns } from "../report/columns.js";
import { printable } from "../report/printable.js";

interface QuotaFlags extends ClusterFlags {
  output: string;
  failOn: Severity | "none";
  namespace?: string;
  allNamespaces?: boolean;
  color?: boolean;
}

/**
 * `palisade quota PATH...` (or `--cluster`): every namespace's ResourceQuota usage as the
 * workloads would fill it, the workloads quota or LimitRange admission would reject, and
 * namespaces left unbounded. Over a live cluster the workloads count at their declared
 * replicas (a Deployment, not its pods), beside what the quota controller last recorded.
 */
export function registerQuotaCommand(program: Command): void {
  const command = program
    .command("quota")
    .description("ResourceQuota and LimitRange over manifests or a live cluster: usage per namespace, workloads admission would reject, namespaces without quotas")
    .argument("[paths...]", "files or directories of manifests; - reads stdin")
    .addOption(outputOption(["text", "wide", "json"], "text"))
    .addOption(failOnOption("high"))
    .option("-n, --namespace <ns>", "namespace of objects that set none (as kubectl apply -n); also shows only this namespace")
    .option("-A, --all-namespaces", "show every namespace (the default when -n is not given)")
    .option("--no-color", "never colour the text output");
  clusterOptions(command)
    .addHelpText(
      "after",
      "\nUSED is what the workloads need at their declared replicas; REPORTED (shown when a quota carries status.used, as live ones do) is what the quota controller last recorded. Over a live cluster, Secrets and ConfigMaps are not read: their counts show as not read.\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.",
    )
    .action(async (paths: string[], flags: QuotaFlags) => {
      process.exitCode = await quota(paths, flags);
    });
}

const RUNTIME_CLASSES = "runtimeclasses.node.k8s.io";

async function quota(paths: string[], flags: QuotaFlags): Promise<number> {
  if (!isSeverity(flags.failOn) && flags.failOn !== "none") throw new UserError(`--fail-on ${flags.failOn}: unknown severity`);
  if (flags.namespace && flags.allNamespaces) throw new UserError("-n and -A cannot be used together", { hint: "-n names the namespace of objects that set none and filters the report; -A shows everything" });
  const live = clusterRequested(flags);
  if (paths.length === 0 && !live) throw new UserError("nothing to read", { hint: "give files or directories (palisade quota manifests/), - for stdin, or --cluster" });
  // Every namespace is read: -n is the report's filter here, not the read's.
  // RuntimeClasses too: the overhead their pods are given counts against quotas.
  const snapshot = await loadSnapshot({ paths, ...(await liveInput(flags, [...SCANNED_RESOURCES, RUNTIME_CLASSES])) });
  // A live read that listed the RuntimeClasses holds every one: a class it lacks does not exist.
  const everyRuntimeClass = snapshot.listedResources?.includes(RUNTIME_CLASSES) === true && !snapshot.problems.some((p) => p.kind === "unreadable" && p.message.includes("runtimeclasses"));
  const evaluation = evaluateQuotas(snapshot, { ...(flags.namespace ? { defaultNamespace: flags.namespace } : {}), everyRuntimeClass });
  const only = flags.namespace && !flags.allNamespaces ? flags.namespace : undefined;
  const findings = evaluation.findings.filter((f) => !only || (f.object?.kind === "Namespace" ? f.object.name === only : (f.object?.namespace ?? only) === only)).sort(compareFindings);
  const namespaces = evaluation.namespaces.filter((n) => !only || n.namespace === only);
  if (live) for (const ns of namespaces) for (const q of ns.quotas) markNotRead(q);
  // Objects the API server would refuse are input problems: left out of the totals, and exit 2.
  const evaluated: ScanResult = {
    findings,
    problems: [...snapshot.problems, ...evaluation.refused.map((r) => r.problem)],
    stats: snapshot.stats,
    rules: [...QUOTA_RULES],
    scanned: snapshot.objects.map((o) => ({ object: objectRef(o.object), file: o.source.file })),
  };
  // Files with no object at all (a wrong path in CI) would otherwise pass as "no findings", as in scan.
  const result = live ? evaluated : withNothingScanned(evaluated, snapshot, paths[0] ?? "-");
  const problems = result.problems;
  if (problems.length > 0) process.stderr.write(renderProblems(problems, colorFor(process.stderr, flags.color)) + "\n");
  const refusedQuotas = evaluation.refused.filter((r) => r.object.kind === "ResourceQuota").length;
  if (flags.output === "json") {
    const report = { schemaVersion: "palisade.dev/quota/v1", tool: { name: "palisade", version: packageVersion() }, namespaces, findings, problems, controlled: evaluation.controlled };
    await writeStdout(JSON.stringify(report, null, 2) + "\n");
  } else {
    await writeStdout(usageTable(namespaces, refusedQuotas) + controlledNote(evaluation.controlled) + "\n" + renderText(result, { color: colorFor(process.stdout, flags.color), wide: flags.output === "wide" }));
  }
  if (problems.some((p) => p.kind !== "binary")) return EXIT.usage;
  return atOrAbove(findings, flags.failOn).length > 0 ? EXIT.findings : EXIT.clean;
}

/**
 * A live read leaves out Secrets and ConfigMaps (never read) and kinds no rule reads, so
 * counts of them would show 0 where the cluster holds some: they say `not read` instead.
 */
function markNotRead(quota: QuotaReport): void {
  const read = new Set<string>(SCANNED_RESOURCES);
  const notRead = Object.keys(quota.hard).filter((resource) => (resource.startsWith("count/") ? !read.has(resource.slice("count/".length)) : resource === "secrets" || resource === "configmaps"));
  if (notRead.length === 0) return;
  for (const resource of notRead) delete quota.used[resource];
  quota.notRead = notRead;
}

/**
 * Objects counted through the controller the input also holds (an export of a Deployment,
 * its ReplicaSets and their pods), named as the live read's summary counts them.
 */
export function controlledNote(controlled: readonly ObjectRef[]): string {
  if (controlled.length === 0) return "";
  const names = controlled.map((o) => `${o.kind}/${o.namespace ? `${o.namespace}/` : ""}${o.name}`);
  const shown = names.length > 5 ? [...names.slice(0, 5), `and ${names.length - 5} more`] : names;
  return `\n${controlled.length} object(s) counted through the controller in the input that made them, not again (a Deployment's ReplicaSets and pods...): ${printable(shown.join(", "))}\n`;
}

/**
 * kubectl-style columns: one row per quota resource, then the quotas that have none to show
 * (every hard limit unreadable), and the namespaces with no quota.
 */
export function usageTable(namespaces: readonly NamespaceReport[], refusedQuotas = 0): string {
  const reported = namespaces.some((ns) => ns.quotas.some((q) => q.reported));
  const rows: string[][] = [["NAMESPACE", "QUOTA", "RESOURCE", "USED", ...(reported ? ["REPORTED"] : []), "HARD", "PODS", "REJECTED"]];
  const unbounded: string[] = [];
  const empty: string[] = [];
  for (const ns of namespaces) {
    if (ns.quotas.length === 0) {
      unbounded.push(ns.namespace);
      continue;
    }
    for (const q of ns.quotas) {
      if (Object.keys(q.hard).length === 0) empty.push(`${ns.namespace}/${q.name}`);
      const name = q.scopes.length ? `${q.name} [${q.scopes.join("; ")}]` : q.name;
      for (const [resource, hard] of Object.entries(q.hard)) {
        const used = q.notRead?.includes(resource) ? "not read" : (q.used[resource] ?? "0");
        rows.push([ns.namespace, name, resource, used, ...(reported ? [q.reported?.[resource] ?? "-"] : []), hard, String(ns.pods), String(ns.rejectedPods)]);
      }
    }
  }
  const lines: string[] = [];
  if (rows.length > 1) {
    lines.push(...columns(rows));
  } else if (empty.length === 0) {
    lines.push(refusedQuotas > 0 ? `No ResourceQuota the API server would accept in the input (${refusedQuotas} refused: see the input problems).` : "No ResourceQuota in the input.");
  }
  if (empty.length > 0) lines.push(...(rows.length > 1 ? [""] : []), `ResourceQuotas with no hard limit that can be read (they limit nothing): ${printable(empty.join(", "))}`);
  if (unbounded.length > 0) lines.push("", `Namespaces without a ResourceQuota: ${printable(unbounded.join(", "))}`);
  return lines.join("\n") + "\n";
}
