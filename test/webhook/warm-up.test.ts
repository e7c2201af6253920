/**
 * A server whose policies parse CSRs loads the parser when it starts: loading it takes a few
 * hundred milliseconds, which a kubelet's certificate rotation (or any first CSR) would
 * otherwise wait for. Judged in a fresh process, where nothing has loaded it yet.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/conformance.js";
import { builtCli } from "../support/etcd.js";

function parserLoadedAfterStart(policies: string): { before: boolean; after: boolean } {
  builtCli(); // dist/ is as new as src/ (it is built together with the bundle)
  const module = (path: string) => JSON.stringify(pathToFileURL(join(repoRoot, "dist/src", path)).href);
  const script = `
    import { createRequire } from "node:module";
    const { parseWebhookConfig } = await import(${module("admission/config.js")});
    const { createEngine } = await import(${module("adapters/webhook/engine.js")});
    const require = createRequire(${JSON.stringify(join(repoRoot, "package.json"))});
    const parser = require.resolve("@peculiar/x509");
    const config = parseWebhookConfig("config.yaml", ${JSON.stringify(`apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\npolicies:\n${policies}`)}, () => { throw new Error("no files"); });
    const before = parser in require.cache;
    createEngine({ config });
    console.log(JSON.stringify({ before, after: parser in require.cache }));
  `;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout) as { before: boolean; after: boolean };
}

describe("policies that parse CSRs warm up with the server", () => {
  it("loads the CSR parser when nodeRestriction or certificateSubjectRestriction is configured", () => {
    expect(parserLoadedAfterStart("  nodeRestriction: {mode: enforce}\n")).toEqual({ before: false, after: true });
    expect(parserLoadedAfterStart("  certificateSubjectRestriction: {mode: enforce}\n")).toEqual({ before: false, after: true });
  });

  it("leaves it unloaded for a server that never parses a CSR", () => {
    expect(parserLoadedAfterStart("  podSecurity: {mode: enforce}\n")).toEqual({ before: false, after: false });
  });
});
