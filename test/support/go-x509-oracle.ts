/**
 * kube-apiserver's client-certificate verification, as a test oracle: go-x509-oracle/main.go,
 * built once per source hash with the machine's Go (standard library only, GOPATH mode, no
 * module proxy needed). It runs Go's own crypto/x509 Certificate.Verify with KeyUsages
 * [ClientAuth]. The machine's Go may be older than the one kube-apiserver is built with: the
 * suites that use it say which behaviours changed between the two and keep out of them.
 * Without `go`, those suites are skipped with the reason said loudly; under CI that is an
 * error, because a green run without the oracle proves nothing.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface OracleCase {
  leaf: Buffer;
  roots: readonly Buffer[];
  intermediates: readonly Buffer[];
  currentTime: Date;
}

export interface OracleLink {
  pool: "leaf" | "root" | "intermediate";
  index: number;
  subject: string;
}

/** Go's answer: the first chain Verify returns, or the error's class (from its Go type and reason) and text. */
export type OracleVerification = { goVersion: string; skipped?: string[] } & ({ ok: true; chain: OracleLink[]; chains: number } | { ok: false; class: string; error: string });

function build(): { binary?: string; unavailable?: string } {
  const source = fileURLToPath(new URL("./go-x509-oracle/main.go", import.meta.url));
  const version = spawnSync("go", ["version"], { encoding: "utf8" });
  if (version.status !== 0) return { unavailable: "no `go` on PATH (apt-get install golang-go)" };
  // The Go version is part of the key: the same source built by another Go is another oracle.
  const hash = createHash("sha256").update(readFileSync(source)).update(version.stdout).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "palisade-go-x509-oracle");
  const binary = join(dir, `oracle-${hash}`);
  if (existsSync(binary)) return { binary };
  mkdirSync(join(dir, "gopath"), { recursive: true });
  const partial = `${binary}.${process.pid}`;
  const built = spawnSync("go", ["build", "-o", partial, source], {
    encoding: "utf8",
    env: { ...process.env, GO111MODULE: "off", GOPATH: join(dir, "gopath"), GOCACHE: join(dir, "gocache"), GOFLAGS: "", GOPROXY: "off" },
  });
  if (built.status !== 0) return { unavailable: `go build of the oracle failed: ${built.stderr.trim() || built.error?.message}` };
  renameSync(partial, binary); // atomic: parallel test files may build it at once
  return { binary };
}

const built = build();

/** Why the oracle cannot run, or undefined when it can. */
export const goX509OracleUnavailable: string | undefined = built.unavailable;

if (built.unavailable) {
  const message = `go-x509 oracle unavailable: ${built.unavailable}; the Go x509 differential suite is SKIPPED`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** ${message} ***\n`);
}

/** Go's Verify on each case, in order, in one run of the oracle. */
export function goVerifyClientChains(cases: readonly OracleCase[]): OracleVerification[] {
  if (!built.binary) throw new Error(`go-x509 oracle unavailable: ${built.unavailable}`);
  const input = cases
    .map((c) =>
      JSON.stringify({
        leaf: c.leaf.toString("base64"),
        roots: c.roots.map((r) => r.toString("base64")),
        intermediates: c.intermediates.map((i) => i.toString("base64")),
        currentTime: c.currentTime.toISOString(),
      }),
    )
    .join("\n");
  const run = spawnSync(built.binary, { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`go-x509 oracle failed (${run.status}): ${run.stderr}`);
  const answers = run.stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as OracleVerification);
  if (answers.length !== cases.length) throw new Error(`go-x509 oracle answered ${answers.length} of ${cases.length} cases`);
  return answers;
}
