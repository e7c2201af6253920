/**
 * `palisade netpol diff` on input it cannot answer for: each is refused with a message that
 * names the real problem (exit 2), never a stack trace nor a misleading "empty input".
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runNetpol as run } from "./cli-run.js";

afterEach(() => vi.restoreAllMocks());

describe("palisade netpol diff on bad input", () => {
  it("refuses stdin for both sides before reading it, instead of calling the after side empty", async () => {
    // Without the check the before side consumes stdin; fail fast rather than wait on it.
    const read = vi.spyOn(process.stdin, "on").mockImplementation(() => {
      throw new Error("stdin was read");
    });
    const r = await run("diff", "-", "-");
    expect(read).not.toHaveBeenCalled();
    expect(r.code).toBe(2);
    expect(r.err).toContain("standard input can be only one side");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("refuses an empty side by its path, without a stack", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netpol-diff-empty-"));
    const empty = join(dir, "empty.yaml");
    const full = join(dir, "full.yaml");
    writeFileSync(empty, "");
    writeFileSync(full, "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n");
    for (const args of [[empty, full], [full, empty]]) {
      const r = await run("diff", ...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`nothing to analyse: no manifests found in ${empty}`);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
