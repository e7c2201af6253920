/**
 * `palisade scan FILES -A`: kubectl's -A means every namespace, which files are read in
 * already. Beside files (stdin, -k) it is refused rather than taken for --cluster, which
 * would read the current kubeconfig's cluster without a word; asking for the cluster by
 * name keeps the old meaning. (-A alone reading the live cluster is tested against a
 * stand-in API server in scan-cluster.test.ts.)
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { palisade } from "../support/cli-in-process.js";

const REFUSED = /^palisade: -A reads every namespace of the live cluster \(the current kubeconfig context's\), and files were given\n {2}hint: files are scanned in every namespace already; drop -A, or add --cluster to scan the cluster as well\n$/;

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "palisade-all-namespaces-"));
  file = join(dir, "pod.yaml");
  writeFileSync(file, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers: [{name: c, image: nginx:1.27}]\n");
  writeFileSync(join(dir, "kustomization.yaml"), "resources: [pod.yaml]\n");
});

describe("scan -A beside files", () => {
  it("is a usage error with a hint, for files, stdin and -k alike, and both spellings of the flag", async () => {
    for (const args of [[file, "-A"], ["-A", file], [file, "--all-namespaces"], ["-", "-A"], ["-k", dir, "-A"]]) {
      const r = await palisade(["scan", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(r.stderr, args.join(" ")).toMatch(REFUSED);
    }
  });

  it("keeps its meaning when the cluster is asked for by name: the cluster is read (here: a kubeconfig that does not exist)", async () => {
    const missing = join(dir, "no-such-kubeconfig");
    for (const ask of [["--kubeconfig", missing], ["--cluster", "--kubeconfig", missing], ["--kubelets", "--kubeconfig", missing]]) {
      const r = await palisade(["scan", file, "-A", ...ask]);
      expect(r.code, ask.join(" ")).toBe(2);
      // The read was attempted: what fails is kubectl, on the kubeconfig it was given.
      expect(r.stderr, ask.join(" ")).toMatch(/^palisade: could not reach the cluster: .*no-such-kubeconfig/);
      expect(r.stderr, ask.join(" ")).not.toMatch(/drop -A/);
    }
  });

  it("without -A, files alone never touch a cluster", async () => {
    const r = await palisade(["scan", file, "-o", "json", "--fail-on", "none"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { summary: { files: number; cluster?: string } }).summary).toMatchObject({ files: 1 });
    expect((JSON.parse(r.stdout) as { summary: { cluster?: string } }).summary.cluster).toBeUndefined();
  });
});
