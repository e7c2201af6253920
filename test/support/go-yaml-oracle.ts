/**
 * kubectl's reading of a YAML stream, as a test oracle: go-yaml-oracle/main.go, built once
 * per source hash with the machine's Go against Debian's go-yaml v2 and ghodss/yaml
 * (.ci/run installs golang-go, golang-gopkg-yaml.v2-dev, golang-github-ghodss-yaml-dev).
 * Missing, the suites that use it are skipped with the reason said loudly; under CI that
 * is an error, because a green run without the oracle proves nothing.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const GOPATH = "/usr/share/gocode";
const REQUIRED = [
  { path: `${GOPATH}/src/gopkg.in/yaml.v2/yaml.go`, apt: "golang-gopkg-yaml.v2-dev" },
  { path: `${GOPATH}/src/github.com/ghodss/yaml/yaml.go`, apt: "golang-github-ghodss-yaml-dev" },
];

/** One document kubectl would send: its JSON value, or why kubectl refuses the stream there. */
export type OracleDocument = { json: unknown } | { error: string };

function build(): { binary?: string; unavailable?: string } {
  const source = fileURLToPath(new URL("./go-yaml-oracle/main.go", import.meta.url));
  if (spawnSync("go", ["version"], { encoding: "utf8" }).status !== 0) return { unavailable: "no `go` on PATH (apt-get install golang-go)" };
  const missing = REQUIRED.filter((r) => !existsSync(r.path)).map((r) => r.apt);
  if (missing.length > 0) return { unavailable: `Go packages missing under ${GOPATH} (apt-get install ${missing.join(" ")})` };
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "palisade-go-yaml-oracle");
  const binary = join(dir, `oracle-${hash}`);
  if (existsSync(binary)) return { binary };
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  const built = spawnSync("go", ["build", "-o", partial, source], {
    encoding: "utf8",
    env: { ...process.env, GO111MODULE: "off", GOPATH, GOCACHE: join(dir, "gocache"), GOFLAGS: "" },
  });
  if (built.status !== 0) return { unavailable: `go build of the oracle failed: ${built.stderr.trim() || built.error?.message}` };
  renameSync(partial, binary); // atomic: parallel test files may build it at once
  return { binary };
}

const built = build();

/** Why the oracle cannot run, or undefined when it can. */
export const goYamlOracleUnavailable: string | undefined = built.unavailable;

if (built.unavailable) {
  const message = `go-yaml oracle unavailable: ${built.unavailable}; the kubectl-differential YAML suite is SKIPPED`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** ${message} ***\n`);
}

/** The documents kubectl reads from `text`, in order (null and empty documents left out, as kubectl skips them). */
export function goYamlDocuments(text: string): OracleDocument[] {
  if (!built.binary) throw new Error(`go-yaml oracle unavailable: ${built.unavailable}`);
  const run = spawnSync(built.binary, { input: text, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`go-yaml oracle failed (${run.status}): ${run.stderr}`);
  return run.stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as OracleDocument);
}
