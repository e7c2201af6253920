import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { byteSizeFlag, pssVersionFlag } from "../../src/cli/size-and-version-flags.js";
import { UserError } from "../../src/errors.js";
import { palisade } from "../support/cli-in-process.js";

function refusal(run: () => unknown): { message: string; hint: string | undefined } {
  try {
    run();
  } catch (err) {
    if (err instanceof UserError) return { message: err.message, hint: err.hint };
    throw err;
  }
  throw new Error("expected a UserError");
}

describe("--max-file-size", () => {
  it("takes bytes, Kubernetes' binary and decimal suffixes, and an optional B", () => {
    expect(["1048576", "64Mi", "64MiB", "10M", "10MB", "1.5Gi", "512k", "2ki", " 3 Gi "].map((t) => byteSizeFlag("--max-file-size", t))).toEqual([
      1048576, 67108864, 67108864, 10_000_000, 10_000_000, 1610612736, 512_000, 2048, 3221225472,
    ]);
  });

  it("refuses what is not a positive size, with the spellings that work", () => {
    for (const text of ["0", "-1", "ten", "10 parsecs", "0.1", "1e6", ""]) {
      expect(refusal(() => byteSizeFlag("--max-file-size", text))).toEqual({
        message: `--max-file-size ${text}: expected a positive number of bytes`,
        hint: "write it as bytes (1048576) or with a unit: Ki, Mi, Gi (1024s) or k, M, G (1000s), e.g. 64Mi",
      });
    }
  });
});

describe("--pss-version", () => {
  it("takes latest and v1.N only", () => {
    expect(pssVersionFlag("latest")).toEqual({ latest: true });
    expect(pssVersionFlag("v1.25")).toEqual({ latest: false, minor: 25 });
  });

  it("names the spelling that works for a version without its v, or in the wrong case", () => {
    expect(refusal(() => pssVersionFlag("1.25"))).toEqual({
      message: "--pss-version 1.25: expected latest or v1.N (e.g. v1.30)",
      hint: "did you mean v1.25? (the v is part of the version, as in the pod-security.kubernetes.io/<mode>-version label)",
    });
    expect(refusal(() => pssVersionFlag("V1.30")).hint).toBe("did you mean v1.30? (the v is part of the version, as in the pod-security.kubernetes.io/<mode>-version label)");
    expect(refusal(() => pssVersionFlag("Latest")).hint).toBe("did you mean latest?");
    expect(refusal(() => pssVersionFlag("v2.0")).hint).toBeUndefined();
  });
});

describe("the flags on the command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "palisade-flags-"));
  const pod = join(dir, "pod.yaml");
  writeFileSync(pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx:1.25}]\n");

  it("scan refuses --pss-version 1.25 with exit 2 and the hint", async () => {
    const r = await palisade(["scan", pod, "--pss-version", "1.25"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--pss-version 1.25: expected latest or v1.N (e.g. v1.30)");
    expect(r.stderr).toContain("did you mean v1.25?");
  });

  it("fix refuses it the same way", async () => {
    const r = await palisade(["fix", pod, "--pss-version", "1.25"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean v1.25?");
  });

  it("scan takes --max-file-size 1Ki: a file over 1,024 bytes is refused as too large (exit 2), one under it is scanned", async () => {
    const big = join(dir, "big.yaml");
    writeFileSync(big, `# ${"x".repeat(1100)}\n`);
    const r = await palisade(["scan", big, "--max-file-size", "1Ki", "--fail-on", "none"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("big.yaml:1:1: skipped: 1103 bytes is over the 1024-byte limit per file");
    const small = await palisade(["scan", pod, "--max-file-size", "1Ki", "--fail-on", "none"]);
    expect(small.code).toBe(0);
  });
});
