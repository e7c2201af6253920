/**
 * `palisade scan -k DIR`: a kustomization rendered with `kubectl kustomize` (or
 * `kustomize build`). It is rendered through a wrapping kustomization that asks kustomize
 * to annotate every object with the file it came from and the kustomizations that patched
 * it (`buildMetadata: [originAnnotations, transformerAnnotations]`), so findings can point
 * at the files the user edits (kustomize-origins.ts) rather than at text kustomize printed.
 * The annotations are taken out of the rendered text (kustomize-build-metadata.ts), which is
 * then what `kubectl kustomize DIR` prints. When the wrapper cannot be rendered (a kustomize
 * without buildMetadata, a Component) the directory is rendered as it is, and findings point
 * into the rendered text; a remote base that cannot be fetched is an error naming its entry.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { UserError } from "../errors.js";
import { kubectlFailureLines } from "./kubectl-stderr.js";
import { stripBuildAnnotations } from "./kustomize-build-metadata.js";
import { kustomizeOrigins, type KustomizeOrigins } from "./kustomize-origins.js";
import { remoteFetchError } from "./kustomize-remote.js";

export interface RenderedKustomization {
  text: string;
  /** Maps rendered objects back to their source files; absent when the wrapper could not be used. */
  origins?: KustomizeOrigins;
}

class CommandMissing extends Error {}

function run(command: string, args: string[]): Promise<string> {
  // This module loads only for -k (load.ts imports it then), so node:child_process, which
  // costs ~5 ms to load, is not paid by other scans.
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject((err as NodeJS.ErrnoException).code === "ENOENT" ? new CommandMissing(command) : Object.assign(err, { stderr }));
      else resolve(stdout);
    });
  });
}

/** The first of kubectl and kustomize that is installed renders `dir`; CommandMissing when neither is. */
async function build(dir: string): Promise<string> {
  for (const [command, args] of [
    ["kubectl", ["kustomize", dir]],
    ["kustomize", ["build", dir]],
  ] as const) {
    try {
      return await run(command, [...args]);
    } catch (err) {
      if (!(err instanceof CommandMissing)) throw err;
    }
  }
  throw new CommandMissing("kubectl");
}

export async function renderKustomization(dir: string): Promise<RenderedKustomization> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UserError(`-k ${dir}: ${info ? "not a directory" : "no such directory"}`, { hint: "-k takes a directory holding a kustomization.yaml; scan files with palisade scan FILE" });
  }
  // A failure here is reported by rendering the directory itself, below, whose error names
  // the user's own files; but a remote base that cannot be fetched is not fetched twice.
  let failure: unknown;
  const withOrigins = await renderWithOrigins(dir).catch((err: unknown) => void (failure = err));
  if (withOrigins) return withOrigins;
  const remote = remoteFetchError(dir, (failure as { stderr?: unknown } | undefined)?.stderr?.toString() ?? "");
  if (remote) throw remote;
  try {
    return { text: await build(dir) };
  } catch (err) {
    if (err instanceof CommandMissing) {
      throw new UserError(`cannot render the kustomization in ${dir}: neither kubectl nor kustomize is installed`, {
        hint: "install kubectl (which includes kustomize), or render it yourself: `kustomize build DIR | palisade scan -`",
      });
    }
    const e = err as Error & { stderr?: string };
    const remoteError = remoteFetchError(dir, e.stderr ?? "");
    if (remoteError) throw remoteError;
    // kustomize's deprecation notes (`# Warning: 'commonLabels' is deprecated...`) are not why it failed.
    const stderr = (e.stderr ?? "").replace(/^# Warning:.*$/gm, "");
    const reason = kubectlFailureLines(stderr, e.message)[0] ?? e.message;
    throw new UserError(`kustomize could not render ${dir}: ${reason}`, { hint: "run `kubectl kustomize " + dir + "` to see the full error" });
  }
}

/**
 * `dir` rendered as a resource of a kustomization in a fresh temporary directory, which
 * adds the build annotations. kustomize refuses an absolute resource path, so the wrapper
 * names `dir` relative to itself. A rejection when that fails for any reason: the caller
 * then renders `dir` itself and reports that error, which names the user's own files.
 */
async function renderWithOrigins(dir: string): Promise<RenderedKustomization> {
  const wrapper = mkdtempSync(join(tmpdir(), "palisade-kustomize-"));
  try {
    const target = relative(wrapper, resolve(dir)) || ".";
    writeFileSync(join(wrapper, "kustomization.yaml"), `resources:\n- ${JSON.stringify(target)}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n`);
    const { text, byDocument } = stripBuildAnnotations(await build(wrapper));
    return { text, origins: kustomizeOrigins(wrapper, resolve(dir), byDocument) };
  } finally {
    rmSync(wrapper, { recursive: true, force: true });
  }
}
