/**
 * `palisade netpol`: explain one connection, print the connectivity matrix, lint the
 * policies, generate least-privilege policies from observed flows, and diff two sets.
 * Flags in, core call (src/network), report out.
 */
import { readFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import { kubernetesYaml as toYaml } from "../k8s/yaml-out.js";
import { formatPosition, UserError } from "../errors.js";
import { namespacesIn, placeInNamespace, requireKnownNamespace } from "./namespace-flag.js";
import { isSeverity, type ObjectRef, type Severity } from "../findings/types.js";
import { NETWORK_RESOURCES } from "../adapters/cluster.js";
import { loadSnapshot, type LoadOptions } from "../k8s/load.js";
import { withoutStillScannedNote } from "../k8s/load-problems.js";
import type { Snapshot } from "../k8s/snapshot.js";
import { describeRef, formatFieldPath, isLiveFile, objectRef, type LoadedObject } from "../k8s/types.js";
import { atOrAbove } from "../report/summary.js";
import { renderProblems } from "../report/text.js";
import { runScan } from "../scan/run.js";
import { connectivityChanges, diffTextLines } from "../network/diff.js";
import { buildEndpoints, type Endpoints } from "../network/endpoints.js";
import { explainConnection, renderExplanation, type ConnectionDetails, type PolicyLocator } from "../network/explain.js";
import { netpolFamily } from "../network/family.js";
import { refusedLabels } from "../network/refused-labels.js";
import { calicoFamily } from "../network/calico/family.js";
import { parseFlows, generatePolicies, FLOWS_FORMAT_HELP } from "../network/generate.js";
import { computeMatrix, type Matrix } from "../network/matrix.js";
import { matrixJson, matrixRowJson, matrixRows, matrixTextLines, renderMatrixCsv } from "../network/matrix-render.js";
import { structuredRows } from "./structured-rows.js";
import type { PodEndpoint, Protocol, Tier } from "../network/model.js";
import { protocolOfNumber } from "../network/portless.js";
import { buildPolicySet, isPolicyObject, type PolicySet } from "../network/policy-set.js";
import { manifestFamily } from "../manifest/family.js";
import { printable } from "../report/printable.js";
import { UNKNOWN_FIELD } from "../manifest/rules.js";
import type { ScanFamily } from "../scan/family.js";
import { isCalicoObject, withCalico } from "../network/calico/tiers.js";
import { POLICY_KINDS } from "../network/calico/decode.js";
import { renderReport, REPORT_FORMATS } from "../report/render.js";
import { clusterOptions, clusterRequested, liveInput, type ClusterFlags } from "./cluster-flags.js";
import { calicoVersionFlag, calicoVersionOption, warnAboutOrdering } from "./calico-version-flag.js";
import { chooseOrdering } from "../network/calico/ordering-choice.js";
import { colorFor, EXIT, failOnOption, outputOption, writeStdout, repeatable } from "./common.js";
import { compileForNode, COMPILE_FORMATS, renderCompiled } from "./netpol-compile.js";
import { resolveDestination, resolveSource } from "./netpol-endpoints.js";
import { keepLastCopies } from "./netpol-copies.js";
import { readServices, type ServiceView } from "../network/services.js";
import { computeServiceMatrix, renderServiceMatrixCsv, renderServiceMatrixText } from "../network/service-matrix.js";
import { explainThroughService, renderServiceExplanation } from "../network/service-explain.js";

interface InputFlags extends ClusterFlags {
  kustomize: string[];
  /** `--calico-version`: whose ordering of equal-order Calico policies to follow. */
  calicoVersion?: string;
  /** `-n`: where objects that name no namespace land, as `kubectl apply -n` sends them. */
  namespace?: string;
}

interface Loaded {
  snapshot: Snapshot;
  endpoints: Endpoints;
  set: Pick<PolicySet<LoadedObject>, "tiers" | "refused" | "policies">;
  /** Which Calico release's ordering of tied policies the answer follows, and why; only when Calico policies are there. */
  calicoOrdering?: string;
}

/** Where each policy, and each of its rules (`spec.ingress[i]`, `spec.egress[i]`), is written. */
function policyLocator(set: Loaded["set"]): PolicyLocator {
  const byId = new Map(set.policies.map((p) => [p.policy.id, p.where]));
  return (id, rule) => {
    const where = byId.get(id);
    if (!where) return undefined;
    const path = rule ? ["spec", rule.direction, rule.index] : [];
    // Read from a live cluster, an object has no file: it is named, with the rule's field.
    if (isLiveFile(where.source.file)) return `${describeRef(objectRef(where.object))}${path.length > 0 ? ` ${formatFieldPath(path)}` : ""}`;
    return formatPosition(where.source.locate(path));
  };
}

/**
 * Unknown fields of the policies (`ingres:`, a peer's `namespaceSelecter:`): kubectl apply
 * refuses the object, and a client that does not validate has the API server drop the field,
 * so a typo silently turns a policy into another one (a deny-all, a narrower peer). The
 * manifest family's check, on policy objects only.
 */
const policyFieldsFamily: ScanFamily = {
  id: manifestFamily.id,
  rules: [UNKNOWN_FIELD],
  check: (snapshot, options) =>
    manifestFamily.check({ ...snapshot, objects: snapshot.objects.filter((o) => isPolicyObject(o.object)) }, options).filter((f) => f.ruleId === UNKNOWN_FIELD.id),
};

/** Every answer about no objects at all would be empty, and an empty answer reads as "nothing is open". */
async function loadInput(paths: string[], flags: InputFlags): Promise<Snapshot> {
  const options: LoadOptions = { paths, kustomizeDirs: flags.kustomize, ...(await liveInput(flags, NETWORK_RESOURCES, { keepControlled: true })) };
  const snapshot = await loadSnapshot(options);
  // `helm template ... | palisade netpol explain - -n shop`: the chart's objects are in shop, not default.
  if (flags.namespace !== undefined) placeInNamespace(snapshot.objects, flags.namespace);
  // A skipped binary file is no manifest: alone, it leaves nothing to analyse either.
  if (snapshot.objects.length === 0 && snapshot.problems.every((p) => p.kind === "binary" || p.kind === "not-kubernetes")) {
    const where = [...paths.map((p) => (p === "-" ? "stdin" : p)), ...flags.kustomize.map((k) => `-k ${k}`), ...(snapshot.stats.cluster ? [snapshot.stats.cluster] : [])];
    const binary = snapshot.problems.filter((p) => p.kind === "binary").length;
    const skipped = binary > 0 ? ` (${binary} binary ${binary === 1 ? "file" : "files"} skipped)` : "";
    throw new UserError(`nothing to analyse: no manifests found in ${where.join(", ")}${skipped}`, { hint: "give the files or directories that hold the workloads, namespaces and policies (YAML or JSON Kubernetes objects)" });
  }
  return snapshot;
}

/** Load manifests; any unreadable input or refused policy stops the run (a partial answer would mislead). */
async function loadPolicies(paths: string[], flags: InputFlags, what: string): Promise<Loaded> {
  const calicoVersion = calicoVersionFlag(flags.calicoVersion);
  if (paths.length === 0 && flags.kustomize.length === 0 && !clusterRequested(flags)) throw new UserError(`no manifests to ${what}`, { hint: "give files or directories with policies and workloads, - for stdin, -k DIR, or --cluster" });
  const snapshot = keepLastCopies(await loadInput(paths, flags));
  const problems = snapshot.problems.filter((p) => p.kind !== "binary" && p.kind !== "not-kubernetes");
  // Listed as scan and lint list them, skipped files too; a problem stops the answer, so nothing else was analysed.
  if (snapshot.problems.length > 0) process.stderr.write(renderProblems(problems.length > 0 ? snapshot.problems.map(withoutStillScannedNote) : snapshot.problems, colorFor(process.stderr, undefined)) + "\n");
  if (problems.length > 0) {
    throw new UserError(`no answer: ${problems.length === 1 ? "an input problem" : `${problems.length} input problems`} (listed above) may hide policies that change it`, { hint: "fix each file at the line and column given, or leave it out of the paths" });
  }
  warnRefusedLabels(snapshot.objects);
  // Evaluated as the API server keeps them, without the fields it does not know: say so.
  for (const f of policyFieldsFamily.check(snapshot, {})) {
    const at = f.position ? `${formatPosition(f.position)}: ` : "";
    const ref = f.object ? `${describeRef(f.object)}: ` : "";
    process.stderr.write(printable(`warning: ${at}${ref}${f.message}; the answer below is for the policy without it`) + "\n");
  }
  const sources = snapshot.objects.map((o) => ({ object: o.object, where: o }));
  // Calico policies, tiers and network sets in the same inputs join the Kubernetes tiers.
  const kubernetes = buildPolicySet(sources);
  const set = withCalico(kubernetes, sources, calicoVersion ? { calicoVersion } : {});
  warnAboutOrdering(set.ordering, set.policies.length > kubernetes.policies.length, snapshot.objects.map((o) => o.object));
  // Not refused (they are no policies to any API server), but their author expects them enforced.
  for (const u of kubernetes.unenforced) {
    const at = u.where ? `${formatPosition(u.where.source.locate(u.path))}: ` : "";
    process.stderr.write(`warning: ${at}${u.object.kind}/${u.object.metadata?.name ?? "?"}: ${u.message}\n`);
  }
  if (set.refused.length > 0) {
    const first = set.refused[0]!;
    const ref = `${first.object.kind}/${first.object.metadata?.name ?? "?"}`;
    const options: { position?: ReturnType<LoadedObject["source"]["locate"]>; hint: string } = { hint: "the policy is refused (the API server would reject it, or it needs a feature Palisade cannot evaluate); `palisade scan` lists every problem" };
    if (first.where) options.position = first.where.source.locate(first.path);
    throw new UserError(`${ref} ${formatFieldPath(first.path)}: ${first.message}${set.refused.length > 1 ? ` (and ${set.refused.length - 1} more)` : ""}`, options);
  }
  return { snapshot, endpoints: buildEndpoints(snapshot), set, ...(set.policies.length > kubernetes.policies.length ? { calicoOrdering: set.ordering.summary } : {}) };
}

/**
 * The connection `explain` asks about: `--port PORT[/PROTOCOL]`, for ICMP the message
 * (`--icmp-type`, `--icmp-code`), for a port protocol the source port (`--source-port`).
 */
interface Target {
  protocol: Protocol;
  port?: number;
  details: ConnectionDetails;
}

/** What `ping` sends: the message a bare `/ICMP` asks about. */
const ECHO_REQUEST: Readonly<Record<"ICMP" | "ICMPv6", number>> = { ICMP: 8, ICMPv6: 128 };

function icmpField(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,3}$/.test(text) || Number(text) > 255) throw new UserError(`${flag} ${text}: expected a number from 0 to 255`);
  return Number(text);
}

