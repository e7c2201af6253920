/**
 * `etcd rotate` when etcd refuses one write: a plaintext value that fits etcd's
 * --max-request-bytes but not once encrypted ("etcdserver: request is too large"). That key is
 * listed by name (never its value) in text and JSON, left as it was, exit 1; every other value
 * is still rotated, across later pages; and the message does not blame endpoints or TLS, since
 * etcd answered. A real etcd started with a small --max-request-bytes keeps the test cheap.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status as grpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdUnavailable } from "../../src/adapters/etcd-client.js";
import { perKeyRefusal } from "../../src/adapters/etcd-errors.js";
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
