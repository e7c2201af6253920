/**
 * Node ports as the Service registry allocates them (pkg/registry/core/service/storage
 * alloc.go, portallocator): one pool for every namespace and protocol, the first Service
 * created has a port, a port outside --service-node-port-range is refused.
 */
import { describe, expect, it } from "vitest";
import { evaluateQuotas } from "../../../src/access/quota/evaluate.js";
import { quotaFamily } from "../../../src/access/quota/family.js";
import { parsePortRange } from "../../../src/access/quota/node-ports.js";
import { loadSnapshot } from "../../../src/k8s/load.js";
import type { LoadedObject } from "../../../src/k8s/types.js";
import { runScan } from "../../../src/scan/run.js";
import { scanStreaming } from "../../../src/scan/stream.js";
import { evaluateYaml } from "./evaluate-yaml.js";

const service = (name: string, namespace: string, type: string, ports: string, extra = "") =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  type: ${type}\n  selector: {app: ${name}}\n  ports:\n${ports}${extra}`;
const port = (p: number, nodePort?: number, protocol = "TCP", name = `p${p}${protocol.toLowerCase()}`) =>
  `  - {name: ${name}, port: ${p}, protocol: ${protocol}${nodePort === undefined ? "" : `, nodePort: ${nodePort}`}}\n`;
const apiserver = (range?: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.33.0\n    command: ${JSON.stringify(["kube-apiserver", "--etcd-servers=https://127.0.0.1:2379", ...(range === undefined ? [] : [`--service-node-port-range=${range}`])])}\n`;
const docs = (...d: string[]) => d.join("---\n");

async function refusals(yaml: string) {
  const result = await evaluateYaml(yaml);
  return result.findings.filter((f) => f.ruleId === "quota/node-port-refused").map((f) => [f.object?.namespace, f.object?.name, f.fieldPath, f.position?.line, f.message]);
}

