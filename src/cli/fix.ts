import { mkdir, readdir, readFile, realpath, stat } from "node:fs/promises";
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { Option, type Command } from "commander";
import { UserError } from "../errors.js";
import { decodeManifest, encodeManifest } from "../fix/encoding.js";
import { fixManifestText, type FileFix } from "../fix/fix-text.js";
import type { Change } from "../fix/plan.js";
import { describeWriteError, saveFile } from "../fix/save.js";
import type { InputProblem } from "../fix/rewrite.js";
import { isJsonText } from "../k8s/parse.js";
import { describeRef, formatFieldPath } from "../k8s/types.js";
import { byName } from "../k8s/load.js";
import { isLevel, formatVersion, LATEST, type Level, type Version } from "../podsecurity/levels.js";
import { EXIT, writeStdout } from "./common.js";
import { pssVersionFlag } from "./size-and-version-flags.js";

interface FixFlags {
  level: string;
  pssVersion?: string;
  inPlace?: boolean;
  output?: string;
}

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git", ".terraform"]);

export function registerFixCommand(program: Command): void {
  program
    .command("fix")
    .description("rewrite manifests so their pods pass a Pod Security level with the smallest edits, and correct misspelt fields and quoted numbers (comments and layout kept)")
    .argument("<paths...>", "YAML or JSON files or directories (recursively); - reads stdin")
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
    throw new UserError(`${path}: no such file or directory`, { hint: "give YAML or JSON files or directories of them" });
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

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

function problemLines(name: string, problems: readonly InputProblem[]): Array<[number, string]> {
  // The loader's hints speak of scanning; here the other documents were fixed.
  return problems.map((p) => [p.line, `${name}:${p.line}:${p.column}: ${p.message}${p.hint?.includes("left unchanged") ? "" : " (left unchanged)"}${p.hint ? `\n  hint: ${p.hint.replace("were still scanned", "were still fixed")}` : ""}`]);
}

function describe(file: string, result: FileFix, version: Version, level: Level): string[] {
  // In file order: a document's problems, its corrected fields, then its Pod Security changes.
  const lines: Array<[number, string]> = problemLines(file, result.errors);
  for (const c of result.corrections) {
    const where = `${file}:${c.line}: ${describeRef(c.object)}`;
    lines.push([c.line, c.notMade ? `${where}: NOT fixed ${c.ruleId}: ${c.description} — ${c.notMade}` : `${where}: fixed ${c.ruleId}: ${c.description}`]);
  }
  for (const d of result.documents) {
    const where = `${file}:${d.line}: ${describeRef(d.object)}`;
    if (d.plan.before.length === 0) continue;
    for (const c of d.plan.changes) lines.push([d.line, `${where}: ${describeChange(c, formatFieldPath([...d.templatePath, ...c.path]))}`]);
    for (const n of d.plan.notFixed) lines.push([d.line, `${where}: NOT fixed ${n.checkId}: ${n.reason}${n.detail ? ` (${n.detail})` : ""} — ${n.why}`]);
    if (d.plan.notFixed.length === 0) lines.push([d.line, `${where}: now passes ${level}:${formatVersion(version)}`]);
  }
  return lines.map((entry, i) => [entry, i] as const).sort(([a, i], [b, j]) => a[0] - b[0] || i - j).map(([[, line]]) => line);
}

/**
 * "fixed" when the edit fills in a field the manifest left out; "OVERRODE" when it replaces
 * or removes a value the manifest wrote, which its author may have meant: that is the line
 * to read before applying the result.
 */
function describeChange(c: Change, path: string): string {
  if (!c.overrides) return `fixed ${c.checkId}: ${c.description} (${path})`;
  const was = c.overrides.value;
  const written = c.edit.op === "remove" || typeof was === "object" ? "which the manifest wrote" : `which the manifest set to ${JSON.stringify(was)}`;
  return `OVERRODE ${c.checkId}: ${c.description} (${path}), ${written}`;
}

function overrides(result: FileFix): number {
  return result.documents.reduce((n, d) => n + d.plan.changes.filter((c) => c.overrides).length, 0);
}

function exitOf(result: FileFix): number {
  if (result.errors.length > 0) return EXIT.usage;
  if (result.corrections.some((c) => c.notMade) || result.documents.some((d) => d.plan.notFixed.length > 0)) return EXIT.findings;
  return EXIT.clean;
}

interface Input {
  file: string;
  /** Where --output puts it, relative to the output directory. */
  target: string;
  /** The directory given whose walk found it; undefined when it was named itself (or is stdin). */
  walkedFrom?: string;
}

function commonParent(dirs: readonly string[]): string {
  if (dirs.length === 0) return "";
  let common = dirs[0] as string;
  for (const dir of dirs) while (relative(common, dir).startsWith("..") || isAbsolute(relative(common, dir))) common = dirname(common);
  return common;
}

/** Each file once (however it was named), with its place under --output: refused before anything is written when two would land on one path. */
async function inputsOf(paths: readonly string[], output: string | undefined): Promise<Input[]> {
  const found: Array<{ file: string; root: string }> = [];
  for (const p of paths) {
    if (p === "-") found.push({ file: "-", root: "" });
    else await collect(p, found, p, true);
  }
  if (found.length === 0) throw new UserError("no manifest files found", { hint: "give .yaml, .yml or .json files or directories that contain them" });
  const seen = new Set<string>();
  const unique = [];
  for (const f of found) {
    const key = f.file === "-" ? "-" : await realpath(f.file).catch(() => resolve(f.file));
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(f);
  }
  // Files named one by one are placed relative to their common parent, as a directory's files are to it.
  const parent = commonParent(unique.filter((f) => f.file !== "-" && f.root === f.file).map((f) => dirname(resolve(f.file))));
  const inputs: Input[] = unique.map((f) => ({
    file: f.file,
    target: f.file === "-" ? "stdin.yaml" : f.root === f.file ? relative(parent, resolve(f.file)) : relative(f.root, f.file),
    ...(f.file !== "-" && f.root !== f.file ? { walkedFrom: f.root } : {}),
  }));
  if (output !== undefined) {
    const byTarget = new Map<string, string>();
    for (const input of inputs) {
      const other = byTarget.get(resolve(output, input.target));
      if (other !== undefined) throw new UserError(`--output ${output}: ${other} and ${input.file} would both be written to ${join(output, input.target)}`, { hint: "fix them in separate runs, or give their common directory instead" });
      byTarget.set(resolve(output, input.target), input.file);
    }
  }
  return inputs;
}

/** Whether `file`, its links followed, is inside the directory `dir` (its links followed too). */
async function isInside(file: string, dir: string): Promise<boolean> {
  const where = relative(await realpath(dir), await realpath(file));
  return where !== "" && where !== ".." && !where.startsWith(`..${sep}`) && !isAbsolute(where);
}

async function fix(paths: string[], flags: FixFlags): Promise<number> {
  if (!isLevel(flags.level) || flags.level === "privileged") throw new UserError(`--level ${flags.level}: expected baseline or restricted`);
  const level = flags.level;
  const version = pssVersionFlag(flags.pssVersion ?? "latest");
  if (flags.inPlace && flags.output) throw new UserError("--in-place and --output cannot be used together", { hint: "choose one: rewrite the files, or write copies under a directory" });
  if (flags.inPlace && paths.includes("-")) throw new UserError("--in-place cannot rewrite stdin");
  if (flags.output) {
    const info = await stat(flags.output).catch(() => undefined);
    if (info && !info.isDirectory()) throw new UserError(`--output ${flags.output}: not a directory`, { hint: "give a directory for the fixed files (it is created when missing)" });
  }
  const inputs = await inputsOf(paths, flags.output);
  if (flags.inPlace) {
    // A pipe (`<(helm template .)`) or a device cannot take the fixed text back: said before anything is written.
    for (const { file, walkedFrom } of inputs) {
      if (!(await stat(file)).isFile()) throw new UserError(`--in-place: ${file} is not a regular file (a pipe or a device), so it cannot be rewritten`, { hint: "drop --in-place to get the fixed text on stdout, or give --output DIR" });
      // A link in a walked directory that leads out of it (a checked-out repository's
      // `prod.yaml -> /etc/kubernetes/...`) would have fix rewrite a file nobody named.
      if (walkedFrom !== undefined && !(await isInside(file, walkedFrom))) {
        throw new UserError(`--in-place: ${file} is a symbolic link to ${await realpath(file)}, outside ${walkedFrom}, so it was not rewritten (nothing was)`, { hint: "name that file itself to rewrite it, or give --output DIR" });
      }
    }
  }

  let exit: number = EXIT.clean;
  const worse = (code: number) => (exit = Math.max(exit, code));
  let objects = 0;
  let overridden = 0;
  const outputs: string[] = [];
  for (const { file, target } of inputs) {
    const name = file === "-" ? "<stdin>" : file;
    // Each file's report goes out as it is done: a run stopped halfway has said what it wrote.
    const report = (lines: readonly string[]) => void (lines.length > 0 && process.stderr.write(lines.join("\n") + "\n"));
    let bytes: Buffer;
    try {
      bytes = file === "-" ? await readStdin() : await readFile(file);
    } catch (err) {
      report([`${name}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (nothing fixed in it)`]);
      worse(EXIT.usage);
      continue;
    }
    // Read as the scan reads it, written back in its own encoding (encoding.ts).
    const decoded = decodeManifest(bytes);
    if ("problem" in decoded) {
      const p = decoded.problem;
      report([`${name}:${p.line}:${p.column}: ${p.message}`, `  hint: ${p.hint}`]);
      worse(EXIT.usage);
      continue;
    }
    const { text, encoding } = decoded;
    if (file === "-" && text.trim() === "") {
      report(["<stdin>:1:1: standard input was empty: nothing was fixed", "  hint: check the command that feeds it; with `set -o pipefail` its failure stops the pipeline"]);
      worse(EXIT.usage);
      continue;
    }
    const json = extname(file).toLowerCase() === ".json" ? true : undefined;
    const result = fixManifestText(text, { level, version: version ?? LATEST }, { file: name, ...(json ? { json } : {}) });
    report(describe(name, result, version, level));
    worse(exitOf(result));
    objects += result.objects;
    overridden += overrides(result);
    const out = flags.inPlace ? file : flags.output ? join(flags.output, file === "-" && isJsonText(text) ? "stdin.json" : target) : undefined;
    try {
      if (flags.inPlace) {
        if (result.changed) await saveFile(file, encodeManifest(result.text, encoding));
      } else if (out !== undefined) {
        await mkdir(dirname(out), { recursive: true });
        await saveFile(out, encodeManifest(result.text, encoding));
      } else {
        outputs.push(inputs.length > 1 ? `---\n# Source: ${name}\n${result.text.replace(/^---\n/, "")}` : result.text);
      }
    } catch (err) {
      report([
        `${name}: cannot write ${out ?? name}: ${describeWriteError(err)}: the fixes above were not saved`,
        `  hint: ${flags.inPlace ? "make the file and its directory writable (or free space), then run fix again" : "give an --output directory that can be written, or free space, then run fix again"}`,
      ]);
      worse(EXIT.usage);
    }
  }
  if (!flags.inPlace && !flags.output) await writeStdout(outputs.join(outputs.every((o) => o.endsWith("\n")) ? "" : "\n"));
  if (overridden > 0) {
    process.stderr.write(`${overridden === 1 ? "1 change" : `${overridden} changes`} OVERRODE a value written in the manifests, which ${level} forbids\n  hint: if a workload needs such a value, it cannot run at ${level}; leave it out of this fix and keep its namespace at a looser level\n`);
  }
  // As the scan does: input with no Kubernetes object is a wrong path or a failed render upstream, not a clean run.
  if (objects === 0 && exit === EXIT.clean) {
    process.stderr.write(`no Kubernetes objects to fix in ${inputs.length === 1 ? "the input" : `${inputs.length} files`} (no document has apiVersion and kind)\n  hint: check the paths; kubectl apply refuses such input too\n`);
    worse(EXIT.usage);
  }
  return exit;
}
