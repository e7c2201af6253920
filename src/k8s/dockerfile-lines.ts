import type { LoadProblem } from "./types.js";

/**
 * BuildKit reads a Dockerfile with Go's bufio.Scanner at its default token size, so a
 * physical line of 64 KiB or more fails the build ("bufio.Scanner: token too long"). Such a
 * file is reported and not parsed: no build uses it, and the Dockerfile parser's time grows
 * far faster than the line (seconds for one line of a few megabytes).
 */
const MAX_LINE_BYTES = 64 * 1024 - 1;
/** A line shorter than this many UTF-16 units cannot reach the limit in UTF-8 (3 bytes per unit at most). */
const SAFE_LINE_UNITS = Math.floor(MAX_LINE_BYTES / 3);

export function overlongDockerfileLine(text: string, file: string): LoadProblem | undefined {
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    const end = text.indexOf("\n", start);
    const stop = end < 0 ? text.length : end;
    if (stop - start > SAFE_LINE_UNITS && Buffer.byteLength(text.slice(start, stop), "utf8") > MAX_LINE_BYTES) {
      return {
        kind: "too-large",
        message: `line ${line} is longer than 64 KiB, which BuildKit refuses (bufio.Scanner: token too long); the Dockerfile is not checked`,
        position: { file, line, column: 1 },
        hint: "split the line with \\ continuations, or move the data into a file the build copies",
      };
    }
    if (end < 0) break;
    start = end + 1;
  }
  return undefined;
}
