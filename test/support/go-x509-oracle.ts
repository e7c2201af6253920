/**
 * kube-apiserver's client-certificate verification, as a test oracle: go-x509-oracle/main.go,
 * built once per source hash with the machine's Go (standard library only, GOPATH mode, no
 * module proxy needed). It runs Go's own crypto/x509 Certificate.Verify with KeyUsages
 * [ClientAuth]. The machine's Go may be older than the one kube-apiserver is built with: the
 * suites that use it say which behaviours changed between the two and keep out of them.
 * Without `go`, those suites are skipped with the reason said loudly; under CI that is an
 * error, because a green run without the oracle proves nothing.
 */
import { goOracle } from "./go-oracle.js";

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

const oracle = goOracle({ name: "go-x509", source: new URL("./go-x509-oracle/main.go", import.meta.url), suite: "the Go x509 differential suite" });

/** Why the oracle cannot run, or undefined when it can. */
export const goX509OracleUnavailable: string | undefined = oracle.unavailable;

/** Go's Verify on each case, in order, in one run of the oracle. */
export function goVerifyClientChains(cases: readonly OracleCase[]): OracleVerification[] {
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
  const answers = oracle
    .run(input)
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as OracleVerification);
  if (answers.length !== cases.length) throw new Error(`go-x509 oracle answered ${answers.length} of ${cases.length} cases`);
  return answers;
}
