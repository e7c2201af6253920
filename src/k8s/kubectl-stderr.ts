/**
 * What kubectl said went wrong, read from its stderr. kubectl's own messages ("error: ...",
 * "Error from server (Forbidden): ...") come first; its warnings (deprecated APIs) are not
 * failures; the client library's klog lines (`E1130 06:06:14.53 ...`) mostly repeat them
 * less readably, except `kubectl kustomize`, whose only message is a klog line wrapping it:
 * `E1130 16:10:58.128929  15305 run.go:72] "command failed" err="must build at directory: ..."`.
 */

const KLOG_HEADER = /^[IWEF]\d{4} [\d:.]+\s+\d+ [^\]]*\]\s*/;

/** One line a failure, `fallback` when kubectl said nothing usable. */
export function kubectlFailureLines(stderr: string, fallback: string): string[] {
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^warning:/i.test(line));
  const own = lines.filter((line) => !KLOG_HEADER.test(line));
  if (own.length > 0) return own;
  const wrapped = lines.map(kubectlErrorText).filter((line) => !KLOG_HEADER.test(line) && line !== "");
  return wrapped.length > 0 ? wrapped : [fallback];
}

/** A klog `"command failed" err="..."` line as the message it wraps; any other line as it is, without a klog header. */
export function kubectlErrorText(line: string): string {
  const bare = line.replace(KLOG_HEADER, "");
  const wrapped = /^"command failed" err=("(?:[^"\\]|\\.)*")$/.exec(bare);
  if (!wrapped) return bare;
  try {
    return JSON.parse(wrapped[1] as string) as string;
  } catch {
    return bare;
  }
}
