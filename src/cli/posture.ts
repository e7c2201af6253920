/**
 * `palisade posture`: the zero-trust posture of manifests or a live cluster, a trust score
 * per workload on identity, workload, network and data, as a table, JSON, or a
 * self-contained HTML report with the network graph. Flags in, core call, report out.
 */
import type { Command } from "commander";
import { isNamespaced } from "../access/quota/namespaces.js";
import { SCANNED_RESOURCES } from "../adapters/cluster.js";
import { UserError } from "../errors.js";
import { loadSnapshot } from "../k8s/load.js";
import { liveSourceName, type LoadedObject } from "../k8s/types.js";
import { withBaseline } from "../posture/baseline.js";
import { buildPosture } from "../posture/build.js";
import { chooseOrdering } from "../network/calico/ordering-choice.js";
import { isCalicoObject } from "../network/calico/tiers.js";
import { calicoVersionFlag, calicoVersionOption, warnAboutOrdering } from "./calico-version-flag.js";
import { conflictingWorkloads } from "../posture/duplicates.js";
import { postureJsonPieces } from "../posture/render-json.js";
import { renderPostureText } from "../posture/render-text.js";
import type { PostureReport } from "../posture/types.js";
import { renderProblems } from "../report/text.js";
import { runScan } from "../scan/run.js";
import { packageVersion } from "../version.js";
import { clusterOptions, clusterRequested, connectionOf, saveInput, type ClusterFlags } from "./cluster-flags.js";
import { colorFor, EXIT, outputOption, writeStdout, repeatable } from "./common.js";
import { readJsonReport } from "./json-report.js";
import { namespacesIn, requireKnownNamespace } from "./namespace-flag.js";
import { scanOptionsFrom, withNothingScanned } from "./scan.js";

interface PostureFlags extends ClusterFlags {
  kustomize?: string[];
  output: string;
  namespace?: string;
  allNamespaces?: boolean;
  failBelow?: string;
  baseline?: string;
  failOnDrop?: boolean;
  calicoVersion?: string;
  color?: boolean;
}

export function registerPostureCommand(program: Command): void {
  const command = program
    .command("posture")
    .description("zero-trust posture: a trust score per workload on identity, workload, network and data, with every deduction explained (text, wide, json, html)")
    .argument("[paths...]", "files or directories of manifests; - reads stdin")
    .option("-k, --kustomize <dir>", "render a kustomization directory with kubectl kustomize (repeatable)", repeatable)
    .addOption(outputOption(["text", "wide", "json", "html"], "text"))
    .option("-n, --namespace <ns>", "report only this namespace's workloads, scores and findings; its graph adds only the other namespaces' workloads that connect with them, marked as outside it (every namespace is still read: who may reach them counts)")
    .option("-A, --all-namespaces", "report every namespace (the default)")
    .option("--fail-below <score>", "exit 1 when a reported workload scores below this (0-100)")
    .option("--baseline <file>", "an earlier palisade posture -o json report: show what scores lower, higher, new or gone")
    .option("--fail-on-drop", "with --baseline: exit 1 when a workload scores lower than in the baseline, overall or on any pillar")
    .addOption(calicoVersionOption());
  clusterOptions(command)
    .option("--no-color", "never colour the text output")
    .addHelpText(
      "after",
      "\nScores: each pillar starts at 100; a deduction takes critical 60, high 40, medium 15, low 5 of what is left; a rule costs once per workload; a workload scores its weakest pillar. Grades: A >= 90, B >= 75, C >= 50, D >= 25, F below.\nExit codes: 0 clean, 1 a workload below --fail-below (or, with --fail-on-drop, lower than in --baseline, overall or on a pillar), 2 usage or input errors.",
    )
    .action(async (paths: string[], flags: PostureFlags) => {
      process.exitCode = await posture(paths, flags);
    });
}

