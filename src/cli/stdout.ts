import { writeSync } from "node:fs";
import { UserError } from "../errors.js";

/**
 * Writing a report to stdout. A scan of 10,000 objects renders ~40 MB of JSON; turning
 * that into one string and then one Buffer touches 80 MB of fresh memory, which on this
 * kind of VM costs more than rendering it (page faults: ~0.4 s). Large output therefore
 * goes out piece by piece through one reused 64 KiB buffer.
 */

/** Strings below this size go through process.stdout as they are. */
const DIRECT_LIMIT = 1 << 20;
const BUFFER_BYTES = 1 << 16;
/** A slice this long always fits the buffer: UTF-8 needs at most 3 bytes per UTF-16 unit. */
const SLICE_UNITS = Math.floor(BUFFER_BYTES / 3);

let quietOnClosedPipe = false;

/** A write to stdout that failed for another reason than a closed pipe (a full disk): said in words, exit 2. */
function unwritable(err: NodeJS.ErrnoException): UserError {
  return new UserError(`cannot write the output to standard output: ${err.code ?? err.message}`, { hint: "check where the output goes (a full disk, a read-only file); nothing after this point was written" });
}

/**
 * `palisade scan ... | head` closes the pipe early: that ends the output, not the program
 * with a stack trace. The exit code stays what the command decided. Any other failure (a
 * full disk) arrives here, outside any command's error handling: said once, exit 2.
 */
export function ignoreClosedPipe(): void {
  if (quietOnClosedPipe) return;
  quietOnClosedPipe = true;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") return;
    process.stderr.write(`palisade: ${unwritable(err).describe()}\n`);
    process.exit(2);
  });
}

/** Write to stdout and wait for it to drain, so piping into `head` or a file loses nothing. */
export async function writeStdout(output: string | Iterable<string>): Promise<void> {
  ignoreClosedPipe();
  if (typeof output === "string" && output.length < DIRECT_LIMIT) {
    if (output.length === 0) return;
    return new Promise((resolve) => void process.stdout.write(output, () => resolve()));
  }
  const stdout = process.stdout;
  let spare: Buffer | undefined;
  // Files, pipes and terminals take a write whole and at once on Linux, so the buffer is
  // free again as soon as write returns; a stream that still holds it gets a fresh one.
  const nextBuffer = (): Buffer => (spare !== undefined && stdout.writableLength === 0 ? spare : (spare = Buffer.allocUnsafe(BUFFER_BYTES)));
  for (const chunk of filledBuffers(typeof output === "string" ? [output] : output, nextBuffer)) {
    if (stdout.destroyed) return;
    if (!stdout.write(chunk)) await drained(stdout);
  }
  await new Promise<void>((resolve) => (stdout.destroyed ? resolve() : stdout.write("", () => resolve())));
}

/** Writes every piece to `fd` through one reused buffer; stops quietly when the reader has gone (EPIPE). */
export function writePieces(fd: number, pieces: Iterable<string>): void {
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  for (const chunk of filledBuffers(pieces, () => buffer)) {
    for (let written = 0; written < chunk.length; ) {
      try {
        written += writeSync(fd, chunk, written, chunk.length - written);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EPIPE") return;
        if (code !== "EAGAIN") throw unwritable(err as NodeJS.ErrnoException);
        waitBriefly();
      }
    }
  }
}

/**
 * The pieces UTF-8 encoded into buffers from `nextBuffer`, each yielded when full (and
 * the last when done); the caller is done with a buffer when it asks for the next one.
 */
function* filledBuffers(pieces: Iterable<string>, nextBuffer: () => Buffer): Generator<Buffer> {
  let buffer = nextBuffer();
  let used = 0;
  for (const piece of coalesced(pieces)) {
    for (let start = 0; start < piece.length; ) {
      let end = Math.min(piece.length, start + SLICE_UNITS);
      // Never split a surrogate pair: each half alone would be written as U+FFFD.
      if (end < piece.length && isHighSurrogate(piece.charCodeAt(end - 1))) end--;
      if (used + 3 * (end - start) > buffer.length) {
        yield buffer.subarray(0, used);
        buffer = nextBuffer();
        used = 0;
      }
      used += buffer.write(end - start === piece.length ? piece : piece.slice(start, end), used);
      start = end;
    }
  }
  if (used > 0) yield buffer.subarray(0, used);
}

/** Pieces joined up to JOINED_UNITS: encoding costs per call, and a matrix comes as millions of short rows. */
const JOINED_UNITS = 8192;

function* coalesced(pieces: Iterable<string>): Generator<string> {
  let pending = "";
  for (const piece of pieces) {
    if (pending.length === 0 && piece.length >= JOINED_UNITS) {
      yield piece;
      continue;
    }
    pending += piece;
    if (pending.length >= JOINED_UNITS) {
      yield pending;
      pending = "";
    }
  }
  if (pending.length > 0) yield pending;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** Resolves when the stream wants more, or can take none (closed by the reader). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("close", done);
  });
}

/** A non-blocking descriptor that is full: wait a millisecond for the reader, without spinning. */
function waitBriefly(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
}

/** Binary output (`encryption encrypt|decrypt`), untouched; a closed pipe ends it quietly too. */
export function writeStdoutBytes(bytes: Uint8Array): Promise<void> {
  ignoreClosedPipe();
  return new Promise((resolve) => {
    if (bytes.length === 0) return resolve();
    process.stdout.write(bytes, () => resolve());
  });
}
