/**
 * bench:matrix-addresses — `netpol matrix` when policies name thousands of addresses (a
 * partner list, a threat feed): each address is a block of its own, so the matrix has a
 * row per workload and address, millions of them. The floor, measured in the same run, is
 * a bare Node process that formats as many rows of the same shape and writes them: what any
 * tool printing these rows spends. The same cluster without the addresses is a reference,
 * and the floor of scan, lint, posture and diff over the same inputs.
 *
 * A generated cluster: WORKLOADS Deployments in 20 namespaces; each namespace's pods may
 * reach the next namespace, and ADDRESSES outside addresses on TCP 443, as one
 * NetworkPolicy ipBlock each or as one Calico GlobalNetworkSet a rule selects. Whole
 * processes, output to /dev/null, median of RUNS alternating turns, with peak RSS. Each
 * form is checked to print the same rows from the workloads as the NetworkPolicy form.
 *
 * Usage: npm run bench:matrix-addresses [-- --workloads 1500 --addresses 5000 --runs 3]
 *        (writes bench/results/matrix-addresses.md)
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { alternatingMedians, calicoEgressPolicy, option, root, workloadWithService, writeInputs, writeResult } from "./common.js";

const WORKLOADS = Number(option("workloads") ?? 1500);
const ADDRESSES = Number(option("addresses") ?? 5000);
const RUNS = Number(option("runs") ?? 3);
const NAMESPACES = 20;
// Every other address, so no two are adjacent and each is a block of its own.
const outside = Array.from({ length: ADDRESSES }, (_, i) => `198.${18 + Math.floor(i / 32000)}.${Math.floor((i % 32000) / 125)}.${(i % 125) * 2 + 1}`);

function cluster(): string[] {
  const docs: string[] = [];
  for (let i = 0; i < WORKLOADS; i++) docs.push(...workloadWithService(i, `ns${i % NAMESPACES}`));
  return docs;
}

function networkPolicies(withAddresses: boolean): string[] {
  return Array.from(
    { length: NAMESPACES },
    (_, n) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: ns${n}}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ns${(n + 1) % NAMESPACES}}}}]
${withAddresses ? `  - to: [${outside.map((a) => `{ipBlock: {cidr: ${a}/32}}`).join(", ")}]\n    ports: [{protocol: TCP, port: 443}]\n` : ""}`,
  );
}

function calicoPolicies(): string[] {
  const docs = [`apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: partners, labels: {feed: partners}}\nspec:\n  nets: [${outside.map((a) => `${a}/32`).join(", ")}]\n`];
  for (let n = 0; n < NAMESPACES; n++) {
    docs.push(
      calicoEgressPolicy(`ns${n}`, [
        `{action: Allow, destination: {namespaceSelector: "projectcalico.org/name == 'ns${(n + 1) % NAMESPACES}'"}}`,
        `{action: Allow, protocol: TCP, destination: {namespaceSelector: global(), selector: "feed == 'partners'", ports: [443]}}`,
      ]),
    );
  }
  return docs;
}

const pods = cluster();
const files = writeInputs("matrix-addresses", {
  podsOnly: [...pods, ...networkPolicies(false)],
  ipBlocks: [...pods, ...networkPolicies(true)],
  networkSet: [...pods, ...calicoPolicies()],
});
const bin = join(root, "bin/palisade.js");
const matrix = (file: string, output: string): string[] => [process.execPath, bin, "netpol", "matrix", file, "-o", output];

/**
 * The output's size and lines, and a digest of the lines that do not start outside the
 * cluster: the network set also cuts the ingress side's external space (a set may be
 * selected there too), so only the egress rows must be the same in both forms.
 */
async function printed(argv: string[]): Promise<{ bytes: number; lines: number; egressDigest: string }> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "ignore"] });
  const hash = createHash("sha256");
  let bytes = 0;
  let lines = 0;
  let partial = "";
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    const text = partial + chunk.toString("latin1");
    const end = text.lastIndexOf("\n");
    for (const line of text.slice(0, end + 1).split("\n")) if (line !== "" && !/^[0-9a-f.:]+-[0-9a-f.:]+\[External\]/.test(line)) hash.update(`${line}\n`);
    lines += text.slice(0, end + 1).split("\n").length - 1;
    partial = text.slice(end + 1);
  }
  return { bytes, lines, egressDigest: hash.digest("hex") };
}
const text = await printed(matrix(files.ipBlocks, "text"));
const setText = await printed(matrix(files.networkSet, "text"));
if (setText.egressDigest !== text.egressDigest) throw new Error("the network set and the ipBlocks print different egress rows");

/**
 * The print floor: a Node process that formats ROWS rows of the matrix's shape from their
 * index (a workload, an address, TCP 443) and writes them through one 64 KiB buffer, as
 * Palisade writes. No policies, no matrix: the least any Node tool printing the rows does.
 */
