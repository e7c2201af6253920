import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerCalicoCommand } from "../../../src/cli/calico.js";
import { UserError } from "../../../src/errors.js";
import { repoRoot } from "../../support/conformance.js";

/** `palisade calico ...` in-process: stdout, the UserError line (exit 2) or the exit code. */
async function run(args: string[]): Promise<{ code: number; stdout: string; error?: string }> {
  let stdout = "";
  const original = process.stdout.write.bind(process.stdout);
  const previous = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    const program = new Command("palisade").exitOverride();
    registerCalicoCommand(program);
    await program.parseAsync(["node", "palisade", "calico", ...args]);
    return { code: typeof process.exitCode === "number" ? process.exitCode : 0, stdout };
  } catch (error) {
    if (error instanceof UserError) return { code: 2, stdout, error: error.describe() };
    throw error;
  } finally {
    process.stdout.write = original;
    process.exitCode = previous;
  }
}

describe("palisade calico selector", () => {
  it("prints the canonical form and the match verdict (exit 1 when it does not match)", async () => {
    expect(await run(["selector", "tier in {'b','a'} && app == 'web'", "-l", "app=web", "-l", "tier=a"])).toEqual({ code: 0, stdout: '(tier in {"a", "b"} && app == "web")\nmatches\n' });
    expect((await run(["selector", "has(x)", "-l", "app=web"])).code).toBe(1);
  });
  it("points at the column of a syntax error and exits 2", async () => {
    const result = await run(["selector", "app == web"]);
    expect(result.code).toBe(2);
    expect(result.error).toContain("invalid selector at column 8");
    expect(result.error).toContain("\n  app == web\n         ^");
  });
});

describe("palisade calico tiers", () => {
  it("lists tiers and policies in evaluation order", async () => {
    const result = await run(["tiers", join(repoRoot, "examples/network-calico-tiers.yaml")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "tier security (order 100, end of tier: Deny)",
        "        10  GlobalNetworkPolicy/security.quarantine  [ingress,egress]",
        "        20  GlobalNetworkPolicy/security.threat-feed  [ingress,egress]",
        "tier default (order 1000000, end of tier: Deny)",
        "       500  NetworkPolicy.projectcalico.org/bank/ledger-from-api  [ingress]",
        "      1000  NetworkPolicy/bank/api-public  [ingress]",
        "         -  StagedGlobalNetworkPolicy/pci-egress-lockdown  [egress]  staged: not enforced",
        "then: the namespace profile allows what no tier decided",
        "",
      ].join("\n"),
    );
  });
  it("lists refused objects with file:line:column and exits 1", async () => {
    const result = await run(["tiers", join(repoRoot, "examples/network-calico-refused.yaml"), "-o", "json"]);
    expect(result.code).toBe(1);
    const view = JSON.parse(result.stdout) as { refused: { object: string; field: string; reason: string; position: { line: number } }[] };
    expect(view.refused.map((r) => [r.object, r.field, r.reason, r.position.line])).toEqual([
      ["GlobalNetworkPolicy/http-get-only", "spec.ingress[0].http", "unsupported", 13],
      ["GlobalNetworkPolicy/block-nodeport-scanners", "spec.preDNAT", "unsupported", 21],
      ["GlobalNetworkPolicy/block-nodeport-scanners", "spec.applyOnForward", "unsupported", 22],
      ["HostEndpoint/worker-1-eth0", "kind", "unsupported", 30],
      ["NetworkPolicy/default/typo", "spec.selector", "invalid", 45],
      ["NetworkPolicy/default/typo", "spec.ingress[0].destination.ports", "invalid", 49],
    ]);
  });
});