function parseTarget(text: string, icmpType?: string, icmpCode?: string, sourcePort?: string): Target {
  const m = text.match(/^(\d+)?(?:\/(TCP|UDP|SCTP|ICMP|ICMPv6|\d{1,3}))?$/i);
  const port = m?.[1] === undefined ? undefined : Number(m[1]);
  const number = m?.[2] !== undefined && /^\d+$/.test(m[2]) ? Number(m[2]) : undefined;
  if (!m || text === "" || (port !== undefined && (port < 1 || port > 65535)) || (number !== undefined && number > 255)) {
    throw new UserError(`--port ${text}: expected PORT[/PROTOCOL] such as 80/TCP, 53/UDP, /ICMP or /47 (an IP protocol number)`, { hint: "the protocol defaults to TCP" });
  }
  const named = m[2] === undefined ? "TCP" : m[2].toUpperCase() === "ICMPV6" ? "ICMPv6" : m[2].toUpperCase();
  const protocol = number !== undefined ? protocolOfNumber(number) : (named as Protocol);
  const ported = protocol === "TCP" || protocol === "UDP" || protocol === "SCTP";
  if (ported && port === undefined) throw new UserError(`--port ${text}: ${protocol} needs a port number`);
  if (!ported && port !== undefined) throw new UserError(`--port ${text}: ${protocol} has no ports`, { hint: `a port number goes with TCP, UDP or SCTP; for ${protocol} give /${protocol} alone` });
  if (sourcePort !== undefined && !ported) throw new UserError(`--source-port goes with a TCP, UDP or SCTP --port, not ${text}`);
  if (protocol === "ICMP" || protocol === "ICMPv6") {
    return { protocol, details: { icmp: { type: icmpField(icmpType, "--icmp-type", ECHO_REQUEST[protocol]), code: icmpField(icmpCode, "--icmp-code", 0) } } };
  }
  if (icmpType !== undefined || icmpCode !== undefined) throw new UserError(`--icmp-type and --icmp-code go with --port /ICMP or /ICMPv6, not ${text}`);
  const details: ConnectionDetails = sourcePort === undefined ? {} : { sourcePort: sourcePortField(sourcePort) };
  return port === undefined ? { protocol, details } : { protocol, port, details };
}

