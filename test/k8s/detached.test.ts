/**
 * Text kept past a file's parse must not keep the file: references of scanned objects and
 * findings, and slimmed objects, hold copies of their names, not views of the file's text.
 * Memory is only observable from outside, so a child process with an exposed collector
 * measures it (against the built output, which `npm test` builds first).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { detached } from "../../src/k8s/types.js";
import { repoRoot } from "../support/conformance.js";

/** MB of heap still used after keeping one long name cut from each of 100 texts of 200 KB. */
function retainedMb(keep: "view" | "objectRef" | "slimmed" | "detached"): number {
  const types = pathToFileURL(join(repoRoot, "dist/src/k8s/types.js")).href;
  const script = `
    const { objectRef, slimmed, detached } = await import(${JSON.stringify(types)});
    const kept = [];
    for (let i = 0; i < 100; i++) {
      // A fresh text each time, as a file read from disk is; the name is cut out of it as the YAML reader cuts values.
      const text = "#".repeat(200_000) + "\\nname: payment-service-" + i + "\\n";
      const at = text.indexOf("payment");
      const name = text.slice(at, text.indexOf("\\n", at));
      const object = { kind: "Deployment", metadata: { name } };
      const source = { file: "f.yaml", documentIndex: 0, locate: () => ({ file: "f.yaml", line: 1, column: 1 }) };
      kept.push(${JSON.stringify(keep)} === "view" ? name : ${JSON.stringify(keep)} === "objectRef" ? objectRef(object) : ${JSON.stringify(keep)} === "slimmed" ? slimmed({ object, source }) : detached(name));
    }
    globalThis.gc();
    const { used_heap_size } = (await import("node:v8")).getHeapStatistics();
    console.log(used_heap_size / 1048576, kept.length);
  `;
  const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.split(" ")[0]);
}

describe("detached", () => {
  it("keeps short strings and other values as they are, and copies long strings equal", () => {
    expect(detached("short")).toBe("short");
    expect(detached(123)).toBe(123);
    expect(detached(undefined)).toBeUndefined();
    const long = "x".repeat(10) + "payment-service-canary";
    expect(detached(long)).toBe(long);
  });

  it("lets the texts that names were cut from go, where a view of them keeps 20 MB", () => {
    // 100 texts of 200 KB: kept through views they are ~20 MB; through copies, nothing.
    expect(retainedMb("view")).toBeGreaterThan(15);
    for (const keep of ["detached", "objectRef", "slimmed"] as const) expect(retainedMb(keep), keep).toBeLessThan(10);
  });
});
