import { Option, type Command } from "commander";
import type { ClusterSource } from "../adapters/cluster.js";
import type { WebhookConfig } from "../admission/config.js";
import type { PolicyMode } from "../admission/policy.js";
import type { TenancyModel } from "../tenancy/tenants.js";
import { formatPosition, UserError } from "../errors.js";
import { didYouMean } from "../did-you-mean.js";
import { isSeverity, type Severity } from "../findings/types.js";
import { loadSnapshot, DEFAULT_MAX_FILE_BYTES, type LoadedSnapshot, type LoadOptions } from "../k8s/load.js";
import type { LoadProblem } from "../k8s/types.js";
import { isLevel, type Level } from "../podsecurity/levels.js";
import { atOrAbove } from "../report/summary.js";
import { renderReport, REPORT_FORMATS } from "../report/render.js";
import { printable } from "../report/printable.js";
import { renderProblems } from "../report/text.js";
import type { ScanOptions } from "../scan/family.js";
import type { Snapshot } from "../k8s/snapshot.js";
import { runScan, type ScanResult } from "../scan/run.js";
import { FAMILIES } from "../scan/families.js";
import { ruleSelection, selectedFamilies, selectedResult, type RuleSelection } from "../scan/rule-selection.js";
import { scanStreaming } from "../scan/stream.js";
import { baselineFindings, compareWithBaseline, type BaselineFinding } from "../scan/baseline.js";
import { keepYoungGenerationSmall } from "../scan/heap.js";
import { clusterOptions, clusterRequested, connectionOf, refuseAllNamespacesBesideFiles, saveInput, type ClusterFlags } from "./cluster-flags.js";
import { colorFor, EXIT, failOnOption, outputOption, writeStdout, repeatable } from "./common.js";
import { placeInNamespace } from "./namespace-flag.js";
import { progressBar } from "./progress.js";
import { byteSizeFlag, pssVersionFlag } from "./size-and-version-flags.js";
import { calicoVersionFlag, calicoVersionOption } from "./calico-version-flag.js";
import { readJsonReport } from "./json-report.js";

export const SCAN_FORMATS = REPORT_FORMATS;

interface ScanFlags extends ClusterFlags {
  kustomize?: string[];
  output: string;
  failOn: Severity | "none";
  level?: string;
  pssVersion?: string;
  defaultLevel: string;
  namespace?: string;
  maxFileSize: string;
  summary?: boolean;
  color?: boolean;
  exceptions?: string;
  baseline?: string;
  admissionConfig?: string;
  rules?: string[];
  skipRules?: string[];
  allNamespaces?: boolean;
  kubelets?: boolean;
  fixes?: boolean;
  calicoVersion?: string;
}

