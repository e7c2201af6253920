import type { Command } from "commander";
import { RbacAuthorizer } from "../access/rbac/authorizer.js";
import { bootstrapPolicyObjects } from "../access/rbac/bootstrap.js";
import { buildEscalationGraph } from "../access/rbac/escalation.js";
import { unaskedImpersonationNote } from "../access/rbac/impersonation.js";
import { requestNamespace } from "../access/rbac/namespace-object.js";
import { buildPolicy, isRbacObject } from "../access/rbac/policy.js";
import { canIJson, canIText, escalationDot, escalationJson, escalationText, rulesText, grantJson, policyProblemsText, whoCanJson, whoCanText } from "../access/rbac/render.js";
import { resolveResource } from "../access/rbac/resources.js";
import { rbacFindings } from "../access/rbac/risks.js";
import { RBAC_RULES } from "../access/rbac/rules.js";
import { impersonatedUser } from "../access/rbac/subjects.js";
import type { RequestAttributes } from "../access/rbac/types.js";
import { UserError } from "../errors.js";
import { isSeverity, type Severity } from "../findings/types.js";
import { loadSnapshot, type LoadedSnapshot } from "../k8s/load.js";
import { objectRef } from "../k8s/types.js";
import { renderJson } from "../report/json.js";
import { atOrAbove } from "../report/summary.js";
import { printable } from "../report/printable.js";
import { renderProblems, renderText } from "../report/text.js";
import { compareFindings, type ScanResult } from "../scan/run.js";
import { RBAC_RESOURCES } from "../adapters/cluster.js";
import { clusterOptions, clusterRequested, liveInput, type ClusterFlags } from "./cluster-flags.js";
import { colorFor, EXIT, failOnOption, outputOption, writeStdout, repeatable } from "./common.js";

interface InputFlags extends ClusterFlags {
  filename: string[];
  kustomize: string[];
  bootstrap?: boolean;
  /** --no-color, where the command has it: colours the input problems on stderr. */
  color?: boolean;
}

interface QueryFlags extends InputFlags {
  namespace?: string;
  allNamespaces?: boolean;
  subresource?: string;
  output: string;
}

const BOOTSTRAP_HELP = "add the default roles and bindings every cluster has (cluster-admin, admin, edit, view, system:*)";

function inputOptions(command: Command, bootstrapHelp = BOOTSTRAP_HELP): Command {
  command
    .option("-f, --filename <path>", "manifest file or directory with the RBAC objects (repeatable; - for stdin)", repeatable, [])
    .option("-k, --kustomize <dir>", "render a kustomization directory and read it (repeatable)", repeatable, [])
    .option("--bootstrap", bootstrapHelp);
  // A live cluster's roles and bindings, in every namespace: -n and -A are the request's.
  return clusterOptions(command);
}

