import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { palisade } from "../support/cli-in-process.js";

describe("palisade pki on a directory with nothing to audit", () => {
  it("exits 2 and says so, instead of a clean report (exit 0) of a wrong path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-pki-none-"));
    writeFileSync(join(dir, "README.md"), "not a certificate\n");
    const run = await palisade(["pki", dir]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`palisade: no certificate or key files under ${dir}`);
  });
});