async function posture(paths: string[], flags: PostureFlags): Promise<number> {
  const kustomizeDirs = flags.kustomize ?? [];
  const live = clusterRequested(flags);
  if (paths.length === 0 && kustomizeDirs.length === 0 && !live) throw new UserError("nothing to judge", { hint: "give files or directories (palisade posture manifests/), - for stdin, -k DIR, or --cluster" });
  if (flags.namespace && flags.allNamespaces) throw new UserError("-n and -A both given: choose one namespace (-n NAME) or all of them (-A)");
  const failBelow = flags.failBelow === undefined ? undefined : scoreThreshold(flags.failBelow);
  const calicoVersion = calicoVersionFlag(flags.calicoVersion);
  // A page of ~500 KB is of no use in a terminal: say where it should go instead of printing it.
  if (flags.output === "html" && process.stdout.isTTY) throw new UserError("-o html writes a web page: send it to a file", { hint: "palisade posture ... -o html > posture.html, then open posture.html in a browser" });
  if (flags.failOnDrop && !flags.baseline) throw new UserError("--fail-on-drop needs --baseline FILE", { hint: "save a report first: palisade posture manifests/ -o json > posture-base.json" });
  // Read before the (longer) scan, so a wrong path fails at once.
  const baseline = flags.baseline === undefined ? undefined : await readJsonReport("--baseline", flags.baseline, "save a report first: palisade posture manifests/ -o json > posture-base.json");
  // With --save the findings point into the saved files; the report still names the cluster they came from.
  let savedFrom: string | undefined;
  const save = await saveInput(flags, live);
  const saved = save.onSaved;
  if (saved) {
    save.onSaved = (files, from) => {
      savedFrom = from;
      saved(files, from);
    };
  }
  const snapshot = await loadSnapshot({
    paths,
    kustomizeDirs,
    // The posture of any workload depends on every namespace: who may reach it, who may use its account.
    ...(live ? { cluster: { ...connectionOf(flags), allNamespaces: true, resources: SCANNED_RESOURCES } } : {}),
    ...save,
  });
  if (flags.namespace) requireKnownNamespace(flags.namespace, reportableNamespaces(snapshot.objects));
  const objects = snapshot.objects.map((o) => o.object);
  warnAboutOrdering(chooseOrdering(objects, calicoVersion), objects.some(isCalicoObject), objects);
  const scanned = runScan(snapshot, scanOptionsFrom({ defaultLevel: "restricted", ...(flags.calicoVersion ? { calicoVersion: flags.calicoVersion } : {}) }));
  // Files with no object in them are an input error, as for scan; a live cluster with nothing in it is an answer.
  const result = live ? scanned : withNothingScanned(scanned, snapshot, paths[0] ?? kustomizeDirs[0] ?? "-");
  const problems = [...result.problems, ...conflictingWorkloads(snapshot.objects)];
  const now = new Date();
  let report: PostureReport = buildPosture(snapshot, result, {
    // The live cluster as kubectl named it (its current context when none was given).
    source: live ? (snapshot.stats.cluster ?? savedFrom ?? liveSourceName(flags.context)) : [...paths.map((p) => (p === "-" ? "<stdin>" : p)), ...kustomizeDirs.map((d) => `-k ${d}`)].join(" "),
    now,
    tool: { name: "palisade", version: packageVersion() },
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    ...(calicoVersion ? { calicoVersion } : {}),
  });
  if (flags.baseline) report = withBaseline(report, baseline, flags.baseline, flags.namespace);
  if (problems.length > 0) process.stderr.write(renderProblems(problems, colorFor(process.stderr, flags.color)) + "\n");
  if (flags.output === "json") await writeStdout(postureJsonPieces(report));
  else if (flags.output === "html") await writeStdout((await import("../posture/html/page.js")).renderPostureHtmlPieces(report));
  else await writeStdout(renderPostureText(report, { color: colorFor(process.stdout, flags.color), wide: flags.output === "wide" }));
  if (problems.some((p) => p.kind !== "binary")) return EXIT.usage;
  if (failBelow !== undefined && report.workloads.some((w) => w.score < failBelow)) return EXIT.findings;
  const dropped = (report.baseline?.lower.length ?? 0) + (report.baseline?.weaker.length ?? 0);
  return flags.failOnDrop && dropped > 0 ? EXIT.findings : EXIT.clean;
}

/**
 * The namespaces -n may name: the input's, and `default` when a namespaced object names
 * none, since the posture places it there (build.ts) and its table shows it as default/...
 */
function reportableNamespaces(objects: readonly LoadedObject[]): Set<string> {
  const known = namespacesIn(objects);
  const unplaced = ({ object }: LoadedObject) => isNamespaced(object) && (typeof object.metadata?.namespace !== "string" || object.metadata.namespace === "");
  if (objects.some(unplaced)) known.add("default");
  return known;
}

/**
 * --fail-below as a decimal score. Number() would read "" (an unset variable in
 * `--fail-below "$MIN"`) as 0, a gate that never fails, and "0x10" as 16.
 */
function scoreThreshold(text: string): number {
  const score = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(score >= 0 && score <= 100)) throw new UserError(`--fail-below ${text.trim() === "" ? JSON.stringify(text) : text}: expected a score from 0 to 100`);
  return score;
}
