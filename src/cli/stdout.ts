import { writeSync } from "node:fs";

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

/**
 * `palisade scan ... | head` closes the pipe early: that ends the output, not the program
 * with a stack trace. The exit code stays what the command decided.
 */
export function ignoreClosedPipe(): void {
  if (quietOnClosedPipe) return;
  quietOnClosedPipe = true;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
  });
}

/** Write to stdout and wait for it to drain, so piping into `head` or a file loses nothing. */
export function writeStdout(output: string | Iterable<string>): Promise<void> {
  ignoreClosedPipe();
  if (typeof output === "string" && output.length < DIRECT_LIMIT) {
    return new Promise((resolve) => {
      if (output.length === 0) return resolve();
      process.stdout.write(output, () => resolve());
    });
  }
  // Whatever process.stdout still holds goes first, then the rest synchronously in order.
  return new Promise((resolve) => {
    const write = (): void => {
      writePieces(1, typeof output === "string" ? [output] : output);
      resolve();
    };
    if (process.stdout.writableLength > 0) process.stdout.once("drain", write);
    else write();
  });
}

/** Writes every piece to `fd` through one reused buffer; stops quietly when the reader has gone (EPIPE). */
export function writePieces(fd: number, pieces: Iterable<string>): void {
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  let used = 0;
  let closed = false;
  const flush = (): void => {
    let written = 0;
    while (written < used && !closed) {
      try {
        written += writeSync(fd, buffer, written, used - written);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") waitBriefly();
        else if (code === "EPIPE") closed = true;
        else throw err;
      }
    }
    used = 0;
  };
  for (const piece of pieces) {
    for (let start = 0; start < piece.length && !closed; ) {
      let end = Math.min(piece.length, start + SLICE_UNITS);
      // Never split a surrogate pair: each half alone would be written as U+FFFD.
      if (end < piece.length && isHighSurrogate(piece.charCodeAt(end - 1))) end--;
      if (used + 3 * (end - start) > BUFFER_BYTES) flush();
      used += buffer.write(end - start === piece.length ? piece : piece.slice(start, end), used);
      start = end;
    }
    if (closed) return;
  }
  flush();
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** A non-blocking stdout that is full: wait a millisecond for the reader, without spinning. */
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
