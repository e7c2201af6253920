/**
 * `etcd rotate` when etcd refuses one write: a plaintext value that fits etcd's
 * --max-request-bytes but not once encrypted ("etcdserver: request is too large"). That key is
 * listed by name (never its value) in text and JSON, left as it was, exit 1; every other value
 * is still rotated, across later pages; and the message does not blame endpoints or TLS, since
 * etcd answered. `--dry-run` names the same keys in advance, to the byte at etcd's limit. A
 * real etcd started with a small --max-request-bytes keeps the test cheap.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status as grpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdUnavailable } from "../../src/adapters/etcd-client.js";
import { perKeyRefusal } from "../../src/adapters/etcd-errors.js";
import { compareAndPutRequestBytes } from "../../src/adapters/etcd-kv.js";
import { palisade } from "../support/cli-in-process.js";
import { startEtcd, type TestEtcd } from "../support/etcd.js";

const MAX_REQUEST_BYTES = 4096;
const dir = mkdtempSync(join(tmpdir(), "palisade-refused-write-"));
const config = join(dir, "enc.yaml");
writeFileSync(
  config,
  [
    "apiVersion: apiserver.config.k8s.io/v1",
    "kind: EncryptionConfiguration",
    "resources:",
    "  - resources: [secrets]",
    "    providers:",
    `      - aescbc: { keys: [{ name: key1, secret: ${randomBytes(32).toString("base64")} }] }`,
    "      - identity: {}",
    "",
  ].join("\n"),
);
const BIG = "/registry/secrets/default/a-big";
const SMALL = Array.from({ length: 12 }, (_, i) => `/registry/secrets/default/small-${String(i).padStart(2, "0")}`);
// What the big value holds: it must never reach the output.
const MARKER = "SECRETMARKER";

let etcd: TestEtcd;
beforeAll(async () => {
  etcd = await startEtcd({ extraArgs: ["--max-request-bytes", String(MAX_REQUEST_BYTES)] });
  // Fits as plaintext (this put succeeds); about 55 bytes of aescbc framing and the
  // transaction's compare push the rewrite over the limit.
  const body = `k8s\0${MARKER}${"x".repeat(MAX_REQUEST_BYTES - 110 - MARKER.length)}`;
  await etcd.client.put(BIG).value(Buffer.from(body, "latin1"));
  for (const key of SMALL) await etcd.client.put(key).value(Buffer.from(`k8s\0small ${key}`, "latin1"));
}, 240_000);
afterAll(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const args = (...more: string[]) => ["etcd", "rotate", "--endpoints", etcd.endpoint, "--config", config, "--page-size", "3", ...more];
const stored = async (key: string) => (await etcd.client.get(key).buffer())!.toString("latin1");

describe("etcd rotate when etcd refuses one write", () => {
  it("--dry-run names the value etcd would refuse once encrypted, writes nothing, exit 1", async () => {
    const bigBefore = await stored(BIG);
    const run = await palisade(args("--dry-run", "--max-request-bytes", String(MAX_REQUEST_BYTES)));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("would rewrite 12 of 13 values; 0 already current; 0 unreadable; 0 changed by another writer; 1 etcd would refuse as too large\n");
    expect(run.stdout).toMatch(new RegExp(`Values etcd would refuse to store once encrypted .*\\(1\\):\\n  ${BIG}: would be refused as too large: its write is 4\\d{3} bytes, over --max-request-bytes 4096\\n`));
    expect(run.stdout).not.toContain(MARKER);
    expect(await stored(BIG)).toBe(bigBefore);
    expect(await stored(SMALL[0]!)).toMatch(/^k8s\0small/);
    // At etcd's default limit nothing here is too large; the flag belongs to a dry run only.
    expect((await palisade(args("--dry-run"))).stdout).toContain("would rewrite 13 of 13 values; 0 already current; 0 unreadable; 0 changed by another writer\n");
    const misuse = await palisade(args("--max-request-bytes", "4096"));
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toContain("--max-request-bytes applies to --dry-run only");
    expect((await palisade(args("--dry-run", "--max-request-bytes", "4k"))).code).toBe(2);
  });

  it("lists the refused key by name in JSON, rotates every other value, exit 1", async () => {
    const bigBefore = await stored(BIG);
    const run = await palisade(args("-o", "json"));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    const outcome = JSON.parse(run.stdout) as { rewritten: number; scanned: number; failed: Array<{ key: string; error: string }> };
    expect(outcome.failed).toEqual([{ key: BIG, error: "etcdserver: request is too large" }]);
    expect(outcome.scanned).toBe(SMALL.length + 1);
    expect(outcome.rewritten).toBe(SMALL.length);
    expect(run.stdout).not.toContain(MARKER);
    for (const key of SMALL) expect(await stored(key)).toMatch(/^k8s:enc:aescbc:v1:key1:/);
    expect(await stored(BIG)).toBe(bigBefore);
  });

  it("says so in text on a rerun, without the value and without a connectivity hint", async () => {
    const run = await palisade(args());
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("rewrote 0 of 13 values; 12 already current; 0 unreadable; 0 changed by another writer; 1 refused by etcd\n");
    expect(run.stdout).toContain(`Values etcd refused to store (left as they were; for "request is too large", raise etcd's --max-request-bytes or shrink the object) (1):\n  ${BIG}: etcdserver: request is too large\n`);
    expect(run.stdout).not.toContain(MARKER);
    expect(run.stderr).not.toContain("--cacert");
  });
});

describe("--dry-run's size against etcd's own judgement", () => {
  // aesgcm's framing is linear in the plaintext (prefix, 12-byte nonce, 16-byte tag), so
  // consecutive plaintext lengths step the write one byte at a time across etcd's limit.
  const gcmConfig = join(dir, "gcm.yaml");
  const keys = Array.from({ length: 8 }, (_, i) => `/boundary/secrets/default/b-${i}`);
  const gcmFraming = "k8s:enc:aesgcm:v1:key1:".length + 12 + 16;
  let lengths: number[] = [];

  beforeAll(async () => {
    writeFileSync(gcmConfig, readFileSync(config, "utf8").replace("aescbc", "aesgcm").replace(/secret: \S+/, `secret: ${randomBytes(32).toString("base64")}`));
    const modRevision = "99"; // one varint byte, as the revisions of this small store have (below 128)
    const predicted = (length: number, key: string) => compareAndPutRequestBytes({ key: Buffer.from(key), modRevision, value: Buffer.alloc(length + gcmFraming) });
    // The shortest plaintext whose predicted write is one byte over the limit.
    let crossing = 3000;
    while (predicted(crossing, keys[0]!) < MAX_REQUEST_BYTES + 1) crossing++;
    lengths = keys.map((_, i) => crossing - 4 + i);
    for (const [i, key] of keys.entries()) await etcd.client.put(key).value(Buffer.alloc(lengths[i]!, "x"));
    const revision = Number((await etcd.client.get(keys.at(-1)!).exec()).kvs[0]!.mod_revision);
    expect(revision, "the predictions above take a one-byte revision").toBeLessThan(128);
  });

  it("names every value etcd refuses, and none it accepts but at the one byte of the request ID", async () => {
    const flags = ["etcd", "rotate", "--endpoints", etcd.endpoint, "--config", gcmConfig, "--prefix", "/boundary", "-o", "json"];
    const dry = JSON.parse((await palisade([...flags, "--dry-run", "--max-request-bytes", String(MAX_REQUEST_BYTES)])).stdout) as { failed: Array<{ key: string }> };
    const real = JSON.parse((await palisade(flags)).stdout) as { failed: Array<{ key: string; error: string }> };
    const predictedRefused = dry.failed.map((f) => f.key);
    const refused = real.failed.map((f) => f.key);
    // Ours: the last four (one byte over the limit and beyond, counting the ID at 10 bytes).
    expect(predictedRefused).toEqual(keys.slice(4));
    // etcd's: every one two bytes over or more; the one byte over is refused when etcd's ID takes 10 bytes, accepted at 9.
    expect(refused.every((k) => predictedRefused.includes(k))).toBe(true);
    expect(keys.slice(5).every((k) => refused.includes(k))).toBe(true);
    expect(real.failed.every((f) => f.error === "etcdserver: request is too large")).toBe(true);
  });
});

describe("which etcd failures stop a run", () => {
  const failure = (code: number, details: string) => Object.assign(new Error(`${code} ${grpcStatus[code]}: ${details}`), { code, details });

  it("records a refusal of the key's own request and stops on transport or store-wide failures", () => {
    expect(perKeyRefusal(failure(grpcStatus.INVALID_ARGUMENT, "etcdserver: request is too large"))).toBe("etcdserver: request is too large");
    expect(perKeyRefusal(failure(grpcStatus.PERMISSION_DENIED, "etcdserver: permission denied"))).toBe("etcdserver: permission denied");
    for (const code of [grpcStatus.UNAVAILABLE, grpcStatus.DEADLINE_EXCEEDED, grpcStatus.CANCELLED, grpcStatus.UNAUTHENTICATED, grpcStatus.RESOURCE_EXHAUSTED]) {
      expect(perKeyRefusal(failure(code, "x"))).toBeUndefined();
    }
    expect(perKeyRefusal(new Error("KMS plugin down"))).toBeUndefined();
  });

  it("gives the endpoints/TLS hint only when etcd was not reached", () => {
    expect(etcdUnavailable(failure(grpcStatus.UNAVAILABLE, "No connection established"), ["https://e:2379"]).hint).toContain("--cacert");
    const answered = etcdUnavailable(failure(grpcStatus.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"), ["https://e:2379"]);
    expect(answered.message).toBe("etcd refused the request (https://e:2379): 8 RESOURCE_EXHAUSTED: etcdserver: mvcc: database space exceeded");
    expect(answered.hint).not.toContain("--cacert");
  });
});
