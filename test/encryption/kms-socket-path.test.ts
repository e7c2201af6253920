/**
 * `kms serve --socket`: a path longer than sun_path (107 bytes on Linux) would be bound
 * silently truncated, so kube-apiserver would dial a socket nobody serves and a stale one
 * would be left behind; a missing directory must say so. Real unix sockets, real CLI.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKmsPlugin } from "../../src/adapters/kms-server.js";
import { builtCli, runCli } from "../support/etcd.js";

const dir = mkdtempSync(join(tmpdir(), "pk-"));
const kekFile = join(dir, "keks");
writeFileSync(kekFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => void builtCli(), 240_000);

const logger = pino({ level: "silent" });
/** A socket path in `dir` of exactly `bytes` bytes. */
const pathOf = (bytes: number) => join(dir, `${"s".repeat(bytes - dir.length - 1 - ".sock".length)}.sock`);

describe("kms serve --socket path checks", () => {
  it("serves on a path of exactly 107 bytes, the longest sun_path holds", async () => {
    const path = pathOf(107);
    const plugin = await startKmsPlugin({ endpoint: `unix://${path}`, kekFile, logger });
    expect(existsSync(path)).toBe(true);
    await plugin.close();
    expect(existsSync(path)).toBe(false);
  });

  it("refuses a 108-byte path before binding, and leaves no socket (truncated or not)", async () => {
    const path = pathOf(108);
    const before = readdirSync(dir).sort();
    await expect(startKmsPlugin({ endpoint: `unix://${path}`, kekFile, logger })).rejects.toMatchObject({
      name: "UserError",
      message: `--socket unix://${path}: the socket path is 108 bytes long; a unix socket path holds at most 107`,
    });
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it("says a missing directory does not exist", async () => {
    const missing = join(dir, "no-such-dir");
    await expect(startKmsPlugin({ endpoint: `unix://${missing}/kms.sock`, kekFile, logger })).rejects.toMatchObject({
      message: `--socket unix://${missing}/kms.sock: directory ${missing} does not exist`,
      hint: `create it first (mkdir -p -m 0700 ${missing}) or choose another --socket path`,
    });
  });

  it("the CLI: a 120-character path and a missing directory exit 2 with one message, no internal error", async () => {
    const long = `unix://${join(dir, `${"x".repeat(120)}.sock`)}`;
    const tooLong = await runCli(["kms", "serve", "--kek-file", kekFile, "--socket", long]);
    expect(tooLong.status).toBe(2);
    expect(tooLong.stderr).toBe(
      `palisade: --socket ${long}: the socket path is ${Buffer.byteLength(long) - "unix://".length} bytes long; a unix socket path holds at most 107\n` +
        "  hint: choose a shorter path, such as unix:///var/run/palisade-kms.sock (kube-apiserver's endpoint must name the same path)\n",
    );
    const noDir = await runCli(["kms", "serve", "--kek-file", kekFile, "--socket", `unix://${dir}/gone/kms.sock`]);
    expect(noDir.status).toBe(2);
    expect(noDir.stderr).toMatch(new RegExp(`^palisade: --socket unix://${dir}/gone/kms.sock: directory ${dir}/gone does not exist\\n  hint: create it first`));
    expect(readdirSync(dir)).toEqual(["keks"]);
  });
});