function sourcePortField(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UserError(`--source-port ${text}: expected a port number from 0 to 65535`);
  return Number(text);
}

async function writeServiceMatrix(matrix: Matrix, tiers: readonly Tier[], endpoints: Endpoints, objects: readonly LoadedObject[], namespace: string | undefined, output: string): Promise<void> {
  const services = readServices(objects);
  if (services.length === 0) throw new UserError("--services: the input holds no Service", { hint: "give the Services' manifests with the workloads and policies, or read them with --cluster" });
  const include = namespace === undefined ? undefined : (pod: PodEndpoint, service?: ServiceView) => pod.namespace === namespace || service?.namespace === namespace;
  const result = computeServiceMatrix(matrix, tiers, services, endpoints, objects, include);
  for (const s of result.skipped) process.stderr.write(printable(`warning: Service ${s.service} left out: ${s.reason}`) + "\n");
  if (output === "csv") return writeStdout(renderServiceMatrixCsv(result.rows()));
  if (output === "text") return writeStdout(renderServiceMatrixText(result.rows()));
  await writeStdout(structuredRows({ services: services.length }, "connections", result.rows(), output === "yaml" ? "yaml" : "json"));
}

function isCalicoPolicy(object: LoadedObject["object"]): boolean {
  return isCalicoObject(object) && (POLICY_KINDS as readonly string[]).includes(object.kind ?? "");
}

