/**
 * bench:calico-services — `netpol matrix` over Calico rules that name Services, against the
 * same intent written with selectors and named ports (the floor, same run, same cluster):
 * the ratio is what reading the Services' endpoints costs. A second pair does the same for
 * a Service without a selector whose EndpointSlice lists ADDRESSES outside addresses,
 * against a rule naming those addresses as nets: both cut the matrix's external space at
 * every address, so their ratio is the cost of the slice, not of the cut.
 *
 * A generated cluster: WORKLOADS Deployments in 20 namespaces, each behind a Service whose
 * port 80 forwards to the pods' named port http (8080); each namespace's pods may call the
 * Services of the next namespace, and nothing else. Whole processes, output to /dev/null,
 * median of RUNS alternating turns, with peak RSS.
 *
 * Usage: npm run bench:calico-services [-- --workloads 1000 --addresses 200 --runs 3]
 *        (writes bench/results/calico-services.md)
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { alternatingMedians, calicoEgressPolicy, option, root, workloadWithService, writeInputs, writeResult } from "./common.js";

const WORKLOADS = Number(option("workloads") ?? 1000);
const ADDRESSES = Number(option("addresses") ?? 200);
const RUNS = Number(option("runs") ?? 3);
const NAMESPACES = 20;
const PER_NAMESPACE = Math.ceil(WORKLOADS / NAMESPACES);
const outside = Array.from({ length: ADDRESSES }, (_, i) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`);

function workloadsText(): string[] {
  const docs: string[] = [];
  for (let i = 0; i < WORKLOADS; i++) docs.push(...workloadWithService(i, `ns${i % NAMESPACES}`));
  docs.push(`apiVersion: v1\nkind: Service\nmetadata: {name: partners, namespace: ns0}\nspec: {ports: [{port: 443}]}\n`);
  docs.push(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: partners-1, namespace: ns0, labels: {kubernetes.io/service-name: partners}}
addressType: IPv4
ports: [{port: 443, protocol: TCP}]
endpoints: [{addresses: [${outside.join(", ")}]}]
`);
  return docs;
}

/**
 * Each namespace's egress: the next namespace's workloads on http, as one rule with a set
 * selector, as one selector rule per workload, or as one rule per Service; then Deny. With
 * `partners`, the outside addresses too, as nets or as the partners Service.
 */
function policiesText(form: "one-selector" | "selectors" | "services", partners: "slice" | "nets" | undefined): string[] {
  const docs: string[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const next = `ns${(n + 1) % NAMESPACES}`;
    const targets = Array.from({ length: PER_NAMESPACE }, (_, k) => k * NAMESPACES + ((n + 1) % NAMESPACES)).filter((i) => i < WORKLOADS);
    const toPods = (selector: string): string => `{action: Allow, protocol: TCP, destination: {namespaceSelector: "projectcalico.org/name == '${next}'", selector: "${selector}", ports: [http]}}`;
    const rules =
      form === "services"
        ? targets.map((i) => `{action: Allow, destination: {services: {name: app${i}, namespace: ${next}}}}`)
        : form === "selectors"
          ? targets.map((i) => toPods(`app == 'app${i}'`))
          : [toPods(`app in {${targets.map((i) => `'app${i}'`).join(", ")}}`)];
    if (partners === "slice") rules.push("{action: Allow, destination: {services: {name: partners, namespace: ns0}}}");
    if (partners === "nets") rules.push(`{action: Allow, protocol: TCP, destination: {nets: [${outside.map((a) => `${a}/32`).join(", ")}], ports: [443]}}`);
    docs.push(calicoEgressPolicy(`ns${n}`, rules));
  }
  return docs;
}

const cluster = workloadsText();
const files = writeInputs("calico-services", {
  oneSelector: [...cluster, ...policiesText("one-selector", undefined)],
  selectors: [...cluster, ...policiesText("selectors", undefined)],
  services: [...cluster, ...policiesText("services", undefined)],
  nets: [...cluster, ...policiesText("services", "nets")],
  slice: [...cluster, ...policiesText("services", "slice")],
});
const bin = join(root, "bin/palisade.js");
const matrix = (file: string): string[] => [process.execPath, bin, "netpol", "matrix", file, "-o", "json"];
const rows: Array<[string, string[], number]> = [
  ["floor: one rule, a set selector and the named port", matrix(files.oneSelector), 0],
  ["a selector rule per workload, the named port", matrix(files.selectors), 0],
  ["a `services` rule per Service", matrix(files.services), 0],
  [`floor: \`services\` rules, and ${ADDRESSES} outside addresses as nets`, matrix(files.nets), 3],
  [`\`services\` rules, and a slice of ${ADDRESSES} outside addresses`, matrix(files.slice), 3],
];
// Each run must compute what its floor computes, or the floor did other work.
const connections = (argv: string[]): string => {
  const out = JSON.parse(execFileSync(argv[0]!, argv.slice(1), { maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] }).toString()) as { connections: unknown[] };
  return out.connections.map((c) => JSON.stringify(c)).sort().join("\n");
};
const computed = rows.map(([, argv]) => connections(argv));
rows.forEach(([name, , floor], i) => {
  if (computed[i] !== computed[floor]) throw new Error(`"${name}" and its floor compute different connections`);
});
const medians = alternatingMedians(rows.map(([, argv]) => argv), RUNS);
writeResult(
  "calico-services",
  [
    "# bench:calico-services",
    "",
    `Command: \`npm run bench:calico-services -- --workloads ${WORKLOADS} --addresses ${ADDRESSES} --runs ${RUNS}\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC. ${WORKLOADS} Deployments in ${NAMESPACES} namespaces, one Service each (port 80 to the named port http); each namespace may call the next one's Services. \`netpol matrix -o json\`, whole processes, output to /dev/null, median of ${RUNS} alternating turns. Each run was checked to compute the same connections as its floor.`,
    "",
    "| run | wall | × its floor | peak RSS |",
    "| --- | ---: | ---: | ---: |",
    ...rows.map(([name], i) => `| ${name} | ${medians[i]!.seconds.toFixed(2)} s | ${(medians[i]!.seconds / medians[rows[i]![2]]!.seconds).toFixed(2)}× | ${medians[i]!.maxRssMb.toFixed(0)} MB |`),
    "",
  ].join("\n"),
);