export function registerScan(program: Command): void {
  const command = program
    .command("scan")
    .description("scan manifests (files, directories, - for stdin, -k kustomizations) or a live cluster (--cluster), and report findings")
    .argument("[paths...]", "files, pipes such as <(helm template .), or directories (recursively: .yaml, .yml, .json, Dockerfiles, links to files); - reads stdin")
    .option("-k, --kustomize <dir>", "render a kustomization directory with kubectl kustomize and scan it (repeatable)", repeatable)
    .addOption(outputOption(SCAN_FORMATS, "text"))
    .addOption(failOnOption("low"))
    .addOption(new Option("--level <level>", "judge every pod at this Pod Security level instead of its namespace's").choices(["privileged", "baseline", "restricted"]))
    .option("--pss-version <version>", "Pod Security version: latest or v1.N (default: the namespace's, else latest)")
    .addOption(new Option("--default-level <level>", "level for pods whose namespace has no pod-security labels").choices(["privileged", "baseline", "restricted"]).default("restricted"))
    .option("-n, --namespace <ns>", "namespace of objects that set none (as kubectl apply -n); with --cluster, only this namespace (as kubectl get -n)")
    .option("-A, --all-namespaces", "with --cluster: every namespace, not only the context's (alone, implies --cluster; beside files, needs it)")
    .option("--kubelets", "with --cluster: also judge each node's kubelet configuration, read through the API server's node proxy (needs nodes/proxy; implies --cluster)");
  clusterOptions(command)
    .option("--max-file-size <size>", "refuse files larger than this (bytes, or with a unit: 64Mi, 10M)", String(DEFAULT_MAX_FILE_BYTES))
    .option("--rules <ids>", "run only these rules: ids or globs, comma-separated (repeatable), e.g. 'pss/*' (palisade rules lists them)", repeatable)
    .option("--skip-rules <ids>", "leave these rules out: ids or globs, comma-separated (repeatable)", repeatable)
    .option("--exceptions <file>", "a PolicyExceptionList (the webhook's): excepted findings are left out, expired and unused exceptions reported")
    .option("--baseline <file>", "an earlier report (palisade scan -o json): report and fail on new findings only; known ones are counted, not shown")
    .option("--admission-config <file>", "palisade serve's config: apply its mutations before judging, so scan says what admission would")
    .addOption(calicoVersionOption())
    .option("--fixes", "attach to the Pod Security findings palisade fix would fix their object's fix, as a JSON patch to apply once (-o json or yaml, for kubectl patch --type json; -o wide says which have one)")
    .option("--summary", "-o text or wide: print only the summary")
    .option("--no-color", "never colour the text output")
    .addHelpText("after", "\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors (malformed files, unreadable paths, empty stdin or pipe, a cluster or a kind of object that cannot be read).")
    .action(async (paths: string[], flags: ScanFlags) => {
      process.exitCode = await scan(paths, flags);
    });
}

/** The live cluster to read, when a flag asks for one: --cluster, kubectl's own --context, --kubeconfig or -A (without files), or --kubelets. */
function clusterSource(flags: ScanFlags, hasFiles: boolean): ClusterSource | undefined {
  refuseAllNamespacesBesideFiles(flags, hasFiles, flags.kubelets);
  if (!clusterRequested(flags) && !flags.allNamespaces && !flags.kubelets) return undefined;
  if (flags.allNamespaces && flags.namespace) throw new UserError("-n and -A both given: choose one namespace (-n NAME) or all of them (-A)");
  return {
    ...connectionOf(flags),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    ...(flags.allNamespaces ? { allNamespaces: true } : {}),
    ...(flags.kubelets ? { kubelets: true } : {}),
  };
}

export function scanOptionsFrom(flags: Pick<ScanFlags, "level" | "pssVersion" | "defaultLevel" | "namespace" | "fixes" | "calicoVersion">): ScanOptions {
  const options: ScanOptions = {};
  const override: NonNullable<ScanOptions["podSecurity"]> = {};
  if (flags.level) {
    if (!isLevel(flags.level)) throw new UserError(`--level ${flags.level}: expected privileged, baseline or restricted`);
    override.level = flags.level;
  }
  if (flags.pssVersion !== undefined) {
    override.version = pssVersionFlag(flags.pssVersion);
  }
  if (override.level || override.version) options.podSecurity = override;
  if (flags.defaultLevel && isLevel(flags.defaultLevel)) options.defaultLevel = flags.defaultLevel as Level;
  if (flags.namespace) options.defaultNamespace = flags.namespace;
  if (flags.fixes) options.fixes = true;
  const calicoVersion = calicoVersionFlag(flags.calicoVersion);
  if (calicoVersion) options.calicoVersion = calicoVersion;
  // Certificates in kubeconfigs expire: judged at the moment of the scan.
  options.now = new Date();
  return options;
}

/** The outputs each flag shapes: given with another, it would do nothing without a word. */
const SUMMARY_OUTPUTS = ["text", "wide"];
const FIXES_OUTPUTS = ["json", "yaml", "wide"];

