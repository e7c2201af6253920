/**
 * A remote base or component (a URL in `resources:` or `components:`, fetched with git or
 * HTTP) that kustomize could not fetch: on a machine without network access, or a
 * repository that is not there. The error says which entry, where it is written (the
 * kustomization's file:line, at any depth of the tree), why the fetch failed, and what to
 * do, instead of kustomize's nested accumulation message.
 */
import { UserError } from "../errors.js";
import { kubectlFailureLines } from "./kubectl-stderr.js";
import { KustomizeFiles, REFERENCE_FIELDS, isRemoteEntry, kustomizationTree } from "./kustomize-files.js";

interface RemoteEntry {
  entry: string;
  field: string;
  at: () => { file: string; line: number; column: number };
}

/**
 * The error for a render that failed fetching a remote entry of the kustomization in `dir`;
 * undefined when its failure (kustomize's stderr) was another.
 */
export function remoteFetchError(dir: string, stderr: string): UserError | undefined {
  // kubectl wraps kustomize's message in a klog line, its quotes escaped: read it unwrapped.
  const message = kubectlFailureLines(stderr, "").join("\n");
  if (!/git fetch|git clone|Get "|no such host|connection refused|could not resolve|unable to access|could not read from remote|timed? ?out|network is unreachable/i.test(message)) return undefined;
  const remotes = remoteEntries(dir);
  const failed = remotes.find((remote) => message.includes(remote.entry)) ?? remotes.find((remote) => message.includes(repositoryOf(remote.entry)));
  if (!failed) return undefined;
  const what = failed.field === "components" ? "component" : "base";
  return new UserError(`-k ${dir}: kustomize could not fetch the remote ${what} ${failed.entry}: ${reasonOf(message)}`, {
    position: failed.at(),
    hint: `a remote ${what} is fetched over the network when the kustomization is rendered. Where it cannot be reached, clone it (git clone) and name its local directory in ${failed.field} instead, or render on a machine that can reach it and scan the result: kubectl kustomize ${dir} > rendered.yaml, then palisade scan rendered.yaml`,
  });
}

/** The entries of the tree's kustomizations that name something remote, in the order they are read. */
function remoteEntries(dir: string): RemoteEntry[] {
  const files = new KustomizeFiles();
  const remotes: RemoteEntry[] = [];
  for (const { kustomization } of kustomizationTree(dir, files).values()) {
    for (const field of REFERENCE_FIELDS) {
      const entries = kustomization.fields[field];
      if (!Array.isArray(entries)) continue;
      entries.forEach((entry: unknown, i) => {
        if (typeof entry === "string" && isRemoteEntry(kustomization.dir, entry)) remotes.push({ entry, field, at: () => kustomization.source.locate([field, i]) });
      });
    }
  }
  return remotes;
}

/** The repository part of a remote entry, which git's messages name: before its `//` subdirectory and its `?ref=`. */
function repositoryOf(entry: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(entry)?.[0] ?? "";
  const rest = entry.slice(scheme.length).split("?")[0] ?? "";
  return scheme + (rest.split("//")[0] ?? rest).replace(/\.git$/, "");
}

/** Why the fetch failed, in git's or Go's own words. */
function reasonOf(message: string): string {
  const host = /Could not resolve host(?:name)?:? [^\s':]+/i.exec(message)?.[0];
  if (host) return host;
  const git = /fatal: ([^\n]+)/.exec(message)?.[1];
  const http = /Get "[^"]*": ([^'\n]+)/.exec(message)?.[1];
  return (git ?? http ?? "the fetch failed").replace(/\\n.*$/, "").replace(/[':\s]+$/, "");
}
