/**
 * kubectl's reading of a YAML stream, as a test oracle: go-yaml-oracle/main.go, built once
 * per source hash with the machine's Go against Debian's go-yaml v2 and ghodss/yaml
 * (.ci/run installs golang-go, golang-gopkg-yaml.v2-dev, golang-github-ghodss-yaml-dev).
 * Missing, the suites that use it are skipped with the reason said loudly; under CI that
 * is an error, because a green run without the oracle proves nothing.
 */
import { goOracle } from "./go-oracle.js";

const GOPATH = "/usr/share/gocode";
const REQUIRED = [
  { path: `${GOPATH}/src/gopkg.in/yaml.v2/yaml.go`, apt: "golang-gopkg-yaml.v2-dev" },
  { path: `${GOPATH}/src/github.com/ghodss/yaml/yaml.go`, apt: "golang-github-ghodss-yaml-dev" },
];

/** One document kubectl would send: its JSON value, or why kubectl refuses the stream there. */
export type OracleDocument = { json: unknown } | { error: string };

const oracle = goOracle({ name: "go-yaml", source: new URL("./go-yaml-oracle/main.go", import.meta.url), suite: "the kubectl-differential YAML suite", gopath: GOPATH, required: REQUIRED });

/** Why the oracle cannot run, or undefined when it can. */
export const goYamlOracleUnavailable: string | undefined = oracle.unavailable;

/** The documents kubectl reads from `text`, in order (null and empty documents left out, as kubectl skips them). */
export function goYamlDocuments(text: string): OracleDocument[] {
  return oracle
    .run(text)
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as OracleDocument);
}