/** Labels the API server refuses are left out of every answer: said so, where they are written. */
function warnRefusedLabels(objects: readonly LoadedObject[]): void {
  for (const refused of refusedLabels(objects)) process.stderr.write(printable(`warning: ${formatPosition(refused.position)}: ${refused.message}; the answer below reads it without that label`) + "\n");
}

/** Whether a finding is about the namespace or an object in it. */
function inNamespace(object: ObjectRef | undefined, namespace: string): boolean {
  return object !== undefined && (object.kind === "Namespace" ? object.name === namespace : object.namespace === namespace);
}

function structured(value: unknown, format: string): string {
  return format === "yaml" ? toYaml(value) : JSON.stringify(value, null, 2) + "\n";
}

export function registerNetpol(program: Command): void {
  const netpol = program.command("netpol").description("Kubernetes NetworkPolicy and AdminNetworkPolicy: explain, matrix, lint, generate, diff, compile");
  const input = (cmd: Command): Command =>
    clusterOptions(
      cmd
        .argument("[paths...]", "manifests: files or directories with workloads, namespaces and policies; - reads stdin")
        .option("-k, --kustomize <dir>", "render a kustomization directory (repeatable)", repeatable, [])
        .addOption(calicoVersionOption()),
    );

  input(netpol.command("explain").description("say whether one connection is allowed, and which tier, policy and rule decided each side"))
    .requiredOption("--from <endpoint>", "source: NAMESPACE/WORKLOAD, NAMESPACE/POD or an IP")
    .requiredOption("--to <endpoint>", "destination: NAMESPACE/WORKLOAD, NAMESPACE/POD, an IP, or a Service (svc/NAME, NAMESPACE/svc/NAME or its address), which stands for each of its backends")
    .option("--port <port>", "PORT[/PROTOCOL], e.g. 80/TCP, 53/UDP, /ICMP, /ICMPv6, /47 (a protocol number)", "80/TCP")
    .option("--icmp-type <type>", "with /ICMP or /ICMPv6: the message type (default: echo request, 8 or 128)")
    .option("--icmp-code <code>", "with /ICMP or /ICMPv6: the message code (default 0)")
    .option("--source-port <port>", "with a TCP, UDP or SCTP --port: the port the connection comes from (default: none, so Calico rules on source ports do not match)")
    .option("-n, --namespace <ns>", "namespace for endpoints given without one, and of objects that set none (as kubectl apply -n)", "default")
    .addOption(outputOption(["text", "json", "yaml"], "text"))
    .action(async (paths: string[], flags: InputFlags & { from: string; to: string; port: string; icmpType?: string; icmpCode?: string; sourcePort?: string; namespace: string; output: string }) => {
      const target = parseTarget(flags.port, flags.icmpType, flags.icmpCode, flags.sourcePort);
      const { snapshot, endpoints, set, calicoOrdering } = await loadPolicies(paths, flags, "explain");
      // Kept with where each is written: an error about a Service points at it.
      const services = readServices(snapshot.objects, true);
      const src = resolveSource(endpoints, services, flags.from, flags.namespace);
      const dst = resolveDestination(endpoints, services, snapshot.objects, flags.to, flags.namespace, target);
      // Machine readers get the ordering the verdict rests on with it (a person reads the note on stderr).
      const withOrdering = <T extends object>(answer: T): T | (T & { calicoOrdering: string }) => (calicoOrdering ? { ...answer, calicoOrdering } : answer);
      if ("route" in dst) {
        const asked = { protocol: target.protocol, ...(target.port === undefined ? {} : { port: target.port }), ...(dst.address === undefined ? {} : { address: dst.address }) };
        const explanation = explainThroughService(set.tiers, src, dst.route, asked, policyLocator(set), target.details);
        return writeStdout(flags.output === "text" ? renderServiceExplanation(explanation) : structured(withOrdering(explanation), flags.output));
      }
      if (src.kind === "external" && dst.endpoint.kind === "external") throw new UserError(`--from ${flags.from} and --to ${flags.to} are both outside the cluster`, { hint: "NetworkPolicy governs pods: give a workload on at least one side" });
      const explanation = explainConnection(set.tiers, src, dst.endpoint, target.protocol, target.port, policyLocator(set), target.details);
      await writeStdout(flags.output === "text" ? renderExplanation(explanation) : structured(withOrdering(explanation), flags.output));
    });

  input(netpol.command("matrix").description("allowed connections between every pair of workloads and the external blocks the ipBlocks cut"))
    .option("-n, --namespace <ns>", "only connections from or to workloads of this namespace, which is also that of objects that set none (as kubectl apply -n)")
    .option("-A, --all-namespaces", "every namespace (the default)")
    .option("--services", "which workloads may use each Service port, and through how many of its backends, instead of workload to workload")
    .addOption(outputOption(["text", "json", "yaml", "csv"], "text"))
    .action(async (paths: string[], flags: InputFlags & { namespace?: string; allNamespaces?: boolean; services?: boolean; output: string }) => {
      if (flags.namespace !== undefined && flags.allNamespaces) throw new UserError("-n and -A both given: choose one namespace (-n NAME) or all of them (-A)");
      const { snapshot, endpoints, set } = await loadPolicies(paths, flags, "compute a matrix for");
      // A namespace the input lacks would filter everything out and look like "no connections".
      if (flags.namespace !== undefined) requireKnownNamespace(flags.namespace, endpoints.namespaces);
      const pods = endpoints.workloads.map((w) => w.endpoint);
      const matrix = computeMatrix(set.tiers, pods);
      if (flags.services) return writeServiceMatrix(matrix, set.tiers, endpoints, snapshot.objects, flags.namespace, flags.output);
      const rows = matrixRows(matrix, flags.namespace ? (p) => p.namespace === flags.namespace : undefined);
      if (flags.output === "csv") return writeStdout(renderMatrixCsv(rows));
      if (flags.output === "text") return writeStdout(matrixTextLines(rows));
      const shown = flags.namespace === undefined ? pods.length : pods.filter((p) => p.namespace === flags.namespace).length;
      const head = { workloads: shown };
      await writeStdout(flags.output === "yaml" ? structuredRows(head, "connections", matrixJson(rows), "yaml") : structuredRows(head, "connections", rows, "json", matrixRowJson()));
    });

  input(netpol.command("lint").description("find policies that are refused, select nothing, block DNS, allow everyone, or leave workloads open"))
    .addOption(outputOption(REPORT_FORMATS, "text"))
    .addOption(failOnOption("low"))
    .option("--no-color", "never colour the text output")
    .option("-n, --namespace <ns>", "namespace of objects that set none (as kubectl apply -n); reports only this namespace's findings (every namespace is still read: policies elsewhere decide who reaches it)")
    .option("-A, --all-namespaces", "report every namespace (the default)")
    .action(async (paths: string[], flags: InputFlags & { output: string; failOn: Severity | "none"; color?: boolean; allNamespaces?: boolean }) => {
      if (!isSeverity(flags.failOn) && flags.failOn !== "none") throw new UserError(`--fail-on ${flags.failOn}: unknown severity`);
      if (flags.namespace !== undefined && flags.allNamespaces) throw new UserError("-n and -A both given: choose one namespace (-n NAME) or all of them (-A)");
      if (paths.length === 0 && flags.kustomize.length === 0 && !clusterRequested(flags)) throw new UserError("no manifests to lint", { hint: "give files or directories, - for stdin, -k DIR, or --cluster" });
      const calicoVersion = calicoVersionFlag(flags.calicoVersion);
      const snapshot = await loadInput(paths, flags);
      const calicoObjects = snapshot.objects.map((o) => o.object);
      warnAboutOrdering(chooseOrdering(calicoObjects, calicoVersion), calicoObjects.some(isCalicoPolicy), calicoObjects);
      // A namespace the input lacks would report nothing and pass any gate.
      if (flags.namespace !== undefined) requireKnownNamespace(flags.namespace, namespacesIn(snapshot.objects));
      warnRefusedLabels(snapshot.objects);
      const scanned = runScan(snapshot, calicoVersion ? { calicoVersion } : {}, [netpolFamily, calicoFamily, policyFieldsFamily]);
      const result = flags.namespace === undefined ? scanned : { ...scanned, findings: scanned.findings.filter((f) => inNamespace(f.object, flags.namespace!)) };
      if (result.problems.length > 0) process.stderr.write(renderProblems(result.problems, colorFor(process.stderr, flags.color)) + "\n");
      await writeStdout(renderReport(result, flags));
      if (result.problems.some((p) => p.kind !== "binary")) process.exitCode = EXIT.usage;
      else process.exitCode = atOrAbove(result.findings, flags.failOn).length > 0 ? EXIT.findings : EXIT.clean;
    });

  input(netpol.command("compile").description("the policies as iptables and ipset rules for a node's FORWARD chain, as Calico's Felix programs them"))
    .option("--node <name>", "only the pods scheduled to this node get chains (default: every pod, as if on one node)")
    .option("--interface-prefix <prefix>", "workload interfaces start with this prefix; their names are Calico's (PREFIX + SHA-1 of namespace.pod)", "cali")
    .addOption(outputOption(COMPILE_FORMATS, "script"))
    .action(async (paths: string[], flags: InputFlags & { node?: string; interfacePrefix: string; output: string }) => {
      const { snapshot, set } = await loadPolicies(paths, flags, "compile");
      const compiled = compileForNode(snapshot, set.tiers, flags);
      for (const note of compiled.notes) process.stderr.write(`warning: ${note}\n`);
      await writeStdout(flags.output === "script" ? renderCompiled(compiled, flags.node) : structured(compiled, flags.output));
    });

  netpol
    .command("generate")
    .description("least-privilege NetworkPolicies that allow exactly the observed flows")
    .requiredOption("--flows <file>", "observed flows (JSON; see --help)")
    .addOption(new Option("-o, --output <format>", "output format").choices(["yaml", "json"]).default("yaml"))
    .option("--no-dns", "do not add the egress rule to kube-dns (UDP and TCP 53) to every policy")
    .addHelpText("after", `\n${FLOWS_FORMAT_HELP}`)
    .action(async (flags: { flows: string; output: string; dns: boolean }) => {
      let text: string;
      try {
        text = await readFile(flags.flows, "utf8");
      } catch (err) {
        throw new UserError(`--flows ${flags.flows}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? "error"})`, { hint: "give the path of a flows JSON file" });
      }
      const policies = generatePolicies(parseFlows(text, flags.flows), { dns: flags.dns });
      if (flags.output === "json") return writeStdout(JSON.stringify({ apiVersion: "v1", kind: "List", items: policies }, null, 2) + "\n");
      await writeStdout(policies.map((p) => toYaml(p)).join("---\n"));
    });

  netpol
    .command("diff")
    .description("connections allowed by one set of manifests and not the other")
    .argument("<before>", "manifests before (file or directory)")
    .argument("<after>", "manifests after (file or directory)")
    .addOption(outputOption(["text", "json", "yaml"], "text"))
    .option("--exit-code", "exit 1 when the connectivity differs")
    .addOption(calicoVersionOption())
    .action(async (before: string, after: string, flags: { output: string; exitCode?: boolean; calicoVersion?: string }) => {
      // Standard input is read once: the second side would read it empty and be reported as an empty input.
      if (before === "-" && after === "-") throw new UserError("netpol diff - -: standard input can be only one side", { hint: "give one side as a file or directory, e.g. `git show HEAD~1:net.yaml | palisade netpol diff - net.yaml`" });
      const input: InputFlags = flags.calicoVersion === undefined ? { kustomize: [] } : { kustomize: [], calicoVersion: flags.calicoVersion };
      const a = await loadPolicies([before], input, "diff");
      const b = await loadPolicies([after], input, "diff");
      const diff = connectivityChanges({ ...a, locate: policyLocator(a.set) }, { ...b, locate: policyLocator(b.set) });
      let changed = false;
      const changes = (function* counted() {
        for (const change of diff.changes) {
          changed = true;
          yield change;
        }
      })();
      const counting = { ...diff, changes };
      const head = { schemaVersion: diff.schemaVersion, workloads: diff.workloads };
      await writeStdout(flags.output === "text" ? diffTextLines(counting) : structuredRows(head, "changes", changes, flags.output === "yaml" ? "yaml" : "json"));
      if (flags.exitCode && changed) process.exitCode = EXIT.findings;
    });
}
