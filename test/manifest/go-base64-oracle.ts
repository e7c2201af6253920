/**
 * Go's decoding of a []byte field (encoding/json, then base64.StdEncoding) as a test
 * oracle: go-base64-oracle/main.go, built once per source hash with the machine's Go
 * (standard library only; .ci/run installs golang-go). Missing, the suites that use it are
 * skipped with the reason said loudly; under CI that is an error, because a green run
 * without the oracle proves nothing.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

function build(): { binary?: string; unavailable?: string } {
  const source = fileURLToPath(new URL("./go-base64-oracle/main.go", import.meta.url));
  if (spawnSync("go", ["version"], { encoding: "utf8" }).status !== 0) return { unavailable: "no `go` on PATH (apt-get install golang-go)" };
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "palisade-go-base64-oracle");
  const binary = join(dir, `oracle-${hash}`);
  if (existsSync(binary)) return { binary };
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  const built = spawnSync("go", ["build", "-o", partial, source], { encoding: "utf8", env: { ...process.env, GO111MODULE: "off", GOCACHE: join(dir, "gocache"), GOFLAGS: "" } });
  if (built.status !== 0) return { unavailable: `go build of the oracle failed: ${built.stderr.trim() || built.error?.message}` };
  renameSync(partial, binary); // atomic: parallel test files may build it at once
  return { binary };
}

const built = build();

/** Why the oracle cannot run, or undefined when it can. */
export const goBase64OracleUnavailable: string | undefined = built.unavailable;

if (built.unavailable) {
  const message = `Go base64 oracle unavailable: ${built.unavailable}; the encoding/json []byte differential suite is SKIPPED`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** ${message} ***\n`);
}

/** Go's answer for each text: "ok N" (N bytes decoded) or encoding/json's error. */
export function goDecodeBytes(texts: readonly string[]): string[] {
  if (!built.binary) throw new Error(`Go base64 oracle unavailable: ${built.unavailable}`);
  const run = spawnSync(built.binary, { input: texts.map((t) => JSON.stringify(t)).join("\n") + "\n", encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`Go base64 oracle failed (${run.status}): ${run.stderr}`);
  return run.stdout.split("\n").slice(0, texts.length);
}