/** A flag that changes nothing in the chosen output is refused, as kubectl refuses flags that do not apply, so nobody relies on it in CI. */
function refuseFlagsWithoutEffect(flags: Pick<ScanFlags, "output" | "summary" | "fixes">): void {
  if (flags.summary && !SUMMARY_OUTPUTS.includes(flags.output)) {
    throw new UserError(`--summary does nothing with -o ${flags.output}: it applies to -o text and -o wide only`, { hint: "leave it out; the JSON and YAML reports carry the counts in their summary field (palisade scan ... -o json | jq .summary)" });
  }
  if (flags.fixes && !FIXES_OUTPUTS.includes(flags.output)) {
    throw new UserError(`--fixes does nothing with -o ${flags.output}: it applies to -o json, -o yaml (each finding's fix) and -o wide (which findings have a patch) only`, { hint: "use -o json for the patches, or leave --fixes out" });
  }
  if (flags.fixes && flags.summary) throw new UserError("--fixes does nothing with --summary: the summary shows no findings, so no patches", { hint: "leave one of the two out" });
}

async function scan(paths: string[], flags: ScanFlags): Promise<number> {
  refuseFlagsWithoutEffect(flags);
  const kustomizeDirs = flags.kustomize ?? [];
  const cluster = clusterSource(flags, paths.length > 0 || kustomizeDirs.length > 0);
  if (paths.length === 0 && kustomizeDirs.length === 0 && !cluster) {
    throw new UserError("nothing to scan", { hint: "give files or directories (palisade scan manifests/), - for stdin, -k DIR for a kustomization, or --cluster for the live cluster" });
  }
  if (!isSeverity(flags.failOn) && flags.failOn !== "none") throw new UserError(`--fail-on ${flags.failOn}: unknown severity`);
  const save = await saveInput(flags, cluster !== undefined);
  // Read before the scan, so that a wrong file fails at once rather than after it.
  const baseline = flags.baseline === undefined ? undefined : { file: flags.baseline, findings: await readBaseline(flags.baseline) };
  const maxFileBytes = byteSizeFlag("--max-file-size", flags.maxFileSize);
  const options = scanOptionsFrom(flags);
  const selection = ruleSelection(flags.rules ?? [], flags.skipRules ?? [], FAMILIES.flatMap((family) => family.rules));
  const families = selectedFamilies(FAMILIES, selection);
  // This process runs one scan and exits: no need for a young generation sized for a server.
  keepYoungGenerationSmall();
  const bar = progressBar("scanning");
  const saved = save.onSaved;
  // Its line replaces the "reading with kubectl" status on a terminal; the bar goes on below it.
  if (saved) {
    save.onSaved = (files, from) => {
      bar.done();
      saved(files, from);
    };
  }
  if (cluster) bar.status(`reading ${cluster.context ? `context ${cluster.context}` : "the current context's cluster"} with kubectl…`);
  const load: LoadOptions = { paths, kustomizeDirs, ...(cluster ? { cluster } : {}), ...save, maxFileBytes, onFile: (d: number, t: number) => bar.update(d, t) };
  // -n places the files' objects that name no namespace in it before any family reads them
  // (a streaming scan's families read some objects ahead, as loaded): so it loads them all.
  const placeIn = flags.namespace && (paths.length > 0 || kustomizeDirs.length > 0) ? flags.namespace : undefined;
  let result: ScanResult;
  let snapshot: LoadedSnapshot;
  if (flags.admissionConfig || placeIn !== undefined) {
    // Mutations see the whole snapshot as their cluster: load it all, then judge.
    snapshot = await loadSnapshot(load);
    bar.done();
    // As kubectl apply -n sends them, before admission sees them.
    if (placeIn !== undefined) placeInNamespace(snapshot.objects, placeIn);
    if (flags.admissionConfig) {
      const { podSecurity, images, tenancy } = await applyAdmissionMutations(snapshot, flags.admissionConfig);
      // The webhook judges Pod Security with its own PSA defaults and exemptions: so does this scan.
      if (podSecurity) options.podSecurityCluster = { defaults: podSecurity.defaults, exemptNamespaces: new Set(podSecurity.exemptions.namespaces), exemptRuntimeClasses: new Set(podSecurity.exemptions.runtimeClasses), file: flags.admissionConfig };
      // And images with its images policy.
      if (images) options.imageAdmission = { ...images, file: flags.admissionConfig };
      // And tenant placement with its tenancy policy (after its mutation, as the webhook validates).
      if (tenancy) options.tenancy = { ...tenancy, file: flags.admissionConfig };
    }
    result = runScan(snapshot, options, families);
  } else {
    ({ result, snapshot } = await scanStreaming(load, options, families));
    bar.done();
  }
  if (!cluster) result = withNothingScanned(result, snapshot, paths[0] ?? kustomizeDirs[0] ?? "-");
  result = selectedResult(result, selection);
  if (flags.exceptions) result = await withExceptions(result, flags.exceptions, selection);
  if (baseline) {
    const comparison = compareWithBaseline(result.findings, baseline.findings, new Set(result.rules.map((rule) => rule.id)));
    result = { ...result, findings: comparison.fresh, baseline: { file: baseline.file, known: comparison.known, fixed: comparison.fixed } };
  }
  // Input problems go to stderr first, so the text summary's "see above" holds on a terminal.
  if (result.problems.length > 0) {
    process.stderr.write(renderProblems(result.problems, colorFor(process.stderr, flags.color)) + "\n");
  }
  await writeStdout(renderReport(result, flags));
  if (result.problems.some((p) => p.kind !== "binary")) return EXIT.usage;
  return atOrAbove(result.findings, flags.failOn).length > 0 ? EXIT.findings : EXIT.clean;
}

