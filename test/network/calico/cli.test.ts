import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { registerCalicoCommand } from "../../../src/cli/calico.js";
import { UserError } from "../../../src/errors.js";
import { repoRoot } from "../../support/conformance.js";

/** `palisade calico ...` in-process: stdout, the UserError line (exit 2) or the exit code. */
async function run(args: string[], streams: { stderr?: string[] } = {}): Promise<{ code: number; stdout: string; error?: string }> {
  let stdout = "";
  const original = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  const previous = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  if (streams.stderr) {
    const sink = streams.stderr;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
      return true;
    }) as typeof process.stderr.write;
  }
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
    process.stderr.write = originalErr;
    process.exitCode = previous;
  }
}

describe("palisade calico selector", () => {
  it("prints the canonical form and the match verdict (exit 1 when it does not match)", async () => {
    expect(await run(["selector", "tier in {'b','a'} && app == 'web'", "-l", "app=web", "-l", "tier=a"])).toEqual({ code: 0, stdout: '(tier in {"a", "b"} && app == "web")\nmatches\n' });
    expect((await run(["selector", "has(x)", "-l", "app=web"])).code).toBe(1);
  });
  it("writes control characters of the selector's own strings as escapes in text, as JSON does", async () => {
    const result = await run(["selector", "app == 'a\u001b[2Jb\u0007' && tier == '\u202eevil'"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('(app == "a\\u001b[2Jb\\u0007" && tier == "\\u202eevil")\n');
    expect(JSON.parse((await run(["selector", "app == 'a\u001b'", "-o", "json"])).stdout).canonical).toBe('app == "a\u001b"');
  });
  it("points at the column of a syntax error and exits 2", async () => {
    const result = await run(["selector", "app == web"]);
    expect(result.code).toBe(2);
    expect(result.error).toContain("invalid selector at column 8");
    expect(result.error).toContain("\n  app == web\n         ^");
  });
  it("an attempted escape says strings have none and which quote to use", async () => {
    const result = await run(["selector", 'a == "x\\"y"']);
    expect(result.code).toBe(2);
    expect(result.error).toContain("no closing \" (strings have no escape sequences: to put \" in a value, quote it with ')");
  });
  it("a line break gets its own explanation, with the caret under it", async () => {
    const result = await run(["selector", "a == 'x'\n&& b == 'y'"]);
    expect(result.code).toBe(2);
    expect(result.error).toContain('invalid selector at column 9: unexpected character "\\n": only spaces and tabs may separate tokens');
    expect(result.error).toContain("\n  a == 'x'↵&& b == 'y'\n          ^");
  });
  it("a selector nested too deep gets a clear error and exit 2, not a stack overflow", async () => {
    const result = await run(["selector", `${"(".repeat(50_000)}a == 'b'${")".repeat(50_000)}`]);
    expect(result.code).toBe(2);
    expect(result.error).toMatch(/^selector not evaluated at column \d+: parentheses nest more than \d+ deep/);
  });
});

describe("palisade calico tiers", () => {
  it("lists tiers and policies in evaluation order", async () => {
    const result = await run(["tiers", join(repoRoot, "examples/network-calico-tiers.yaml")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'ordering: Calico v3.32+: equal orders broken by "<name>/<namespace>/<kind>", assumed (no --calico-version and no usable ClusterInformation)',
        "tier security (order 100, end of tier: Deny)",
        "        10  GlobalNetworkPolicy/security.quarantine  [ingress,egress]",
        "        20  GlobalNetworkPolicy/security.threat-feed  [ingress,egress]",
        "tier default (order 1000000, end of tier: Deny)",
        "       500  NetworkPolicy.projectcalico.org/bank/ledger-from-api  [ingress]",
        "      1000  NetworkPolicy/bank/api-public  [ingress]",
        "         -  StagedGlobalNetworkPolicy/pci-egress-lockdown  [egress]  staged: not enforced",
        "then: the namespace profile allows what no tier decided",
        "",
        "notes:",
        "  StagedGlobalNetworkPolicy/pci-egress-lockdown is staged (stagedAction Set): evaluated for reporting, never enforced",
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
      ["HostEndpoint/worker-1-eth0", "kind", "unsupported", 30],
      ["NetworkPolicy/default/typo", "spec.selector", "invalid", 45],
      ["NetworkPolicy/default/typo", "spec.ingress[0].destination.ports", "invalid", 49],
    ]);
  });

  /** `palisade calico tiers` on a directory holding one file, p.yaml, with `text`. */
  async function tiersOfFile(text: string): Promise<{ code: number; stdout: string; file: string }> {
    const dir = mkdtempSync(join(tmpdir(), "palisade-calico-tiers-"));
    try {
      writeFileSync(join(dir, "p.yaml"), text);
      return { ...(await run(["tiers", dir])), file: join(dir, "p.yaml") };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("notes that applyOnForward's host-endpoint forwarding is not modelled", async () => {
    const result = await tiersOfFile("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: fwd}\nspec: {applyOnForward: true, selector: all(), ingress: [{action: Deny}]}\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("         -  GlobalNetworkPolicy/fwd  [ingress]\n");
    expect(result.stdout).toContain("notes:\n  GlobalNetworkPolicy/fwd has applyOnForward: evaluated for the pods it selects; its effect on traffic forwarded through host endpoints is not modelled\n");
  });

  it("notes, at its file:line, a rule naming a Service the input lacks", async () => {
    const result = await tiersOfFile("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: out, namespace: shop}\nspec:\n  selector: all()\n  egress:\n  - action: Allow\n    destination:\n      services: {name: api}\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`notes:\n  ${result.file}:9:7: NetworkPolicy.projectcalico.org/shop/out names Service shop/api, which is not in the input`);
  });

  describe("with a manifest that does not parse", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-calico-cli-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, "good.yaml"),
      "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: deny-all}\nspec: {order: 10, selector: all(), ingress: [{action: Deny}]}\n",
    );
    writeFileSync(join(dir, "broken.yaml"), "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: allow-web\nspec: [\n");

    it("lists what it could read, reports the broken file with file:line on stderr and exits 2", async () => {
      const stderr: string[] = [];
      const result = await run(["tiers", dir], { stderr });
      expect(result.code).toBe(2);
      expect(result.stdout).toContain("GlobalNetworkPolicy/deny-all");
      expect(stderr.join("")).toMatch(new RegExp(`${join(dir, "broken.yaml").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+:\\d+: `));
    });

    it("lists a skipped binary file on stderr too, and still answers from the rest", async () => {
      const beside = mkdtempSync(join(dir, "binary-"));
      writeFileSync(join(beside, "good.yaml"), "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: deny-all}\nspec: {order: 10, selector: all(), ingress: [{action: Deny}]}\n");
      writeFileSync(join(beside, "logo.yaml"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a]));
      const stderr: string[] = [];
      const result = await run(["tiers", beside], { stderr });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("GlobalNetworkPolicy/deny-all");
      expect(stderr.join("")).toContain(`${join(beside, "logo.yaml")}:1:1: skipped: binary file\n`);
    });

    it("says so when there is nothing to list", async () => {
      const empty = mkdtempSync(join(dir, "empty-"));
      const result = await run(["tiers", empty]);
      expect(result.code).toBe(2);
      expect(result.error).toMatch(/nothing to list|no manifests|empty/);
    });
  });
});
