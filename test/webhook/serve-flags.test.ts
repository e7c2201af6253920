/**
 * `palisade serve` refuses flag values it cannot mean, with exit 2 before anything listens:
 * `--port` and `--workers` take decimal integers only (not "", hex, 1e3 or out-of-range
 * values, which Number() would quietly turn into a random port, 19002 or 1000), and
 * `--self-signed NAME` is checked as `--server-name` is ("" and "bad name!" are not names).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { decimalFlag } from "../../src/cli/serve-startup.js";
import { UserError } from "../../src/errors.js";
import { palisade } from "../support/cli-in-process.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-serve-flags-"));
const config = join(dir, "config.yaml");
writeFileSync(config, "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  address: 127.0.0.1\n  port: 0\npolicies:\n  podSecurity: {mode: enforce}\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("serve flag values", () => {
  it.each([
    ["--port", ""],
    ["--port", "0x4A3A"],
    ["--port", "1e3"],
    ["--port", " 80"],
    ["--port", "65536"],
    ["--port", "-1"],
    ["--workers", ""],
    ["--workers", "0x2"],
    ["--workers", "2.0"],
    ["--workers", "0"],
    ["--workers", "65"],
  ])("refuses %s %j with exit 2", async (flag, value) => {
    const result = await palisade(["serve", "--config", config, "--self-signed", "x.y.svc", flag, value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${flag} ${JSON.stringify(value)}: expected a decimal integer`);
    expect(result.stdout).toBe("");
  });

  it.each(["", "bad name!", "a..b", "https://x.y.svc"])("refuses --self-signed %j as --server-name would be", async (name) => {
    const result = await palisade(["serve", "--config", config, "--self-signed", name]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--self-signed ${JSON.stringify(name)}: not a host name`);
    expect(result.stderr).toContain("hint:");
    expect(result.stdout).toBe("");
  });

  it("reads a decimal integer in range as itself and refuses every other string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat({ max: 70_000 }).map(String), fc.string()), (value) => {
        const decimal = /^[0-9]+$/.test(value) && Number(value) <= 65535;
        if (decimal) expect(decimalFlag("--port", value, 0, 65535)).toBe(Number(value));
        else expect(() => decimalFlag("--port", value, 0, 65535)).toThrow(UserError);
      }),
    );
  });
});
