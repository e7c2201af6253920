/**
 * A Go program as a test oracle: built once per source and Go version with the machine's Go
 * in GOPATH mode (no module proxy is reachable here), then run with its input on stdin.
 * .ci/run installs golang-go and the Debian Go packages an oracle names. Missing, the suites
 * that use it are skipped with the reason said loudly; under CI that is an error, because a
 * green run without the oracle proves nothing.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface GoOracleSpec {
  /** Short name, for messages and the build directory: "go-yaml". */
  name: string;
  /** The oracle's main.go. */
  source: URL;
  /** What is skipped without it: "the kubectl-differential YAML suite". */
  suite: string;
  /** A GOPATH holding the packages it imports (Debian's /usr/share/gocode); a private empty one otherwise. */
  gopath?: string;
  /** Files the build needs, and the Debian package that holds each. */
  required?: ReadonlyArray<{ path: string; apt: string }>;
}

export interface GoOracle {
  /** Why the oracle cannot run, or undefined when it can. */
  unavailable: string | undefined;
  /** The oracle's stdout for this stdin; throws when it is unavailable or fails. */
  run(input: string): string;
}

function build(spec: GoOracleSpec): { binary: string } | { unavailable: string } {
  const source = fileURLToPath(spec.source);
  const version = spawnSync("go", ["version"], { encoding: "utf8" });
  if (version.status !== 0) return { unavailable: "no `go` on PATH (apt-get install golang-go)" };
  const missing = (spec.required ?? []).filter((r) => !existsSync(r.path)).map((r) => r.apt);
  if (missing.length > 0) return { unavailable: `Go packages missing under ${spec.gopath} (apt-get install ${missing.join(" ")})` };
  // The Go version is part of the key: the same source built by another Go is another oracle.
  const hash = createHash("sha256").update(readFileSync(source)).update(version.stdout).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `palisade-${spec.name}-oracle`);
  const binary = join(dir, `oracle-${hash}`);
  if (existsSync(binary)) return { binary };
  const gopath = spec.gopath ?? join(dir, "gopath");
  mkdirSync(spec.gopath ? dir : gopath, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  const built = spawnSync("go", ["build", "-o", partial, source], {
    encoding: "utf8",
    env: { ...process.env, GO111MODULE: "off", GOPATH: gopath, GOCACHE: join(dir, "gocache"), GOFLAGS: "", GOPROXY: "off" },
  });
  if (built.status !== 0) return { unavailable: `go build of the oracle failed: ${built.stderr.trim() || built.error?.message}` };
  renameSync(partial, binary); // atomic: parallel test files may build it at once
  return { binary };
}

export function goOracle(spec: GoOracleSpec): GoOracle {
  const built = build(spec);
  const unavailable = "unavailable" in built ? built.unavailable : undefined;
  if (unavailable) {
    const message = `${spec.name} oracle unavailable: ${unavailable}; ${spec.suite} is SKIPPED`;
    if (process.env.CI) throw new Error(message);
    console.warn(`\n*** ${message} ***\n`);
  }
  return {
    unavailable,
    run(input) {
      if (!("binary" in built)) throw new Error(`${spec.name} oracle unavailable: ${built.unavailable}`);
      const run = spawnSync(built.binary, { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      if (run.status !== 0) throw new Error(`${spec.name} oracle failed (${run.status}): ${run.stderr}`);
      return run.stdout;
    },
  };
}