function printFloor(rowCount: number, format: "json" | "text"): string[] {
  const row =
    format === "text"
      ? "`ns${i % 20}/app${i % 1500}[Deployment] => 198.18.${(i >> 8) & 255}.${i & 255}-198.18.${(i >> 8) & 255}.${i & 255}[External] : TCP 443\\n`"
      : '`,\\n    {\\n      "from": "ns${i % 20}/app${i % 1500}[Deployment]",\\n      "to": "198.18.${(i >> 8) & 255}.${i & 255}-198.18.${(i >> 8) & 255}.${i & 255}[External]",\\n      "allowed": {\\n        "TCP": [\\n          [\\n            443,\\n            443\\n          ]\\n        ]\\n      }\\n    }`';
  return [
    process.execPath,
    "-e",
    `const fs = require("fs"); const b = Buffer.allocUnsafe(65536); let used = 0;
     for (let i = 0; i < ${rowCount}; i++) { const r = ${row}; if (used + 3 * r.length > 65536) { fs.writeSync(1, b, 0, used); used = 0; } used += b.write(r, used); }
     fs.writeSync(1, b, 0, used);`,
  ];
}

const rows: Array<[string, string[], number | undefined]> = [
  ["reference: the pods alone (no addresses), JSON", matrix(files.podsOnly, "json"), undefined],
  [`floor: printing ${text.lines.toLocaleString("en")} rows as JSON`, printFloor(text.lines, "json"), 1],
  [`ipBlocks of ${ADDRESSES} addresses, JSON (${text.lines.toLocaleString("en")} rows)`, matrix(files.ipBlocks, "json"), 1],
  [`floor: printing ${text.lines.toLocaleString("en")} rows as text`, printFloor(text.lines, "text"), 3],
  [`ipBlocks of ${ADDRESSES} addresses, text`, matrix(files.ipBlocks, "text"), 3],
  [`floor: printing ${setText.lines.toLocaleString("en")} rows as text`, printFloor(setText.lines, "text"), 5],
  [`a GlobalNetworkSet of ${ADDRESSES} addresses, text (${setText.lines.toLocaleString("en")} rows: its addresses are sources too)`, matrix(files.networkSet, "text"), 5],
];
/**
 * The other commands over the same inputs, each against itself over the cluster without
 * the addresses: what naming the addresses costs them. Diff compares the ipBlocks with
 * the network set (no changes: the same egress), its floor the cluster with itself.
 */
const palisade = (...args: string[]): string[] => [process.execPath, bin, ...args];
const others: Array<[string, string[], string[]]> = [
  ["`scan -o json`", palisade("scan", files.podsOnly, "--fail-on", "none", "-o", "json"), palisade("scan", files.ipBlocks, "--fail-on", "none", "-o", "json")],
  ["`netpol lint -o json`", palisade("netpol", "lint", files.podsOnly, "--fail-on", "none", "-o", "json"), palisade("netpol", "lint", files.ipBlocks, "--fail-on", "none", "-o", "json")],
  ["`netpol lint -o json`, the network set", palisade("netpol", "lint", files.podsOnly, "--fail-on", "none", "-o", "json"), palisade("netpol", "lint", files.networkSet, "--fail-on", "none", "-o", "json")],
  ["`posture -o json`", palisade("posture", files.podsOnly, "-o", "json"), palisade("posture", files.ipBlocks, "-o", "json")],
  ["`posture -o json`, the network set", palisade("posture", files.podsOnly, "-o", "json"), palisade("posture", files.networkSet, "-o", "json")],
  ["`netpol diff` ipBlocks → network set", palisade("netpol", "diff", files.podsOnly, files.podsOnly), palisade("netpol", "diff", files.ipBlocks, files.networkSet)],
];
const medians = alternatingMedians([...rows.map(([, argv]) => argv), ...others.flatMap(([, floor, run]) => [floor, run])], RUNS);
const otherMedians = medians.slice(rows.length);
writeResult(
  "matrix-addresses",
  [
    "# bench:matrix-addresses",
    "",
    `Command: \`npm run bench:matrix-addresses -- --workloads ${WORKLOADS} --addresses ${ADDRESSES} --runs ${RUNS}\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC. ${WORKLOADS} Deployments in ${NAMESPACES} namespaces; each namespace may reach the next, and ${ADDRESSES} outside addresses on TCP 443. \`netpol matrix\`, whole processes, output to /dev/null, median of ${RUNS} alternating turns. The network set was checked to print the same rows from the workloads as the ipBlocks; it also cuts the ingress side's external space (a set may be selected there), so it has more rows. Each floor formats as many rows of the same shape from their index and writes them through one 64 KiB buffer.`,
    "",
    "| run | wall | × its floor | peak RSS |",
    "| --- | ---: | ---: | ---: |",
    ...rows.map(([name, , floor], i) => `| ${name} | ${medians[i]!.seconds.toFixed(2)} s | ${floor === undefined ? "—" : i === floor ? "1.00×" : `${(medians[i]!.seconds / medians[floor]!.seconds).toFixed(2)}×`} | ${medians[i]!.maxRssMb.toFixed(0)} MB |`),
    "",
    "The other commands over the same inputs, each against its floor: the same command over the cluster without the addresses (diff: that cluster against itself).",
    "",
    "| command | floor | with the addresses | × its floor | peak RSS |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...others.map(([name], k) => {
      const floor = otherMedians[2 * k]!;
      const run = otherMedians[2 * k + 1]!;
      return `| ${name} | ${floor.seconds.toFixed(2)} s | ${run.seconds.toFixed(2)} s | ${(run.seconds / floor.seconds).toFixed(2)}× | ${run.maxRssMb.toFixed(0)} MB |`;
    }),
    "",
  ].join("\n"),
);
