import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, chmod, chown, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writing a fixed file so that it is either the old text or the new one, never part of
 * either: the new bytes go to a file beside it, which then takes its place (one rename).
 * A write that fails halfway (a full disk, a quota) leaves the file as it was. The file
 * keeps its mode (and its owner, where that is allowed); a symbolic link stays a link, and
 * the file it points to is the one replaced; a read-only file is refused, as a write to it
 * would be. (A hard link to the file keeps the old text.)
 */
export async function saveFile(path: string, bytes: Uint8Array): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const info = await stat(target).catch(() => undefined);
  // A file that may not be written is not replaced either (a rename would not ask).
  if (info) await access(target, constants.W_OK);
  const temp = join(dirname(target), `.${basename(target)}.palisade-${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, bytes, { flag: "wx", mode: 0o600 });
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    // A directory that takes no new file (the file itself may still be writable): written in place.
    if (isErrno(err) && (err.code === "EACCES" || err.code === "EPERM") && info) return writeFile(target, bytes);
    throw err;
  }
  try {
    await chmod(temp, info ? info.mode & 0o7777 : 0o666 & ~process.umask());
    if (info) await chown(temp, info.uid, info.gid).catch(() => undefined);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string";
}

const WRITE_ERRORS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "not permitted",
  EROFS: "the file system is read-only",
  EISDIR: "a directory is in the way",
  ENOTDIR: "a file is in the way of a directory on its path",
  EEXIST: "a file is in the way of a directory on its path",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
  ENAMETOOLONG: "the path is too long",
  ENOENT: "a directory on its path does not exist",
};

/** A write error in words, with its code: `no space left on the device (ENOSPC)`. */
export function describeWriteError(err: unknown): string {
  if (!isErrno(err)) return err instanceof Error ? err.message : String(err);
  const code = err.code ?? "";
  return WRITE_ERRORS[code] ? `${WRITE_ERRORS[code]} (${code})` : `${err.message.split(",")[0] ?? code}`;
}
