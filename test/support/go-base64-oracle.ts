/**
 * Go's decoding of a []byte field (encoding/json, then base64.StdEncoding) as a test
 * oracle: go-base64-oracle/main.go, built once per source hash with the machine's Go
 * (standard library only; .ci/run installs golang-go). Missing, the suites that use it are
 * skipped with the reason said loudly; under CI that is an error, because a green run
 * without the oracle proves nothing.
 */
import { goOracle } from "./go-oracle.js";

const oracle = goOracle({ name: "go-base64", source: new URL("./go-base64-oracle/main.go", import.meta.url), suite: "the encoding/json []byte differential suite" });

/** Why the oracle cannot run, or undefined when it can. */
export const goBase64OracleUnavailable: string | undefined = oracle.unavailable;

/** Go's answer for each text: "ok N" (N bytes decoded) or encoding/json's error. */
export function goDecodeBytes(texts: readonly string[]): string[] {
  return oracle
    .run(texts.map((t) => JSON.stringify(t)).join("\n") + "\n")
    .split("\n")
    .slice(0, texts.length);
}
