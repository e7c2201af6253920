import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codecForConfiguration } from "../../src/adapters/etcd-codec.js";
import { parseEncryptionConfiguration } from "../../src/encryption/index.js";
import type { StoredValueCodec } from "../../src/encryption/rotation.js";
import { locateKey } from "../../src/encryption/rotation-keys.js";
import { builtCli, runCli, startEtcd, type TestEtcd } from "../support/etcd.js";

/**
 * Reliability of `palisade etcd rotate` as a real child process: SIGKILL at random points
 * and run again leaves every value readable and nothing lost; a writer running during the
 * rotation keeps its values.
 */

const PREFIX = "/registry";
const VALUES = 800;

function config(providers: string[]): string {
  return `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: ["*.*"]\n    providers:\n${providers.map((p) => `      - ${p}\n`).join("")}`;
}

describe("rotate under SIGKILL and concurrent writers", () => {
  let etcd: TestEtcd;
  let dir: string;
  let oldConfig: string;
  let newConfig: string;
  let readNew: StoredValueCodec;
  let writeOld: StoredValueCodec;
  const expected = new Map<string, string>();

  // Building the CLI (only when a source is newer than dist/) can take a while on a busy machine.
  beforeAll(() => void builtCli(), 240_000);

  beforeAll(async () => {
    etcd = await startEtcd();
    dir = mkdtempSync(join(tmpdir(), "palisade-kill-"));
    const cbc = `aescbc: { keys: [{ name: old, secret: ${randomBytes(32).toString("base64")} }] }`;
    const gcm = `aesgcm: { keys: [{ name: new, secret: ${randomBytes(32).toString("base64")} }] }`;
    oldConfig = join(dir, "old.yaml");
    newConfig = join(dir, "new.yaml");
    writeFileSync(oldConfig, config([cbc, "identity: {}"]));
    writeFileSync(newConfig, config([gcm, cbc, "identity: {}"]));
    writeOld = codecForConfiguration(parseEncryptionConfiguration(readFileSync(oldConfig, "utf8"), oldConfig).config, {});
    readNew = codecForConfiguration(parseEncryptionConfiguration(readFileSync(newConfig, "utf8"), newConfig).config, {});
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < VALUES; i++) {
      const resource = i % 3 === 0 ? "configmaps" : "secrets";
      const key = `${PREFIX}/${resource}/ns-${i % 7}/obj-${String(i).padStart(5, "0")}`;
      const plaintext = `{"n":${i},"data":"${randomBytes(24).toString("hex")}"}`;
      expected.set(key, plaintext);
      writes.push(writeOld.write(key, locateKey(PREFIX, key)!, Buffer.from(plaintext)).then((v) => etcd.client.put(key).value(Buffer.from(v))));
      if (writes.length >= 100) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
  });

  afterAll(async () => {
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function verifyAll(): Promise<{ current: number; stale: number }> {
    const all = (await etcd.client.getAll().prefix(PREFIX).buffers()) as Record<string, Buffer>;
    expect(Object.keys(all).sort()).toEqual([...expected.keys()].sort());
    let current = 0;
    let stale = 0;
    for (const [key, value] of Object.entries(all)) {
      const read = await readNew.read(key, locateKey(PREFIX, key)!, value);
      expect(Buffer.from(read.plaintext).toString()).toBe(expected.get(key));
      if (read.stale) stale++;
      else current++;
    }
    return { current, stale };
  }

  it("SIGKILL at random points, then a rerun, loses nothing and finishes the job", async () => {
    // Kill points are counted in rewrites observed through an etcd watch, so they land
    // inside the work, not in process start-up; fast-check draws them reproducibly.
    const steps = fc.sample(fc.integer({ min: 1, max: 150 }), { numRuns: 3, seed: 20261129 });
    let progressed = 0;
    for (const step of steps) {
      const target = progressed + step;
      const watcher = await etcd.client.watch().prefix(PREFIX).create();
      const child = spawn(process.execPath, [builtCli(), "etcd", "rotate", "--endpoints", etcd.endpoint, "--config", newConfig, "--page-size", "50"], { stdio: "ignore" });
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      let seen = 0;
      watcher.on("put", () => {
        if (++seen === step) child.kill("SIGKILL");
      });
      await exited;
      await watcher.cancel();
      // Whatever the kill interrupted, every value is either the old or the new encryption of the same object.
      const { current } = await verifyAll();
      expect(current).toBeGreaterThanOrEqual(target);
      expect(current).toBeLessThan(VALUES);
      progressed = current;
    }
    const run = await runCli(["etcd", "rotate", "--endpoints", etcd.endpoint, "--config", newConfig, "-o", "json"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { rewritten: number; current: number; scanned: number };
    expect(report.scanned).toBe(VALUES);
    expect(report.rewritten + report.current).toBe(VALUES);
    expect(report.current).toBe(progressed);
    expect(await verifyAll()).toEqual({ current: VALUES, stale: 0 });
  });

  it("a writer running during rotate keeps every value it wrote", async () => {
    // Put everything back under the old key, then rotate while a writer updates a subset.
    const all = (await etcd.client.getAll().prefix(PREFIX).buffers()) as Record<string, Buffer>;
    for (const key of Object.keys(all)) {
      const stored = await writeOld.write(key, locateKey(PREFIX, key)!, Buffer.from(expected.get(key)!));
      await etcd.client.put(key).value(Buffer.from(stored));
    }
    const rotation = runCli(["etcd", "rotate", "--endpoints", etcd.endpoint, "--config", newConfig, "--page-size", "25", "-o", "json"]);
    let finished = false;
    void rotation.then(() => (finished = true));
    const targets = [...expected.keys()].filter((_, i) => i % 10 === 0);
    let round = 0;
    while (!finished || round < 2) {
      round++;
      for (const key of targets) {
        const plaintext = `{"writer":${round},"key":"${key}"}`;
        expected.set(key, plaintext);
        const stored = await writeOld.write(key, locateKey(PREFIX, key)!, Buffer.from(plaintext));
        await etcd.client.put(key).value(Buffer.from(stored));
      }
    }
    const run = await rotation;
    expect(run.status).toBe(0);
    // Every writer value survives (read through the new config, which still reads the old key).
    await verifyAll();
  });
});
