import type { Command } from "commander";
import { kubernetesYaml } from "../k8s/yaml-out.js";
import { UserError } from "../errors.js";
import { loadSnapshot } from "../k8s/load.js";
import { formatVersion } from "../podsecurity/levels.js";
import { loadPolicies } from "../psp/check.js";
import { migratePolicy, type Migration } from "../psp/migrate.js";
import { isPodSecurityPolicy, readPodSecurityPolicy } from "../psp/policy.js";
import { renderProblems } from "../report/text.js";
import { colorFor, EXIT, outputOption, writeStdout } from "./common.js";

/** `palisade psp migrate FILE...`: for each policy, the Pod Security level and version it fits and what changes. */
export function registerPspMigrate(psp: Command): void {
  psp
    .command("migrate")
    .description("for each PodSecurityPolicy: the strictest Pod Security level and version that admits everything it admitted, the namespace labels, and the differences")
    .argument("<files...>", "files or directories with PodSecurityPolicy objects")
    .addOption(outputOption(["text", "json", "yaml"], "text"))
    .addHelpText("after", "\nExit codes: 0 done, 2 usage or input errors (including invalid policies).")
    .action(async (files: string[], flags: { output: string }) => {
      process.exitCode = await migrate(files, flags.output);
    });
}

function toJson(m: Migration): Record<string, unknown> {
  return { ...m, version: formatVersion(m.version) };
}

function renderText(m: Migration, where: string): string {
  const lines = [`PodSecurityPolicy ${m.policy} (${where})`, `  fits: ${m.level} ${formatVersion(m.version)}`, "  namespace labels:"];
  for (const [k, v] of Object.entries(m.labels)) lines.push(`    ${k}: ${v}`);
  const byLevel = (level: string) => m.gaps.filter((g) => g.level === level);
  for (const level of ["baseline", "restricted"] as const) {
    const gaps = byLevel(level);
    if (gaps.length === 0) continue;
    lines.push(`  the policy allowed what ${level} forbids:`);
    for (const g of gaps) {
      const versions = g.untilMinor !== undefined ? ` (v1.${g.sinceMinor}-v1.${g.untilMinor})` : g.sinceMinor > 0 ? ` (from v1.${g.sinceMinor})` : "";
      lines.push(`    ${g.checkId}${versions}: ${g.allows}`);
    }
  }
  if (m.looser.length) {
    lines.push(`  ${m.level} allows what the policy forbade:`);
    for (const l of m.looser) lines.push(`    ${l}`);
  }
  if (m.defaultedByPsp.length) {
    lines.push("  the policy defaulted (Pod Security Admission will not):");
    for (const d of m.defaultedByPsp) lines.push(`    ${d}`);
  }
  for (const n of m.notes) lines.push(`  note: ${n}`);
  return lines.join("\n");
}

async function migrate(files: string[], output: string): Promise<number> {
  const snapshot = await loadSnapshot({ paths: files });
  // Files that did not load (a YAML error, a binary file) are said, or exit 2 would come without a reason.
  if (snapshot.problems.length > 0) process.stderr.write(renderProblems(snapshot.problems, colorFor(process.stderr, undefined)) + "\n");
  const policyObjects = snapshot.objects.filter((o) => isPodSecurityPolicy(o.object));
  if (policyObjects.length === 0) {
    throw new UserError(`no PodSecurityPolicy objects in ${files.join(", ")}`, { hint: "give files with apiVersion policy/v1beta1 (or extensions/v1beta1) kind PodSecurityPolicy" });
  }
  const { findings } = loadPolicies(policyObjects);
  for (const f of findings) process.stderr.write(`${f.position ? `${f.position.file}:${f.position.line}:${f.position.column}: ` : ""}invalid policy: ${f.message}\n`);
  const invalid = new Set(findings.map((f) => f.object?.name));
  const results: Array<{ migration: Migration; where: string }> = [];
  for (const loaded of policyObjects) {
    const { policy } = readPodSecurityPolicy(loaded.object);
    if (invalid.has(policy.name)) continue;
    results.push({ migration: migratePolicy(policy), where: `${loaded.source.position.file}:${loaded.source.position.line}` });
  }
  if (output === "json") await writeStdout(JSON.stringify(results.map((r) => toJson(r.migration)), null, 2) + "\n");
  else if (output === "yaml") await writeStdout(kubernetesYaml(results.map((r) => toJson(r.migration))));
  else await writeStdout(results.map((r) => renderText(r.migration, r.where)).join("\n\n") + "\n");
  return findings.length > 0 || snapshot.problems.length > 0 ? EXIT.usage : EXIT.clean;
}
