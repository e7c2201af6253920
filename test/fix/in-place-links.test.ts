import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerFixCommand } from "../../src/cli/fix.js";
import { runCli } from "./run-cli.js";

/** Symbolic links met while walking a directory for `palisade fix --in-place` (a QA pass's finding). */

const POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "palisade-fix-links-"));
}

describe("palisade fix --in-place on a directory with links", () => {
  it("refuses, before writing anything, a link that leads out of the directory walked: it would rewrite a file nobody named", async () => {
    const outside = tempDir();
    const target = join(outside, "kube-apiserver.yaml");
    writeFileSync(target, POD);
    const repo = tempDir();
    writeFileSync(join(repo, "a.yaml"), POD);
    symlinkSync(target, join(repo, "prod.yaml"));
    const r = await runCli(registerFixCommand, ["fix", "--in-place", repo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(repo, "prod.yaml")} is a symbolic link to ${target}, outside ${repo}`);
    expect(readFileSync(target, "utf8")).toBe(POD);
    expect(readFileSync(join(repo, "a.yaml"), "utf8")).toBe(POD);
  });

  it("still follows a link that stays inside the directory, and a link named on the command line", async () => {
    const repo = tempDir();
    mkdirSync(join(repo, "base"));
    writeFileSync(join(repo, "base", "pod.yaml"), POD);
    symlinkSync(join("..", "base", "pod.yaml"), join(repo, "base", "link.yaml"));
    // A name that starts with two dots is not the parent directory.
    writeFileSync(join(repo, "base", "..odd.yaml"), POD);
    const outside = tempDir();
    writeFileSync(join(outside, "named.yaml"), POD);
    symlinkSync(join(outside, "named.yaml"), join(repo, "named-link.yaml"));
    const inside = await runCli(registerFixCommand, ["fix", "--in-place", join(repo, "base")]);
    expect(inside.code).toBe(0);
    expect(readFileSync(join(repo, "base", "pod.yaml"), "utf8")).toContain("runAsNonRoot: true");
    expect(readFileSync(join(repo, "base", "..odd.yaml"), "utf8")).toContain("runAsNonRoot: true");
    const named = await runCli(registerFixCommand, ["fix", "--in-place", join(repo, "named-link.yaml")]);
    expect(named.code).toBe(0);
    expect(readFileSync(join(outside, "named.yaml"), "utf8")).toContain("runAsNonRoot: true");
  });
});
