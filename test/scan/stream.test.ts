import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { loadSnapshot, type LoadOptions } from "../../src/k8s/load.js";
import { splitDocuments } from "../../src/k8s/parse.js";
import { encryptionFamily } from "../../src/encryption/scan-family.js";
import { podSecurityFamily } from "../../src/podsecurity/family.js";
import { FAMILIES } from "../../src/scan/families.js";
import type { ScanFamily, ScanOptions } from "../../src/scan/family.js";
import { runScan } from "../../src/scan/run.js";
import { scanStreaming } from "../../src/scan/stream.js";

const scratch = mkdtempSync(join(tmpdir(), "palisade-stream-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The streaming scan must find exactly what loading everything and then judging finds. */
async function expectSameAsBatch(load: LoadOptions, families: readonly ScanFamily[] = FAMILIES, options: ScanOptions = {}): Promise<void> {
  const batch = runScan(await loadSnapshot(load), options, families);
  const { result } = await scanStreaming(load, options, families);
  expect(result.findings).toEqual(batch.findings);
  expect(result.problems).toEqual(batch.problems);
  expect(result.stats).toEqual(batch.stats);
  expect(result.scanned).toEqual(batch.scanned);
  expect(result.rules.map((r) => r.id)).toEqual(batch.rules.map((r) => r.id));
}

/** Every document of the bundled examples, each a YAML text of its own. */
function exampleDocuments(): string[] {
  const files = ["examples/cluster", "examples"].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => join(dir, f)),
  );
  return files.flatMap((f) => splitDocuments(readFileSync(f, "utf8")).map((chunk) => chunk.text.replace(/^---.*\n/, "")));
}