export function registerRbacCommand(program: Command): void {
  const rbac = program.command("rbac").description("RBAC as the API server decides it: can-i, who-can, risks and escalation paths");

  inputOptions(
    rbac
      .command("can-i")
      .description("answer yes or no for a user, as kubectl auth can-i --as, and name the binding and rule that grant it")
      .argument("[verb]", "verb: get, list, create, impersonate, bind, * ...")
      .argument("[resource]", "TYPE[.GROUP][/NAME] as kubectl auth can-i reads it (pods, secrets/db, deployments.apps) or a non-resource URL (/healthz); a subresource with --subresource")
      .argument("[name]", "resource name")
      .requiredOption("--as <user>", "user to check (system:serviceaccount:NS:NAME for a service account)")
      .option("--as-group <group>", "group of the user (repeatable)", repeatable, [])
      .option("-n, --namespace <ns>", "namespace of the request (default: default; a request on a named Namespace is made in that namespace)")
      .option("-A, --all-namespaces", "ask across all namespaces (cluster-wide grants only)")
      .option("--subresource <sub>", "subresource, as kubectl's --subresource")
      .option("--list", "list every rule the user holds in the namespace")
      .option("-q, --quiet", "print nothing; answer with the exit code only"),
  )
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", "\nExit codes: 0 yes (or --list printed), 1 no, 2 usage or input errors.")
    .action(async (verb: string | undefined, resource: string | undefined, name: string | undefined, flags: QueryFlags & { as: string; asGroup: string[]; list?: boolean; quiet?: boolean }) => {
      const authorizer = await loadAuthorizer(flags);
      const user = impersonatedUser(flags.as, flags.asGroup);
      if (flags.list) {
        const namespace = flags.allNamespaces ? "" : (flags.namespace ?? "default");
        const grants = authorizer.rulesFor(user, namespace);
        if (!flags.quiet) await writeStdout(flags.output === "json" ? JSON.stringify({ user, namespace, superuser: user.groups.includes("system:masters"), rules: grants.map(grantJson) }, null, 2) + "\n" : rulesText(grants));
        return;
      }
      const request = requestFrom(verb, resource, name, flags);
      const decision = authorizer.authorize(user, request);
      if (!flags.quiet) await writeStdout(flags.output === "json" ? JSON.stringify(canIJson(user, request, decision), null, 2) + "\n" : canIText(decision));
      process.exitCode = decision.allowed ? EXIT.clean : EXIT.findings;
    });

  inputOptions(
    rbac
      .command("who-can")
      .description("list every subject that may perform a request, with the binding and rule that grant it")
      .argument("<verb>", "verb")
      .argument("<resource>", "TYPE[.GROUP][/NAME] or a non-resource URL; a subresource with --subresource")
      .argument("[name]", "resource name")
      .option("-n, --namespace <ns>", "namespace of the request (default: default; a request on a named Namespace is made in that namespace)")
      .option("-A, --all-namespaces", "only grants that hold in every namespace")
      .option("--subresource <sub>", "subresource"),
  )
    .addOption(outputOption(["text", "json"], "text"))
    .action(async (verb: string, resource: string, name: string | undefined, flags: QueryFlags) => {
      const authorizer = await loadAuthorizer(flags);
      const request = requestFrom(verb, resource, name, flags);
      const entries = authorizer.whoCan(request);
      await writeStdout(flags.output === "json" ? JSON.stringify(whoCanJson(request, entries), null, 2) + "\n" : whoCanText(entries));
    });

  inputOptions(
    rbac
      .command("risks")
      .description("dangerous grants, broad or dangling bindings, and the shortest escalation path of every subject to cluster-admin")
      .argument("[paths...]", "manifest files or directories (same as -f)"),
    // Manifests are always judged beside the defaults, as palisade scan judges them; the flag only lists the defaults' own paths.
    "also list the escalation paths of the default roles and bindings themselves (the manifests are always judged beside them, as palisade scan does)",
  )
    .addOption(outputOption(["text", "wide", "json", "dot"], "text"))
    .addOption(failOnOption("high"))
    .option("--no-color", "never colour the text output")
    .addHelpText("after", "\n-o dot prints the escalation graph for Graphviz.\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.")
    .action(async (paths: string[], flags: InputFlags & { output: string; failOn: Severity | "none"; color?: boolean }) => {
      if (!isSeverity(flags.failOn) && flags.failOn !== "none") throw new UserError(`--fail-on ${flags.failOn}: unknown severity`);
      const snapshot = await load({ ...flags, filename: [...paths, ...flags.filename] });
      // As palisade scan judges them (rbacFamily): a binding to edit means upstream's edit. A
      // live cluster holds its defaults already.
      const live = clusterRequested(flags);
      const authorizer = authorizerOf(snapshot, !live);
      const graph = buildEscalationGraph(authorizer);
      const findings = rbacFindings(authorizer, graph).sort(compareFindings);
      const result: ScanResult = {
        findings,
        problems: snapshot.problems,
        stats: snapshot.stats,
        rules: [...RBAC_RULES],
        scanned: snapshot.objects.map((o) => ({ object: objectRef(o.object), file: o.source.file })),
      };
      if (flags.output === "dot") await writeStdout(escalationDot(graph));
      else if (flags.output === "json") await writeStdout(JSON.stringify({ ...JSON.parse(renderJson(result)), escalation: escalationJson(graph) }, null, 2) + "\n");
      else await writeStdout(renderText(result, { color: colorFor(process.stdout, flags.color), wide: flags.output === "wide" }) + "\n" + escalationText(graph, flags.bootstrap || live ? undefined : authorizer.policy));
      if (snapshot.problems.some((p) => p.kind !== "binary")) process.exitCode = EXIT.usage;
      else process.exitCode = atOrAbove(findings, flags.failOn).length > 0 ? EXIT.findings : EXIT.clean;
    });
}

async function load(flags: InputFlags): Promise<LoadedSnapshot> {
  const live = clusterRequested(flags);
  if (flags.filename.length === 0 && flags.kustomize.length === 0 && !live && !flags.bootstrap) {
    throw new UserError("no manifests given", { hint: "pass the RBAC objects with -f FILE|DIR (repeatable), -f - for stdin, or -k DIR; --bootstrap alone asks about the default cluster roles; or read a live cluster's with --cluster" });
  }
  if (live && flags.bootstrap) throw new UserError("--bootstrap with --cluster: a live cluster has its default roles and bindings already", { hint: "leave out --bootstrap" });
  const snapshot = await loadSnapshot({ paths: flags.filename, kustomizeDirs: flags.kustomize, ...(await liveInput(flags, RBAC_RESOURCES)) });
  if (snapshot.problems.length > 0) process.stderr.write(renderProblems(snapshot.problems, colorFor(process.stderr, flags.color)) + "\n");
  // An answer over no roles and bindings at all is "no" to everything: a wrong file, not a finding.
  if (!flags.bootstrap && !snapshot.objects.some((o) => isRbacObject(o.object))) {
    const inputs = [...flags.filename, ...flags.kustomize.map((d) => `-k ${d}`), ...(snapshot.stats.cluster ? [snapshot.stats.cluster] : [])];
    const skipped = snapshot.stats.skippedNonKubernetes > 0 ? `; ${snapshot.stats.skippedNonKubernetes} document(s) there are not Kubernetes objects` : "";
    throw new UserError(`no RBAC objects (Role, ClusterRole, RoleBinding, ClusterRoleBinding) in the input: ${inputs.join(", ")}${skipped}`, {
      hint: "pass the files that hold the roles and bindings; add --bootstrap to ask about the default cluster roles alone",
    });
  }
  return snapshot;
}

