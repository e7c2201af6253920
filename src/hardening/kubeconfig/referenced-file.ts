/**
 * The files a kubeconfig names (`certificate-authority`, `client-certificate`, `client-key`),
 * opened as client-go opens them: a relative path is joined to the absolute directory of the
 * kubeconfig that holds it (clientcmd loader.go, ResolveLocalPaths), and a kubeconfig with no
 * file of origin (read from standard input) keeps it relative, so it is opened from the current
 * directory. A missing file stops kubectl before it connects (clientcmd validation.go,
 * ConfirmUsable: "unable to read certificate-authority ..."), and so does a directory, which
 * that check opens but client-go's transport then fails to read (dataFromSliceOrFile).
 *
 * Only files inside the kubeconfig's own directory (after symbolic links) are opened: a
 * kubeconfig in a scanned repository is not to make the scan read, or report on, files
 * elsewhere on the scanning machine, which are not the files it names where it is used.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { isCheckoutFile } from "../../k8s/types.js";

/**
 * Larger files are not read. The largest CA bundle in use, a system's whole trust store
 * (Mozilla's, about 150 roots), is about 220 KB; four megabytes leaves room for any real
 * bundle while keeping a file named by mistake (a disk image, a log) from being read whole.
 */
export const MAX_REFERENCED_FILE_BYTES = 4 * 1024 * 1024;

export type ReferencedFile =
  /** Read whole: its bytes as latin1 text, as Go's PEM decoder sees bytes. */
  | { text: string; resolved: string }
  /** Why client-go cannot read it, or why Palisade did not read it (`notJudged`: client-go may well read it). */
  | { problem: string; resolved: string; notJudged?: true }
  /** Not opened: outside the kubeconfig's directory, or the kubeconfig is not a local file. */
  | { notOpened: true };

const NOT_OPENED = { notOpened: true } as const;

/** The directory client-go resolves the kubeconfig's relative paths against; undefined when it was not read from a local file or standard input. */
function baseDirectory(kubeconfigFile: string, cwd: string): string | undefined {
  if (kubeconfigFile === "<stdin>") return cwd;
  return isCheckoutFile(kubeconfigFile) ? resolve(cwd, dirname(kubeconfigFile)) : undefined;
}

function inside(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

const ERRORS: Record<string, string> = {
  ENOENT: "does not exist",
  EACCES: "cannot be read (permission denied)",
  EPERM: "cannot be read (permission denied)",
  EISDIR: "is a directory",
  ENOTDIR: "does not exist (a part of its path is not a directory)",
  ELOOP: "cannot be opened (a loop of symbolic links)",
};

function problemOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return (typeof code === "string" && ERRORS[code]) || `cannot be opened (${typeof code === "string" ? code : "unknown error"})`;
}

/** The file `reference` of the kubeconfig read from `kubeconfigFile`, as client-go would open it. */
export function openReferencedFile(kubeconfigFile: string, reference: string, cwd: string = process.cwd()): ReferencedFile {
  const base = baseDirectory(kubeconfigFile, cwd);
  if (base === undefined) return NOT_OPENED;
  const resolved = resolve(base, reference);
  if (!inside(base, resolved)) return NOT_OPENED;
  let real: string;
  try {
    real = realpathSync.native(resolved);
    if (!inside(realpathSync.native(base), real)) return NOT_OPENED;
  } catch (err) {
    return { problem: problemOf(err), resolved };
  }
  let fd: number | undefined;
  try {
    // Non-blocking, so that opening a FIFO does not wait for a writer; only regular files are read.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { problem: ERRORS.EISDIR as string, resolved };
    // client-go would read a FIFO or a device; Palisade does not, as reading one may never end.
    if (!stat.isFile()) return { problem: "is not a regular file (a device, socket or FIFO), so it was not read nor judged", resolved, notJudged: true };
    if (stat.size > MAX_REFERENCED_FILE_BYTES) return { problem: `is over ${MAX_REFERENCED_FILE_BYTES / 1024 / 1024} MiB, so it was not read nor judged`, resolved, notJudged: true };
    const buffer = Buffer.alloc(stat.size);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    return { text: buffer.subarray(0, length).toString("latin1"), resolved };
  } catch (err) {
    return { problem: problemOf(err), resolved };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