describe("scanStreaming", () => {
  it("finds what runScan finds on the example cluster and the other examples", async () => {
    await expectSameAsBatch({ paths: ["examples"] });
  });

  it("finds what runScan finds with the example documents spread over files in any order", async () => {
    const documents = exampleDocuments();
    expect(documents.length).toBeGreaterThan(50);
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(documents, { minLength: 1 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), async (picked, fileCount, withBadInput) => {
        const dir = join(scratch, `round-${round++}`);
        const texts: string[][] = Array.from({ length: fileCount }, () => []);
        picked.forEach((doc, i) => texts[i % fileCount]!.push(doc));
        const { mkdirSync } = await import("node:fs");
        mkdirSync(dir);
        texts.forEach((docs, i) => writeFileSync(join(dir, `f${i}.yaml`), docs.join("\n---\n")));
        if (withBadInput) {
          writeFileSync(join(dir, "bad.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n");
          writeFileSync(join(dir, "blob.yaml"), Buffer.from([1, 0, 2, 0]));
        }
        await expectSameAsBatch({ paths: [dir] });
      }),
      { numRuns: 12 },
    );
  });

  it("judges pods at the labels of a Namespace that comes after them, in the same file or a later one", async () => {
    const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  hostNetwork: true\n  containers:\n    - name: app\n      image: nginx\n";
    const namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n";
    writeFileSync(join(scratch, "a-pod.yaml"), pod);
    writeFileSync(join(scratch, "b-namespace.yaml"), namespace);
    writeFileSync(join(scratch, "both.yaml"), `${pod}---\n${namespace}`);
    for (const paths of [[join(scratch, "a-pod.yaml"), join(scratch, "b-namespace.yaml")], [join(scratch, "both.yaml")]]) {
      const { result } = await scanStreaming({ paths }, {}, [podSecurityFamily]);
      // Baseline, as the Namespace says: host namespaces only, none of restricted's checks.
      expect(result.findings.map((f) => f.ruleId)).toEqual(["pss/hostNamespaces"]);
      expect(result.findings[0]?.note).toContain("PSA enforce baseline:latest");
      await expectSameAsBatch({ paths });
    }
  });

  it("reads ahead only the documents that name a kind it needs, and keeps the file's order", async () => {
    const file = join(scratch, "mixed.yaml");
    const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: shop}\nspec: {hostIPC: true, containers: [{name: c, image: busybox}]}\n`;
    writeFileSync(
      file,
      [
        pod("first"),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: baseline}}\n",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: broken\n",
        pod("second"),
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: shop}\nspec: {hard: {pods: \"1\", cpu: nonsense}}\n",
        "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod, metadata: {name: third, namespace: shop}, spec: {containers: [{name: c, image: x}]}}]\n",
        "just: a mapping\n",
        // Malformed and read ahead (it names the kind): its problem still comes after the Pod's.
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: late\n",
      ].join("---\n"),
    );
    await expectSameAsBatch({ paths: [file] });
    const { result } = await scanStreaming({ paths: [file] }, {});
    expect(result.scanned.map((s) => s.object.name)).toEqual(["first", "shop", "second", "q", "third"]);
    expect(result.problems.map((p) => p.kind)).toEqual(["parse-error", "parse-error"]);
    expect(result.problems[0]!.position.line).toBeLessThan(result.problems[1]!.position.line);
    expect(result.stats).toMatchObject({ documents: 8, objects: 5, skippedNonKubernetes: 1 });
  });

  it("sees a Namespace whose kind is spelled with an escape", async () => {
    const file = join(scratch, "escaped.yaml");
    writeFileSync(
      file,
      'apiVersion: v1\nkind: "Name\\x73pace"\nmetadata: {name: quiet, labels: {pod-security.kubernetes.io/enforce: privileged}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: quiet}\nspec: {hostPID: true, containers: [{name: c, image: busybox}]}\n',
    );
    const { result } = await scanStreaming({ paths: [file] }, {}, [podSecurityFamily]);
    expect(result.findings).toEqual([]);
    await expectSameAsBatch({ paths: [file] });
  });

  it("finds what runScan finds with -n, --level and --pss-version", async () => {
    const cases: ScanOptions[] = [{ defaultNamespace: "payments" }, { podSecurity: { level: "baseline" } }, { podSecurity: { version: { latest: false, minor: 24 } } }, { defaultLevel: "privileged" }];
    for (const options of cases) await expectSameAsBatch({ paths: ["examples"] }, FAMILIES, options);
  });

  it("finds what runScan finds on standard input and on JSON", async () => {
    const json = join(scratch, "pods.json");
    writeFileSync(json, JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "j" }, spec: { containers: [{ name: "c", image: "x", securityContext: { privileged: true } }] } }] }));
    await expectSameAsBatch({ paths: ["-", json], stdinText: readFileSync("examples/cluster/20-payments.yaml", "utf8") });
  });

  it("keeps only the objects a family that does not stream reads", async () => {
    const withPss = await scanStreaming({ paths: ["examples"] }, {}, [podSecurityFamily]);
    expect(withPss.snapshot.objects).toEqual([]);
    expect(withPss.result.stats.objects).toBeGreaterThan(50);
    expect(withPss.result.scanned.length).toBe(withPss.result.stats.objects);
    const withEncryption = await scanStreaming({ paths: ["examples"] }, {}, [podSecurityFamily, encryptionFamily]);
    const kinds = new Set(withEncryption.snapshot.objects.map((o) => o.object.kind));
    expect([...kinds]).toEqual(["EncryptionConfiguration"]);
    // The examples hold RBAC objects and PodSecurityPolicies: those families read every object.
    const withEverything = await scanStreaming({ paths: ["examples"] }, {}, FAMILIES);
    expect(withEverything.snapshot.objects.length).toBe(withEverything.result.stats.objects);
    // Workloads, quotas and network policies alone: every family streams or reads its own kinds.
    const workloads = ["examples/cluster/10-storefront.yaml", "examples/cluster/50-network.yaml", "examples/access-quota-tenants.yaml"];
    const streamed = await scanStreaming({ paths: workloads }, {}, FAMILIES);
    expect(streamed.snapshot.objects.map((o) => o.object.kind)).toEqual([]);
    expect(streamed.result.findings.some((f) => f.ruleId.startsWith("quota/"))).toBe(true);
    expect(streamed.result.findings.some((f) => f.ruleId.startsWith("netpol/"))).toBe(true);
    await expectSameAsBatch({ paths: workloads });
  });

  it("reports a family whose stream fails as a problem, and still runs the others", async () => {
    const broken: ScanFamily = {
      id: "broken",
      rules: [],
      check: () => [],
      stream: () => ({
        observe: () => {
          throw new Error("boom");
        },
        finish: () => [],
      }),
    };
    const unstartable: ScanFamily = {
      id: "unstartable",
      rules: [],
      check: () => [],
      stream: () => {
        throw new Error("no start");
      },
    };
    const badReader: ScanFamily = {
      id: "bad-reader",
      rules: [],
      check: () => [],
      reads: () => () => {
        // Even a throw of nothing is a failure, not a pass.
        throw undefined;
      },
    };
    const { result } = await scanStreaming({ paths: ["examples/cluster"] }, {}, [broken, unstartable, badReader, podSecurityFamily]);
    expect(result.problems.map((p) => p.message)).toEqual([
      "internal error in the broken checks: boom",
      "internal error in the unstartable checks: no start",
      "internal error in the bad-reader checks: undefined",
    ]);
    expect(result.findings.length).toBeGreaterThan(0);
  });
});
