import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kekId } from "../../src/adapters/kms-keyring.js";
import { createKmsV2GrpcClient } from "../../src/encryption/kms-grpc-client.js";
import { builtCli, freePort, runCli } from "../support/etcd.js";

/** `palisade kms serve` as a real process: SIGHUP rotation, metrics, logs, graceful SIGTERM. */

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("palisade kms serve (real process)", () => {
  let dir: string;
  let child: ChildProcess;
  let logs = "";
  let metricsPort: number;
  const keys = [randomBytes(32).toString("base64"), randomBytes(32).toString("base64")];
  const socket = (): string => join(dir, "kms.sock");

  beforeAll(() => void builtCli(), 240_000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "palisade-kms-cli-"));
    writeFileSync(join(dir, "keks"), `${keys[0]}\n`, { mode: 0o600 });
    metricsPort = await freePort();
    child = spawn(process.execPath, [builtCli(), "kms", "serve", "--socket", `unix://${socket()}`, "--kek-file", join(dir, "keks"), "--metrics-port", String(metricsPort)]);
    child.stderr?.on("data", (c: Buffer) => (logs += c.toString()));
    await until(() => existsSync(socket()) && logs.includes("metrics serving"), "the plugin to listen");
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("serves on a 0600 socket, rotates on SIGHUP, exposes metrics on 127.0.0.1, and stops cleanly on SIGTERM", async () => {
    expect(statSync(socket()).mode & 0o777).toBe(0o600);
    const client = createKmsV2GrpcClient(`unix://${socket()}`);
    try {
      const first = await client.status();
      expect(first).toEqual({ healthz: "ok", version: "v2", keyId: kekId(Buffer.from(keys[0]!, "base64")) });
      const sealed = await client.encrypt("uid-a", Buffer.from("seed-under-first-key"));

      // SIGHUP reloads (the file watch may also fire; either way the key id moves to the new first key).
      writeFileSync(join(dir, "keks"), `${keys[1]}\n${keys[0]}\n`);
      child.kill("SIGHUP");
      await until(async () => (await client.status()).keyId !== first.keyId, "rotation");
      expect((await client.status()).keyId).toBe(kekId(Buffer.from(keys[1]!, "base64")));
      expect(Buffer.from(await client.decrypt("uid-b", sealed)).toString()).toBe("seed-under-first-key");

      const metrics = await get(metricsPort, "/metrics");
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/palisade_kms_requests_total{method="Encrypt",code="OK"} 1/);
      expect(metrics.body).toMatch(/palisade_kms_keyring_keys 2/);
      expect((await get(metricsPort, "/")).status).toBe(404);
    } finally {
      client.close();
    }

    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(socket())).toBe(false);
    // JSON log lines with ids and uids; never a key or a plaintext.
    expect(logs).toContain('"msg":"keyring reloaded"');
    expect(logs).toContain('"msg":"kms plugin stopped"');
    for (const key of keys) expect(logs).not.toContain(key);
    expect(logs).not.toContain("seed-under-first-key");
  });

  it("bad flags and files exit 2 with one line and a hint", async () => {
    const notUnix = await runCli(["kms", "serve", "--socket", "tcp://127.0.0.1:1", "--kek-file", join(dir, "keks")]);
    expect(notUnix.status).toBe(2);
    expect(notUnix.stderr).toMatch(/^palisade: socket "tcp:\/\/127\.0\.0\.1:1" is not a unix endpoint\n {2}hint: /);
    writeFileSync(join(dir, "bad"), "# keyring\nAAAA\n");
    const shortKey = await runCli(["kms", "serve", "--socket", `unix://${join(dir, "x.sock")}`, "--kek-file", join(dir, "bad")]);
    expect(shortKey.status).toBe(2);
    expect(shortKey.stderr).toMatch(/bad:2:1: KEK decodes to 3 bytes, expected 32/);
  });
});
