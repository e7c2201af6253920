/**
 * An object defined twice is judged as its last copy, as `kubectl apply -f` leaves it (and
 * as `rbac` reads roles): the workload, and the Services, policies and ServiceAccounts the
 * posture reads around it. The copies it replaced cost nothing.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { buildPosture } from "../../src/posture/build.js";
import { lastCopies, objectIdentity } from "../../src/posture/last-copies.js";
import type { PostureReport } from "../../src/posture/types.js";
import { withoutReplacedCopies } from "../../src/posture/replaced-findings.js";
import { runScan } from "../../src/scan/run.js";
import { loadedObject } from "../support/snapshot.js";
import { deployment, postureOf, ruleIds, workload } from "./support.js";

/** The posture of a directory of files, read as `palisade posture DIR` reads it (file names in byte order). */
async function postureOfFiles(files: Record<string, string>): Promise<PostureReport> {
  const dir = mkdtempSync(join(tmpdir(), "palisade-posture-copies-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const snapshot = await loadSnapshot({ paths: [dir] });
  const now = new Date("2026-11-30T00:00:00Z");
  return buildPosture(snapshot, runScan(snapshot, { now, defaultLevel: "restricted" }), { source: dir, now, tool: { name: "palisade", version: "test" } });
}

const HARDENED = deployment("web", "shop", "      automountServiceAccountToken: false");
const PRIVILEGED = deployment("web", "shop").replace("securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}", "securityContext: {privileged: true}");

describe("posture: an object defined twice is its last copy", () => {
  it("a privileged copy replaced by a hardened one in a later file costs nothing, and the fact says which copy was judged", async () => {
    const report = await postureOfFiles({ "a.yaml": PRIVILEGED, "b.yaml": HARDENED });
    expect(report.workloads).toHaveLength(1);
    const web = workload(report, "web");
    expect(ruleIds(web)).not.toContain("pss/privileged");
    expect(web.pillars.workload).toEqual({ score: 100, deductions: [] });
    expect(web.position?.file).toMatch(/b\.yaml$/);
    expect(web.facts).toContain("its pods carry no token for ServiceAccount shop/default (automountServiceAccountToken: false)");
    expect(web.facts.find((f) => f.startsWith("defined 2 times, differently"))).toMatch(/a\.yaml:1:1, .*b\.yaml:1:1\): judged as its last definition, as kubectl apply -f leaves it$/);
  });

  it("the last copy is judged whichever it is: a hardened copy replaced by a privileged one in the same file costs what the privileged one does", async () => {
    const web = workload(await postureOf(HARDENED + PRIVILEGED), "web");
    expect(ruleIds(web)).toContain("pss/privileged");
    expect(ruleIds(web)).toContain("posture/token-mounted");
    expect(web.position?.line).toBeGreaterThan(1);
  });

  it("a Service published through a LoadBalancer, then redefined as ClusterIP, publishes nothing", async () => {
    const service = (type: string) => `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: ${type}
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
`;
    const web = workload(await postureOf(service("LoadBalancer") + service("ClusterIP") + HARDENED), "web");
    expect(ruleIds(web)).not.toContain("posture/published-to-every-address");
    // The other order publishes it: the copies are read in order, not merged.
    const published = workload(await postureOf(service("ClusterIP") + service("LoadBalancer") + HARDENED), "web");
    expect(ruleIds(published)).toContain("posture/published-to-every-address");
  });

  it("a NetworkPolicy that allowed all egress, then redefined to allow none, leaves the workload shut in", async () => {
    const policy = (egress: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: ${egress}
---
`;
    const web = workload(await postureOf(policy("[{}]") + policy("[]") + HARDENED), "web");
    expect(ruleIds(web)).not.toContain("posture/egress-to-every-address");
  });
});

describe("last copies and the findings of the copies they replace", () => {
  const pod = (name: string, namespace?: string, apiVersion = "v1"): K8sObject => ({ apiVersion, kind: "Pod", metadata: { name, ...(namespace ? { namespace } : {}) } });
  const at = (file: string, line: number, object: K8sObject) => ({ ...loadedObject(object), source: { file, documentIndex: 0, position: { file, line, column: 1 }, locate: () => ({ file, line, column: 1 }) } });

  it("an object is its group, kind, namespace (default when left out) and name; one without a name is no copy of another", () => {
    expect(objectIdentity(pod("p"))).toBe(objectIdentity(pod("p", "default")));
    expect(objectIdentity(pod("p", "a"))).not.toBe(objectIdentity(pod("p", "b")));
    expect(objectIdentity({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } })).toBe(objectIdentity({ apiVersion: "apps/v1beta2", kind: "Deployment", metadata: { name: "d" } }));
    expect(objectIdentity({ apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "n" } })).not.toBe(objectIdentity({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "n" } }));
    expect(objectIdentity({ apiVersion: "v1", kind: "Pod", metadata: { generateName: "w-" } })).toBeUndefined();
  });

  it("keeps the last copy in input order, and leaves out the findings located in a replaced copy's document", () => {
    const first = at("f.yaml", 1, pod("p", "a"));
    const other = at("f.yaml", 10, pod("q", "a"));
    const last = at("f.yaml", 20, pod("p", "a"));
    const copies = lastCopies([first, other, last]);
    expect(copies.objects).toEqual([other, last]);
    expect(copies.earlier.get(last)).toEqual([first]);
    const finding = (name: string, line: number): Finding => ({ ruleId: "pss/privileged", severity: "critical", pillar: "workload", message: "m", object: { kind: "Pod", name, namespace: "a" }, position: { file: "f.yaml", line, column: 5 } });
    const kept = withoutReplacedCopies([finding("p", 3), finding("p", 22), finding("q", 12), { ...finding("p", 4), position: undefined }], [first, other, last], copies).map((f) => `${f.object?.name}@${f.position?.line}`);
    expect(kept).toEqual(["p@22", "q@12", "p@undefined"]);
  });

  it("a file given twice holds copies that cannot be told apart: their findings stay", () => {
    const copies = [at("f.yaml", 1, pod("p", "a")), at("f.yaml", 1, pod("p", "a"))];
    const finding: Finding = { ruleId: "pss/privileged", severity: "critical", pillar: "workload", message: "m", object: { kind: "Pod", name: "p", namespace: "a" }, position: { file: "f.yaml", line: 3, column: 5 } };
    expect(withoutReplacedCopies([finding], copies, lastCopies(copies))).toEqual([finding]);
  });
});
