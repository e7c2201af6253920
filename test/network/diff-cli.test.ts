/**
 * `palisade netpol diff` end to end on the bundled example cluster and an edited copy:
 * each change names the policy and file:line that decided it on both sides, workloads that
 * come and go are listed, -o json carries a schema version, --exit-code is 1 only on a
 * change, and an invalid or misspelt policy on either side is reported where it is written.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { repoRoot } from "../support/conformance.js";
import { runNetpol as run } from "./cli-run.js";

afterEach(() => vi.restoreAllMocks());

const example = join(repoRoot, "examples/cluster");

/** A copy of the example with `edit` applied to one file's text (undefined deletes the file). */
function editedCopy(file: string, edit: (text: string) => string | undefined): string {
  const dir = join(mkdtempSync(join(tmpdir(), "netpol-diff-")), "after");
  cpSync(example, dir, { recursive: true });
  const path = join(dir, file);
  const text = edit(readFileSync(path, "utf8"));
  if (text === undefined) rmSync(path);
  else writeFileSync(path, text);
  return dir;
}

const ledgerPort = (text: string): string => text.replace(/app: ledger-db\n(\s+)ports:\n(\s+)- port: 5432/, "app: ledger-db\n$1ports:\n$2- port: 5433");

describe("palisade netpol diff", () => {
  it("names, for each change, the side and the policy rule that decided it before and after, with file:line", async () => {
    const after = editedCopy("50-network.yaml", ledgerPort);
    const r = await run("diff", example, after);
    expect(r.code).toBe(0);
    expect(r.out).toContain("~ storefront/cart[Deployment] => payments/ledger-db[StatefulSet] : TCP 5432 -> TCP 5433\n");
    expect(r.out).toMatch(new RegExp(`5433/TCP now allowed: allowed by NetworkPolicy/storefront/cart-from-web egress rule 0: .* \\(at ${join(after, "50-network.yaml")}:\\d+:\\d+\\)`));
    expect(r.out).toMatch(/5432\/TCP now denied: denied: .*NetworkPolicy\/storefront\/cart-from-web.* \(at .*50-network\.yaml:\d+:\d+/);
    const json = JSON.parse((await run("diff", example, after, "-o", "json")).out);
    expect(json.schemaVersion).toBe("palisade.dev/netpol-diff/v1");
    const [change] = json.changes;
    expect(change.change).toBe("changed");
    expect(change.because[0]).toMatchObject({ connection: "5433/TCP", now: "allowed", sides: [{ direction: "egress", before: { allowed: false }, after: { allowed: true, policy: "NetworkPolicy/storefront/cart-from-web" } }] });
    expect(change.because[0].sides[0].after.at[0]).toMatch(/50-network\.yaml:\d+:\d+$/);
  });

  it("exits 1 with --exit-code only when connectivity changed, 0 otherwise", async () => {
    const after = editedCopy("50-network.yaml", ledgerPort);
    expect((await run("diff", example, after, "--exit-code")).code).toBe(1);
    const same = await run("diff", example, example, "--exit-code");
    expect(same.code).toBe(0);
    expect(same.out).toBe("no connectivity changes\n");
    expect(JSON.parse((await run("diff", example, example, "-o", "json")).out)).toEqual({ schemaVersion: "palisade.dev/netpol-diff/v1", workloads: { added: [], removed: [] }, changes: [] });
  });

  it("lists workloads that come and go, and says a missing workload is why its connections changed", async () => {
    const after = editedCopy("30-analytics.yaml", () => undefined);
    const r = await run("diff", example, after, "-o", "json");
    const diff = JSON.parse(r.out);
    expect(diff.workloads.removed.length).toBeGreaterThan(0);
    expect(diff.workloads.added).toEqual([]);
    const gone = diff.changes.filter((c: { from: string; to: string }) => diff.workloads.removed.includes(c.from) || diff.workloads.removed.includes(c.to));
    expect(gone.length).toBeGreaterThan(0);
    for (const c of gone) {
      expect(c.change).toBe("removed");
      expect(c.because[0].note).toMatch(/is not in the after manifests$/);
    }
    const text = (await run("diff", example, after)).out;
    expect(text).toContain(`workload removed: ${diff.workloads.removed[0]}`);
  });

  it("refuses an invalid policy on either side with its file:line (exit 2), and warns on a misspelt field", async () => {
    const invalid = editedCopy("50-network.yaml", (t) => t.replace("- port: 5432", "- port: 70000"));
    const r = await run("diff", example, invalid);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`${join(invalid, "50-network.yaml")}:\\d+:\\d+`));
    expect(r.err).toContain("NetworkPolicy/cart-from-web spec.egress[0].ports[0].port");
    const misspelt = editedCopy("50-network.yaml", (t) => t.replace("  policyTypes: [\"Ingress\", \"Egress\"]", "  policyType: [\"Ingress\", \"Egress\"]"));
    const w = await run("diff", example, misspelt);
    expect(w.code).toBe(0);
    expect(w.err).toMatch(/warning: .*50-network\.yaml:\d+:\d+: NetworkPolicy\/storefront\/default-deny: spec\.policyType is not a field/);
  });
});