function authorizerOf(snapshot: LoadedSnapshot, bootstrap: boolean): RbacAuthorizer {
  const policy = buildPolicy(snapshot.objects, { bootstrap: bootstrap ? bootstrapPolicyObjects().map((object) => ({ object })) : [] });
  return new RbacAuthorizer(policy);
}

async function loadAuthorizer(flags: InputFlags): Promise<RbacAuthorizer> {
  const snapshot = await load(flags);
  // Answers over a partly unreadable input would be wrong answers: refuse them.
  if (snapshot.problems.some((p) => p.kind !== "binary" && p.kind !== "not-kubernetes")) {
    throw new UserError("some input could not be read (see above); no answer given", { hint: "fix or leave out the files reported above; from a cluster, ask as a user who may list every role and binding" });
  }
  const authorizer = authorizerOf(snapshot, flags.bootstrap === true);
  // The answer leaves these objects (or parts) out, as the API server would: say so, as risks does.
  const problems = policyProblemsText(authorizer.policy);
  if (problems) process.stderr.write(problems);
  return authorizer;
}

/** Subresources people write as TYPE/SUBRESOURCE, which kubectl reads as an object's name. */
const LIKELY_SUBRESOURCES = new Set(["exec", "log", "attach", "portforward", "proxy", "status", "scale", "eviction", "binding", "token", "ephemeralcontainers", "resize", "approval", "finalize"]);

function requestFrom(verb: string | undefined, resource: string | undefined, name: string | undefined, flags: QueryFlags): RequestAttributes {
  if (!verb || !resource) throw new UserError("expected VERB and RESOURCE", { hint: "e.g. palisade rbac can-i get pods -n team --as alice -f rbac/" });
  if (flags.namespace && flags.allNamespaces) throw new UserError("-n and -A exclude each other");
  if (resource.startsWith("/")) {
    if (name || flags.subresource) throw new UserError(`non-resource URL ${resource} takes no name or subresource`);
    if (flags.namespace) process.stderr.write(`warning: non-resource URLs are not namespaced; -n ${flags.namespace} is ignored\n`);
    return { kind: "nonResource", verb, path: resource };
  }
  // kubectl auth can-i reads TYPE/NAME: `secrets/db` is the Secret named db, and a subresource is --subresource.
  const slash = resource.indexOf("/");
  const type = slash >= 0 ? resource.slice(0, slash) : resource;
  if (slash >= 0) {
    if (name) throw new UserError(`${resource} names the object already, and ${name} names another`, { hint: `give TYPE/NAME or TYPE NAME, e.g. ${type}/${name}; a subresource with --subresource` });
    name = resource.slice(slash + 1);
    if (name === "" || name.includes("/")) throw new UserError(`resource ${resource}: expected TYPE[.GROUP][/NAME]`, { hint: "a subresource is given with --subresource, as kubectl auth can-i takes it" });
    if (!flags.subresource && LIKELY_SUBRESOURCES.has(name)) {
      process.stderr.write(printable(`warning: ${resource} is the ${type} named ${name}, as kubectl auth can-i reads it; for the ${name} subresource give ${type} --subresource ${name}`) + "\n");
    }
  }
  const resolved = resolveResource(type, flags.subresource ?? "");
  if (resolved.warning) process.stderr.write(`warning: ${resolved.warning}\n`);
  const attributes = { verb, apiGroup: resolved.group, resource: resolved.resource, subresource: resolved.subresource, name: name ?? "" };
  // The namespace the API server would authorize the request in: none for a cluster-scoped
  // resource, and its own for a named Namespace (DELETE /api/v1/namespaces/team is in team).
  const { namespace, warning } = requestNamespace(attributes, resolved.namespaced, { namespace: flags.namespace, allNamespaces: flags.allNamespaces });
  if (warning) process.stderr.write(printable(`warning: ${warning}`) + "\n");
  // A request no impersonation makes (impersonate users/system:serviceaccount:...): answered as asked, and said so.
  const unasked = unaskedImpersonationNote(attributes);
  if (unasked) process.stderr.write(printable(`warning: ${unasked}`) + "\n");
  return { kind: "resource", ...attributes, namespace };
}
