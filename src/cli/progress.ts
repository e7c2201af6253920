import { printable } from "../report/printable.js";
import { isInteractive } from "./common.js";

/**
 * A one-line progress bar on stderr, only on a TTY (never in pipes or CI logs), and only
 * once work has taken long enough to be worth showing.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): { status(text: string): void; update(done: number, total: number): void; done(): void } {
  if (!isInteractive(stream)) return { status() {}, update() {}, done() {} };
  const started = Date.now();
  let shown = false;
  let last = 0;
  return {
    /** A step with no count, such as waiting for kubectl, shown at once: it may take seconds. */
    status(text) {
      shown = true;
      stream.write(`\r\x1b[2K${label}: ${printable(text)}`);
    },
    update(done, total) {
      const now = Date.now();
      if (now - started < 300 || (now - last < 80 && done < total)) return;
      last = now;
      shown = true;
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      // Cleared first: a longer status line before it would leave its end showing.
      stream.write(`\r\x1b[2K${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`);
    },
    done() {
      if (shown) stream.write("\r\x1b[2K");
    },
  };
}