/**
 * Files that hold no Kubernetes object (a wrong path in CI, a directory of READMEs) are an
 * input error, as `kubectl apply` calls them ("no objects passed to apply"): a clean report
 * of nothing would pass a pipeline that checks nothing. A live cluster with nothing in the
 * namespace is an answer, not an error.
 */
export function withNothingScanned(result: ScanResult, snapshot: LoadedSnapshot, firstInput: string): ScanResult {
  if (snapshot.stats.objects > 0 || snapshot.textFiles.length > 0 || result.problems.some((p) => p.kind !== "binary")) return result;
  const { files, kustomizations = 0, skippedNonKubernetes: others } = snapshot.stats;
  const parts = [
    ...(files > 0 || kustomizations === 0 ? [`${files} ${files === 1 ? "file" : "files"} read`] : []),
    ...(kustomizations > 0 ? [`${kustomizations} ${kustomizations === 1 ? "kustomization" : "kustomizations"} rendered`] : []),
    ...(others > 0 ? [`${others} ${others === 1 ? "document" : "documents"} without apiVersion and kind`] : []),
  ];
  const read = parts.join(", ");
  const problem: LoadProblem = {
    kind: "empty-input",
    message: `no Kubernetes objects to scan (${read})`,
    position: { file: firstInput, line: 1, column: 1 },
    hint: "check the paths: directories are walked for .yaml, .yml, .json and Dockerfiles; kubectl apply refuses such input too",
  };
  return { ...result, problems: [...result.problems, problem] };
}

/**
 * Apply the mutations `palisade serve` would apply (tenant tolerations, PSP defaults...) to
 * every object before judging, with the snapshot's namespaces as the cluster it knows;
 * returns the webhook's PSA, images and tenancy settings, which judge the webhook's way.
 */
