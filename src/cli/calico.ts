/**
 * `palisade calico`: Calico's selector language and tiers from the command line.
 *   palisade calico selector "app == 'web' && tier in {'a','b'}" -l app=web -l tier=a
 *   palisade calico tiers examples/network-calico-tiers.yaml [-o text|json|yaml] [--calico-version v3.30]
 * Exit codes: 0 clean (or the selector matches), 1 refused objects (or no match), 2 bad
 * input (an unparsable selector or manifest, which is listed on stderr with file:line).
 */
import type { Command } from "commander";
import { kubernetesYaml as toYaml } from "../k8s/yaml-out.js";
import { UserError } from "../errors.js";
import { loadSnapshot } from "../k8s/load.js";
import { parseCalicoSelector, SelectorSyntaxError, SelectorTooDeepError } from "../network/calico/selector/index.js";
import { pointAt, renderTiersText, tiersView } from "../network/calico/report.js";
import { withCalico } from "../network/calico/tiers.js";
import { buildPolicySet } from "../network/policy-set.js";
import { renderProblems } from "../report/text.js";
import { printable, printableLineStart } from "../report/printable.js";
import { calicoVersionFlag, calicoVersionOption } from "./calico-version-flag.js";
import { colorFor, EXIT, outputOption, writeStdout, repeatable } from "./common.js";

function parseLabels(pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UserError(`label ${JSON.stringify(pair)} is not key=value`, { hint: "repeat -l for each label, e.g. -l app=web -l tier=front" });
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

export function registerCalicoCommand(program: Command): void {
  const calico = program.command("calico").description("Calico selectors and tiers: canonical selectors, label matching, evaluation order of tiers and policies");

  calico
    .command("selector")
    .description("check a Calico selector, print its canonical form and, given labels, whether it matches")
    .argument("<expression>", "selector, e.g. \"app == 'web' && !has(quarantine)\"")
    .option("-l, --label <key=value>", "a label of the endpoint to match (repeatable)", repeatable, [])
    .addOption(outputOption(["text", "json"], "text"))
    .action(async (expression: string, flags: { label: string[]; output: string }) => {
      let selector;
      try {
        selector = parseCalicoSelector(expression);
      } catch (error) {
        if (!(error instanceof SelectorSyntaxError)) throw error;
        const what = error instanceof SelectorTooDeepError ? "selector not evaluated" : "invalid selector";
        throw new UserError(`${what} at column ${error.column}: ${error.message}`, { hint: `fix the selector here (strings need quotes; operators are ==, !=, in, not in, contains, starts with, ends with, has(), &&, ||, !):\n${pointAt(expression, error.column)}` });
      }
      const labels = flags.label.length > 0 ? parseLabels(flags.label) : undefined;
      const matches = labels ? selector.matches(labels) : undefined;
      if (flags.output === "json") await writeStdout(`${JSON.stringify(matches === undefined ? { canonical: selector.canonical } : { canonical: selector.canonical, labels, matches }, null, 2)}\n`);
      // The selector's strings are the user's, as given: a terminal must not act on a control character in them.
      else await writeStdout(`${printableLineStart(selector.canonical)}\n${matches === undefined ? "" : `${matches ? "matches" : "does not match"}\n`}`);
      if (matches === false) process.exitCode = EXIT.findings;
    });

  calico
    .command("tiers")
    .description("list tiers and policies (Calico and Kubernetes NetworkPolicy, at order 1000 in the default tier) in the order they are evaluated, with every object refused")
    .argument("<paths...>", "manifest files or directories (- for stdin)")
    .addOption(outputOption(["text", "json", "yaml"], "text"))
    .addOption(calicoVersionOption())
    .action(async (paths: string[], flags: { output: string; calicoVersion?: string }) => {
      const calicoVersion = calicoVersionFlag(flags.calicoVersion);
      const snapshot = await loadSnapshot({ paths });
      // A file that does not parse may hold policies: the listing below would silently lack them.
      const problems = snapshot.problems.filter((p) => p.kind !== "binary" && p.kind !== "not-kubernetes");
      if (snapshot.objects.length === 0 && problems.length === 0) {
        throw new UserError(`nothing to list: no manifests found in ${paths.map((p) => (p === "-" ? "stdin" : p)).join(", ")}`, { hint: "give the files or directories that hold the Calico policies, tiers and network sets" });
      }
      // Skipped binary files are listed too, as scan and netpol list them.
      if (snapshot.problems.length > 0) process.stderr.write(`${renderProblems(snapshot.problems, colorFor(process.stderr, undefined))}\n`);
      const sources = snapshot.objects.map((o) => ({ object: o.object, where: o }));
      const defined = new Set(snapshot.objects.filter((o) => o.object.kind === "Tier").map((o) => o.object.metadata?.name ?? ""));
      const set = withCalico(buildPolicySet(sources), sources, calicoVersion ? { calicoVersion } : {});
      if (set.ordering.warning) process.stderr.write(printable(`warning: ${set.ordering.warning}`) + "\n");
      const view = tiersView(set, defined);
      const out = flags.output === "json" ? `${JSON.stringify(view, null, 2)}\n` : flags.output === "yaml" ? toYaml(view) : renderTiersText(view);
      await writeStdout(out);
      if (problems.length > 0) process.exitCode = EXIT.usage;
      else if (view.refused.length > 0) process.exitCode = EXIT.findings;
    });
}
