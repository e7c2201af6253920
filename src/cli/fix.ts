import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join, relative } from "node:path";
import { Option, type Command } from "commander";
import { UserError } from "../errors.js";
import { fixManifestText, type FileFix } from "../fix/fix-text.js";
import { describeRef, formatFieldPath } from "../k8s/types.js";
import { byName } from "../k8s/load.js";
import { isLevel, parseVersion, formatVersion, LATEST, type Level, type Version } from "../podsecurity/levels.js";
import { EXIT, writeStdout } from "./common.js";

interface FixFlags {
  level: string;
  pssVersion?: string;
  inPlace?: boolean;
  output?: string;
}

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml"]);
const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git", ".terraform"]);

export function registerFixCommand(program: Command): void {
  program
    .command("fix")
    .description("rewrite manifests so their pods pass a Pod Security level with the smallest edits, and correct misspelt fields and quoted numbers (comments and layout kept)")
    .argument("<paths...>", "YAML files or directories (recursively); - reads stdin")
    .addOption(new Option("--level <level>", "Pod Security level to reach").choices(["baseline", "restricted"]).default("restricted"))
    .option("--pss-version <version>", "Pod Security version: latest or v1.N", "latest")
    .option("--in-place", "rewrite the files themselves (only those that change)")
    .option("--output <dir>", "write the fixed files under this directory instead of stdout")
    .addHelpText(
      "after",
      "\nFixed files go to stdout unless --in-place or --output is given; what was changed and what was not (and why) goes to stderr." +
        "\nExit codes: 0 every pod passes, 1 some violations are left for a person to fix, 2 usage or input errors.",
    )
    .action(async (paths: string[], flags: FixFlags) => {
      process.exitCode = await fix(paths, flags);
    });
}

async function collect(path: string, out: Array<{ file: string; root: string }>, root: string, explicit: boolean): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UserError(`${path}: no such file or directory`, { hint: "give YAML files or directories of them" });
  }
  if (info.isDirectory()) {
    const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name));
    for (const entry of entries) {
      if (entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)) continue;
      if (entry.isDirectory() || MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) await collect(join(path, entry.name), out, root, false);
    }
  } else if (explicit || MANIFEST_EXTENSIONS.has(extname(path).toLowerCase())) {
    out.push({ file: path, root });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function describe(file: string, result: FileFix, version: Version, level: Level): string[] {
  // In file order: a document's corrected fields, then its Pod Security changes.
  const byLine = new Map<number, string[]>();
  const linesAt = (line: number): string[] => {
    let lines = byLine.get(line);
    if (!lines) byLine.set(line, (lines = []));
    return lines;
  };
  for (const c of result.corrections) linesAt(c.line).push(`${file}:${c.line}: ${describeRef(c.object)}: fixed ${c.ruleId}: ${c.description}`);
  for (const d of result.documents) {
    const lines = linesAt(d.line);
    const where = `${file}:${d.line}: ${describeRef(d.object)}`;
    if (d.plan.before.length === 0) continue;
    for (const c of d.plan.changes) lines.push(`${where}: fixed ${c.checkId}: ${c.description} (${formatFieldPath([...d.templatePath, ...c.path])})`);
    for (const n of d.plan.notFixed) {
      lines.push(`${where}: NOT fixed ${n.checkId}: ${n.reason}${n.detail ? ` (${n.detail})` : ""} — ${n.why}`);
    }
    if (d.plan.notFixed.length === 0) lines.push(`${where}: now passes ${level}:${formatVersion(version)}`);
  }
  return [...byLine].sort(([a], [b]) => a - b).flatMap(([, lines]) => lines);
}

async function fix(paths: string[], flags: FixFlags): Promise<number> {
  if (!isLevel(flags.level) || flags.level === "privileged") throw new UserError(`--level ${flags.level}: expected baseline or restricted`);
  const level = flags.level;
  const version = parseVersion(flags.pssVersion ?? "latest");
  if (!version) throw new UserError(`--pss-version ${flags.pssVersion}: expected latest or v1.N (e.g. v1.30)`);
  if (flags.inPlace && flags.output) throw new UserError("--in-place and --output cannot be used together", { hint: "choose one: rewrite the files, or write copies under a directory" });
  if (flags.inPlace && paths.includes("-")) throw new UserError("--in-place cannot rewrite stdin");

  const files: Array<{ file: string; root: string }> = [];
  for (const p of paths) {
    if (p === "-") files.push({ file: "-", root: "" });
    else await collect(p, files, p, true);
  }
  if (files.length === 0) throw new UserError("no YAML files found", { hint: "give .yaml/.yml files or directories that contain them" });

  let exit: number = EXIT.clean;
  const report: string[] = [];
  const outputs: string[] = [];
  for (const { file, root } of files) {
    const text = file === "-" ? await readStdin() : await readFile(file, "utf8");
    const name = file === "-" ? "<stdin>" : file;
    const result = fixManifestText(text, { level, version: version ?? LATEST });
    if (result.errors.length > 0) {
      for (const e of result.errors) report.push(`${name}:${e.line}:${e.column}: ${e.message} (file left unchanged)`);
      exit = EXIT.usage;
    }
    report.push(...describe(name, result, version, level));
    for (const sk of result.skipped) {
      report.push(`${name}:${sk.line}: ${sk.message}`);
      if (exit === EXIT.clean) exit = EXIT.findings;
    }
    if (exit !== EXIT.usage && result.documents.some((d) => d.plan.notFixed.length > 0)) exit = EXIT.findings;
    if (flags.inPlace) {
      if (result.changed) await writeFile(file, result.text);
    } else if (flags.output) {
      const rel = file === "-" ? "stdin.yaml" : root === file ? basename(file) : relative(root, file);
      const target = join(flags.output, rel);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, result.text);
    } else {
      outputs.push(files.length > 1 ? `---\n# Source: ${name}\n${result.text.replace(/^---\n/, "")}` : result.text);
    }
  }
  if (report.length > 0) process.stderr.write(report.join("\n") + "\n");
  if (!flags.inPlace && !flags.output) await writeStdout(outputs.join(outputs.every((o) => o.endsWith("\n")) ? "" : "\n"));
  return exit;
}
