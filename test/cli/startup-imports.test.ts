/**
 * What starting the CLI, or importing the package, loads before any work: the static import
 * graph of the shipped bundle. A heavy library imported at the top of a module that a scan
 * reaches (an X.509 or ASN.1 parser, gRPC, etcd's client, the graph renderer) costs every
 * run hundreds of milliseconds, however rarely its feature is used; such libraries are
 * loaded on first use instead (src/lazy-module.ts). A new package or builtin here should be
 * a decision, not an accident.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/conformance.js";
import { builtCli } from "../support/etcd.js";

/** The packages and builtins a bundle entry imports statically, through its chunks (dynamic import() excluded). */
function staticPackages(entry: string): string[] {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const pending = [join(repoRoot, "dist/bundle", entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\s+(?:[^;"']*?\sfrom\s+)?["']([^"']+)["']/gm)) {
      if (specifier!.startsWith("./")) pending.push(join(dirname(file), specifier!));
      else packages.add(specifier!);
    }
  }
  return [...packages].sort();
}

describe("what loads at start", () => {
  it("the CLI's entry imports only its argument parser before a command runs", () => {
    builtCli();
    expect(staticPackages("main.js")).toEqual(["commander", "node:fs"]);
  });

  it("the library's entry (what a scan imports) loads no parser of certificates, YAML or addresses up front, nor node:crypto or node:net", () => {
    builtCli();
    expect(staticPackages("api.js")).toEqual(["node:buffer", "node:fs", "node:fs/promises", "node:module", "node:path", "node:util"]);
  });
});
