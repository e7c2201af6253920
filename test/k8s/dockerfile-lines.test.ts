import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { overlongDockerfileLine } from "../../src/k8s/dockerfile-lines.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { isDockerfilePath } from "../../src/supplychain/dockerfile/index.js";

describe("Dockerfiles BuildKit cannot read", () => {
  it("a physical line of 64 KiB or more is reported at its line, counted in UTF-8 bytes", () => {
    const fits = `FROM alpine\nRUN echo ${"a".repeat(65_535 - 9)}\n`;
    expect(overlongDockerfileLine(fits, "Dockerfile")).toBeUndefined();
    const long = `FROM alpine\nRUN echo ${"a".repeat(65_536 - 9)}\nUSER 1000\n`;
    expect(overlongDockerfileLine(long, "Dockerfile")).toMatchObject({ kind: "too-large", position: { file: "Dockerfile", line: 2, column: 1 } });
    // 30,000 three-byte characters: under the limit in UTF-16 units, over it in bytes.
    expect(overlongDockerfileLine(`FROM alpine\nLABEL x="${"€".repeat(30_000)}"`, "Dockerfile")?.position?.line).toBe(2);
  });

  it("the loader reports such a file as an input problem and does not parse it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-dockerfile-"));
    writeFileSync(join(dir, "Dockerfile"), `FROM alpine\nRUN echo ${"x".repeat(5_000_000)}\n`);
    writeFileSync(join(dir, "Containerfile.prod"), "FROM alpine\nUSER root\n");
    const snapshot = await loadSnapshot({ paths: [dir] });
    expect(snapshot.problems.map((p) => [p.kind, p.position?.line, p.message])).toEqual([["too-large", 2, expect.stringContaining("longer than 64 KiB")]]);
    expect(snapshot.textFiles.map((f) => f.file)).toEqual([join(dir, "Containerfile.prod")]);
    // Counted as read (the summary names them apart from objects): the refused one is not.
    expect(snapshot.stats.dockerfiles).toBe(1);
  });

  it("the scanner and the loader agree on what is a Dockerfile", () => {
    for (const p of ["Dockerfile", "a/Containerfile", "api.Dockerfile", "Dockerfile.prod", "Containerfile.dev"]) expect(isDockerfilePath(p), p).toBe(true);
    for (const p of ["Dockerfile.md.txt/x", "docker-compose.yaml", "Containerfile-old"]) expect(isDockerfilePath(p), p).toBe(false);
  });
});
