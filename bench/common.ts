/** What the benchmarks share: where the project is, their flags, the shared corpus, and where results go. */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The shared corpus as bench:scan generates it (../shared/bench/gen-corpus.py DIR 1000 10). */
export const corpus = join(root, "bench/out/corpus-1000x10");

/** The value after `--name` on the command line, if any. */
export function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Stops with a clear message when the corpus has not been generated yet. */
export function requireCorpus(): void {
  if (existsSync(corpus)) return;
  console.error(`no corpus at ${corpus}: run npm run bench:scan once to generate it`);
  process.exit(2);
}

/** Writes a benchmark's section to bench/results/<name>.md (bench:report copies it into BENCHMARKS.md) and prints it. */
export function writeResult(name: string, markdown: string): void {
  const out = join(root, "bench/results", `${name}.md`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  process.stdout.write(markdown);
}
