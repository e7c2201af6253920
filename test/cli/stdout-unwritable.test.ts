/**
 * Output that cannot be written (stdout on a full disk) is said in words with exit 2, never a
 * Node stack trace: small reports go through process.stdout (an asynchronous error event),
 * large ones through the reused buffer (a synchronous write). /dev/full answers ENOSPC.
 */
import { spawnSync } from "node:child_process";
import { existsSync, openSync, closeSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builtCli } from "../support/etcd.js";

const full = existsSync("/dev/full");

describe.skipIf(!full)("a report that cannot be written", () => {
  it.each([
    ["a small report (process.stdout)", ["rules"]],
    ["a scan report", ["scan", "examples", "-o", "json", "--fail-on", "none"]],
  ])("%s: exit 2 with the reason, no stack", (_name, args) => {
    const out = openSync("/dev/full", "w");
    try {
      const run = spawnSync(process.execPath, [builtCli(), ...args], { stdio: ["ignore", out, "pipe"], encoding: "utf8" });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain("palisade: cannot write the output to standard output: ENOSPC");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      closeSync(out);
    }
  });
});
