/** The files `palisade pki` judges: a PKI directory's certificates and keys, read as the components that load them would. */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, realpathSync, statSync, type Stats } from "node:fs";
import { join, sep } from "node:path";
import { UserError } from "../errors.js";
import type { PkiFile } from "../hardening/pki/audit.js";
import { clientCaFromFile, type ClientCa } from "../hardening/pki/client-ca.js";

export const DEFAULT_DIR = "/etc/kubernetes/pki";
/** .pub: kubeadm's sa.pub, the public half of the service-account key pair. */
const PKI_EXTENSIONS = /\.(crt|pem|key|cert|pub)$/;
/** Certificates and keys are a few KB: anything bigger is not one. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Every certificate and key file under `dir`, with its mode. Symbolic links are followed
 * (kubeadm's kubelet-client-current.pem, a Secret volume's tls.crt -> ..data/tls.crt), each
 * directory walked once by its real path so that a link back up cannot loop, and each file
 * read once, under the shortest of the names that lead to it.
 */
export function readPkiFiles(dir: string): PkiFile[] {
  let info;
  try {
    info = statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw unreadable(dir, err);
    throw new UserError(`cannot read ${dir}: no such directory`, { hint: dir === DEFAULT_DIR ? "run on a control-plane node, or name the PKI directory: palisade pki DIR" : "name the directory that holds the cluster's certificates" });
  }
  if (!info.isDirectory()) throw new UserError(`${dir} is not a directory`, { hint: "name the directory that holds the cluster's certificates (kubeadm: /etc/kubernetes/pki)" });
  const walkedDirectories = new Set<string>();
  const byRealPath = new Map<string, { path: string; stat: Stats }>();
  const broken: PkiFile[] = [];
  const realPath = (path: string) => {
    try {
      return realpathSync(path);
    } catch (err) {
      throw unreadable(path, err);
    }
  };
  const addFile = (path: string, stat: Stats) => {
    const real = realPath(path);
    const seen = byRealPath.get(real);
    if (!seen || preferredName(path, seen.path)) byRealPath.set(real, { path, stat });
  };
  const walk = (at: string) => {
    const real = realPath(at);
    if (walkedDirectories.has(real)) return;
    walkedDirectories.add(real);
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch (err) {
      throw unreadable(at, err);
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        if (PKI_EXTENSIONS.test(entry.name)) addFile(path, lstatSync(path));
      } else if (entry.isSymbolicLink()) {
        let target;
        try {
          target = statSync(path);
        } catch (err) {
          // A component configured with this name would fail to start: a finding, not an input error.
          if (PKI_EXTENSIONS.test(entry.name)) broken.push({ file: path, text: "", mode: 0, unopenable: brokenLink(path, err) });
          continue;
        }
        if (target.isDirectory()) walk(path);
        else if (target.isFile() && PKI_EXTENSIONS.test(entry.name)) addFile(path, target);
      }
    }
  };
  walk(dir);
  const found = [...byRealPath.values()].map(({ path, stat }): PkiFile => {
    // Not read, but not passed over in silence either: it may hide an expired certificate or an exposed key.
    if (stat.size > MAX_FILE_BYTES) return { file: path, text: "", mode: stat.mode & 0o777, unopenable: `holds ${stat.size} bytes, more than any certificate or key file: it was not read, so nothing in it was judged` };
    try {
      return { file: path, text: readFileSync(path, "latin1"), mode: stat.mode & 0o777 };
    } catch (err) {
      throw unreadable(path, err);
    }
  });
  return [...found, ...broken].sort((a, b) => walkOrder(a.file, b.file));
}

/** The order of a sorted depth-first walk: name by name, a directory's files where its name sorts. */
function walkOrder(a: string, b: string): number {
  const [x, y] = [a.split(sep), b.split(sep)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as string) < (y[i] as string) ? -1 : 1;
  }
  return x.length - y.length;
}

/** The name a file is reported under: the one with fewest directories (tls.crt, not ..2024_01_01/tls.crt), then the shortest. */
function preferredName(candidate: string, current: string): boolean {
  const depth = (p: string) => p.split(sep).length;
  if (depth(candidate) !== depth(current)) return depth(candidate) < depth(current);
  return candidate.length < current.length;
}

function brokenLink(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ELOOP") return "is a symbolic link in a loop of links: it leads to no file";
  let target = "";
  try {
    target = ` to ${readlinkSync(path)}`;
  } catch {
    // The link's target is only for the message.
  }
  return code === "ENOENT" ? `is a symbolic link${target}, which does not exist` : `is a symbolic link${target} that cannot be followed (${code ?? "error"})`;
}

function unreadable(path: string, err: unknown): UserError {
  return new UserError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, { hint: "run as a user who may read the PKI directory (root on kubeadm nodes)" });
}

/** kube-apiserver's --client-ca-file, named with `palisade pki --client-ca-file FILE`. */
export function readClientCaFile(file: string): ClientCa {
  const hint = "name the CA bundle kube-apiserver's --client-ca-file names (kubeadm: /etc/kubernetes/pki/ca.crt)";
  let text;
  try {
    if (statSync(file).isDirectory()) throw new UserError(`--client-ca-file ${file} is a directory`, { hint });
    text = readAtMost(file, MAX_FILE_BYTES);
    if (text === undefined) throw new UserError(`--client-ca-file ${file} holds more than ${MAX_FILE_BYTES / 1024 / 1024} MiB, which no CA bundle does`, { hint });
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read --client-ca-file ${file}: ${code === "ENOENT" ? "no such file" : (code ?? "error")}`, { hint });
  }
  const clientCa = clientCaFromFile(file, text, `the client CA given with --client-ca-file (${file})`);
  if (!clientCa) throw new UserError(`--client-ca-file ${file} holds no PEM certificate`, { hint: `${hint}; kube-apiserver does not start with a bundle that holds none` });
  return clientCa;
}

/**
 * The file's text, or undefined when it holds more than `limit` bytes. Read in chunks rather than
 * checked by size first: a pipe (`--client-ca-file <(kubectl ...)`) has no size, and a device such
 * as /dev/zero never ends, which readFileSync would read until memory runs out.
 */
function readAtMost(file: string, limit: number): string | undefined {
  const fd = openSync(file, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return Buffer.concat(chunks).toString("latin1");
      total += read;
      if (total > limit) return undefined;
      chunks.push(chunk.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
}