async function applyAdmissionMutations(snapshot: Snapshot, configFile: string): Promise<Pick<WebhookConfig, "podSecurity" | "images"> & { tenancy?: { model: TenancyModel; mode: PolicyMode } }> {
  const [{ loadWebhookConfig }, { admissionMutations }, { ClusterState }, { TENANCY_POLICY }] = await Promise.all([
    import("./admission-config.js"),
    import("../admission/scan-bridge.js"),
    import("../admission/cluster-state.js"),
    import("../admission/policies/tenancy.js"),
  ]);
  const config = loadWebhookConfig(configFile);
  const mutate = admissionMutations(config);
  const cluster = new ClusterState();
  cluster.seed(snapshot.objects.map((o) => o.object));
  const now = new Date();
  for (const loaded of snapshot.objects) loaded.object = mutate(loaded.object, cluster, now).object;
  const tenancyMode = config.policies.find((policy) => policy.name === TENANCY_POLICY)?.mode;
  const tenancy = config.tenancy && tenancyMode ? { model: config.tenancy, mode: tenancyMode } : undefined;
  return { podSecurity: config.podSecurity, images: config.images, ...(tenancy ? { tenancy } : {}) };
}

async function readBaseline(file: string): Promise<BaselineFinding[]> {
  const hint = "save a report first: palisade scan manifests/ -o json > palisade-baseline.json";
  return baselineFindings(await readJsonReport("--baseline", file, hint), `--baseline ${file}`);
}

/** `: did you mean "privileged"?`, from the rules' ids and their last segments, or nothing. */
function suggestedRule(rule: string, ruleIds: readonly string[]): string {
  const near = didYouMean(rule, [...new Set([...ruleIds, ...ruleIds.map((id) => id.split("/").pop() ?? id)])]);
  return near === undefined ? "" : ` (did you mean ${JSON.stringify(near)}?)`;
}

/** Leave out excepted findings; say which exceptions have expired, were never used, or name no rule. */
async function withExceptions(result: ScanResult, file: string, selection: RuleSelection | undefined): Promise<ScanResult> {
  const [{ loadExceptions }, { applyExceptionsToFindings, exceptionCoversRule }] = await Promise.all([import("./admission-config.js"), import("../admission/exceptions.js")]);
  const exceptions = loadExceptions(file);
  const report = applyExceptionsToFindings(result.findings, exceptions, new Date());
  // An exception for rules this scan left out (--rules, --skip-rules) had nothing to match: not stale.
  if (selection) report.unused = report.unused.filter((e) => result.rules.some((rule) => exceptionCoversRule(e, rule.id)));
  // A rule no family has is a slip (`privilegd`), whichever rules this scan ran: said even when --rules leaves it out.
  const ruleIds = FAMILIES.flatMap((family) => family.rules.map((rule) => rule.id));
  const unknown = exceptions.filter((e) => e.rule !== "*" && !ruleIds.some((id) => exceptionCoversRule(e, id)));
  const notes = [
    ...unknown.map((e) => ({ at: e.positions?.rule, text: `exception ${e.id} (owner ${e.owner}) names rule ${JSON.stringify(e.rule)}, which no rule is${suggestedRule(e.rule, ruleIds)}: it excepts nothing` })),
    ...report.expired.map((e) => ({ at: e.positions?.exception, text: `exception ${e.id} (owner ${e.owner}) expired on ${e.expires.toISOString().slice(0, 10)}: it no longer applies; renew or remove it` })),
    ...report.unused.filter((e) => !unknown.includes(e)).map((e) => ({ at: e.positions?.exception, text: `exception ${e.id} (owner ${e.owner}) matched no finding: remove it, or check its namespace, workload and rule` })),
  ];
  // An exception's id and owner are the exceptions file's text, which a pull request can change.
  for (const note of notes) process.stderr.write(`palisade: ${printable(note.at ? formatPosition(note.at) : file)}: ${printable(note.text)}\n`);
  if (report.excepted.length > 0) process.stderr.write(`palisade: ${report.excepted.length} finding(s) excepted by ${printable(file)}\n`);
  // Kept in the reports beside the findings: an audit tells a finding excepted from one fixed.
  const excepted = report.excepted.map(({ item, exception }) => ({ finding: item, exception: { id: exception.id, owner: exception.owner, reason: exception.reason, expires: exception.expires.toISOString() } }));
  return { ...result, findings: report.kept, exceptions: { file, excepted } };
}
