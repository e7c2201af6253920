/**
 * `scan --cluster --fixes -o wide` gives a live object's fix as the kubectl command that
 * applies it: once per object (its findings share one patch), at the context it was read
 * from, quoted for a POSIX shell whatever the names hold. Files get no command (palisade
 * fix edits them).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { renderText } from "../../src/report/text.js";
import { runScan, type ScanResult } from "../../src/scan/run.js";

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: "web's", namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1
        securityContext: {capabilities: {add: ["NET_ADMIN"]}}
`;

let fromFile: ScanResult;
let live: ScanResult;

beforeAll(async () => {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: DEPLOYMENT });
  fromFile = runScan(snapshot, { fixes: true, podSecurity: { level: "restricted" } });
  // As a live read names it: the context, here one with a quote and a space in it.
  const asLive = (f: Finding): Finding => ({ ...f, position: { file: "<cluster o'prod east>", line: 1, column: 1 } });
  live = { ...fromFile, findings: fromFile.findings.map(asLive) };
});

function patchLines(result: ScanResult): string[] {
  return renderText(result, { color: false, wide: true })
    .split("\n")
    .filter((line) => line.trimStart().startsWith("patch:"))
    .map((line) => line.trim().slice("patch: ".length));
}

describe("-o wide with --fixes", () => {
  it("names a file's patch only by its size", () => {
    const lines = patchLines(fromFile);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/^a JSON patch of \d+ operations \(-o json\)$/);
  });

  it("gives a live object's fix once, as a kubectl command a shell runs with the patch intact", () => {
    const lines = patchLines(live);
    const patched = live.findings.filter((f) => f.fix);
    expect(lines).toHaveLength(patched.length);
    expect(lines.slice(1)).toEqual(lines.slice(1).map(() => "the same as above"));
    const command = lines[0] as string;
    expect(command.startsWith("kubectl patch ")).toBe(true);
    // A stand-in kubectl that reports the arguments the shell gave it.
    const bin = mkdtempSync(join(tmpdir(), "palisade-kubectl-"));
    writeFileSync(join(bin, "kubectl"), `#!/bin/sh\nexec "${process.execPath}" -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@"\n`);
    chmodSync(join(bin, "kubectl"), 0o755);
    const run = spawnSync("/bin/sh", ["-c", command], { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(run.stderr).toBe("");
    const args = JSON.parse(run.stdout) as string[];
    expect(args.slice(0, 7)).toEqual(["patch", "Deployment/web's", "-n", "shop", "--context", "o'prod east", "--type"]);
    expect(args.slice(7, 9)).toEqual(["json", "-p"]);
    expect(JSON.parse(args[9] as string)).toEqual(patched[0]?.fix);
  });
});