describe("node ports, one pool for the cluster", () => {
  it("refuses the second Service asking for a port, in any namespace or protocol, at the field that asks", async () => {
    const yaml = docs(service("a", "one", "NodePort", port(80, 30080)), service("b", "two", "NodePort", port(53, 30080, "UDP")));
    expect(await refusals(yaml)).toEqual([
      ["two", "b", "spec.ports[0].nodePort", 17, "Service b is refused: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated; Service one/a holds it"],
    ]);
    // The same Service applied again is an update: it keeps its port.
    expect(await refusals(docs(service("a", "one", "NodePort", port(80, 30080)), service("a", "one", "NodePort", port(80, 30080))))).toEqual([]);
  });

  it("refuses a port outside the range, the default one or the input's kube-apiserver's", async () => {
    expect(await refusals(service("a", "one", "NodePort", port(80, 8080)))).toEqual([
      ["one", "a", "spec.ports[0].nodePort", 8, "Service a is refused: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767 (the default --service-node-port-range)"],
    ]);
    expect(await refusals(docs(apiserver("8000-9000"), service("a", "one", "NodePort", port(80, 8080))))).toEqual([]);
    expect((await refusals(docs(service("a", "one", "NodePort", port(80, 30080)), apiserver("8000+1000"))))[0]?.[4]).toBe(
      "Service a is refused: spec.ports[0].nodePort: Invalid value: 30080: provided port is not in the valid range. The range of valid ports is 8000-9000 (the kube-apiserver's --service-node-port-range in the input)",
    );
    // Two API servers that disagree, or a range kube-apiserver could not read: the range is not known.
    expect(await refusals(docs(apiserver("8000-9000"), apiserver(), service("a", "one", "NodePort", port(80, 30080))))).toEqual([]);
    expect(await refusals(docs(apiserver("8000-9000x"), service("a", "one", "NodePort", port(80, 8))))).toEqual([]);
  });

  it("allocates one port per service port number, stops at the first refusal, then the health-check port", async () => {
    // TCP and UDP 53 share their node port; two port numbers asking for one port collide in the Service itself.
    expect(await refusals(service("dns", "one", "NodePort", port(53, 30053, "TCP") + port(53, 30053, "UDP")))).toEqual([]);
    expect((await refusals(service("a", "one", "NodePort", port(80, 30080, "TCP") + port(81, 30080, "UDP"))))[0]?.slice(2)).toEqual([
      "spec.ports[1].nodePort",
      9,
      "Service a is refused: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated; Service one/a holds it",
    ]);
    // Only the first refusal is said, and a refused Service holds nothing: c may have 30081.
    const first = docs(service("a", "one", "NodePort", port(80, 30080)), service("b", "one", "NodePort", port(80, 30080) + port(81, 30081)), service("c", "one", "NodePort", port(80, 30081)));
    expect((await refusals(first)).map((r) => r[1])).toEqual(["b"]);
    const lb = (name: string, extra: string) => service(name, "one", "LoadBalancer", port(443), `  externalTrafficPolicy: Local\n${extra}`);
    expect(await refusals(docs(service("a", "one", "NodePort", port(80, 30090)), lb("b", "  healthCheckNodePort: 30090\n")))).toEqual([
      ["one", "b", "spec.healthCheckNodePort", 19, "Service b is refused: Internal error occurred: failed to allocate requested HealthCheck NodePort 30090: provided port is already allocated; Service one/a holds it"],
    ]);
    // No health-check port without Local traffic policy, and none for a ClusterIP Service's (refused by validation instead).
    expect(await refusals(docs(service("a", "one", "NodePort", port(80, 30090)), service("b", "one", "LoadBalancer", port(443), "  healthCheckNodePort: 30090\n")))).toEqual([]);
    expect(await refusals(docs(service("a", "one", "NodePort", port(80, 30090)), service("b", "one", "ClusterIP", port(80, 30090))))).toEqual([]);
    // A LoadBalancer that allocates no node ports still takes those it names.
    expect((await refusals(docs(service("a", "one", "NodePort", port(80, 30090)), service("b", "one", "LoadBalancer", port(80, 30090), "  allocateLoadBalancerNodePorts: false\n")))).map((r) => r[1])).toEqual(["b"]);
  });

  it("lets a live Service hold its ports, and its copy from files keep them", async () => {
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: docs(service("b", "one", "NodePort", port(80, 30080)), service("c", "one", "NodePort", port(80, 30080)), service("b", "one", "NodePort", port(80, 30080))) });
    const [liveB, fileC, fileB] = snapshot.objects as [LoadedObject, LoadedObject, LoadedObject];
    const position = liveB.source.position;
    const live: LoadedObject = { ...liveB, source: { file: "<cluster prod>", documentIndex: 0, position, locate: () => position } };
    const refused = (objects: LoadedObject[]) => evaluateQuotas({ objects }).findings.filter((f) => f.ruleId === "quota/node-port-refused").map((f) => f.message);
    // b is in the cluster already, wherever the read puts it: c from files cannot have its port.
    expect(refused([fileC, live])).toEqual(["Service c is refused: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated; Service one/b holds it"]);
    // b's own copy from files is an update of b.
    expect(refused([live, fileB])).toEqual([]);
  });

  it("says the same in a streaming scan as over a snapshot", async () => {
    const load = { paths: ["-"], stdinText: docs(service("a", "one", "NodePort", port(80, 30080)), service("b", "two", "NodePort", port(80, 30080)), service("c", "two", "NodePort", port(80, 80))) };
    const lines = (findings: readonly { ruleId: string; position?: { line: number } }[]) => findings.filter((f) => f.ruleId === "quota/node-port-refused").map((f) => f.position?.line);
    const batch = runScan(await loadSnapshot(load), {}, [quotaFamily]);
    const { result } = await scanStreaming(load, {}, [quotaFamily]);
    expect(lines(batch.findings)).toEqual([17, 26]);
    expect(lines(result.findings)).toEqual(lines(batch.findings));
  });
});

describe("--service-node-port-range as apimachinery's PortRange reads it", () => {
  it.each([
    ["30000-32767", { base: 30000, size: 2768 }],
    ["30000+2767", { base: 30000, size: 2768 }],
    [" 8080 ", { base: 8080, size: 1 }],
    ["", { base: 0, size: 0 }],
    ["+1-5", undefined],
    ["1-2+3", undefined],
    ["5-4", undefined],
    ["60000-70000", undefined],
    ["a-b", undefined],
    ["-5", undefined],
  ])("%j", (text, expected) => {
    expect(parsePortRange(text)).toEqual(expected);
  });
});
