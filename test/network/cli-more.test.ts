/** `palisade netpol` end to end: inputs the API server may let through, and where explain points. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runNetpol } from "./cli-run.js";

afterEach(() => vi.restoreAllMocks());

function write(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-netpol-")), name);
  writeFileSync(file, text);
  return file;
}

const workloads = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
spec: {containers: [{name: c, image: x}]}
`;

// \`ingres\` is a typo: the API server drops it, and what is left isolates web with no rule.
const typo = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: typo, namespace: a}
spec:
  podSelector: {matchLabels: {app: web}}
  ingres:
  - from: [{namespaceSelector: {}}]
`;

describe("unknown fields in policies", () => {
  it("explain and matrix warn with file:line that the policy is evaluated without the field", async () => {
    const file = write("typo.yaml", `${workloads}---\n${typo}`);
    const explain = await runNetpol("explain", file, "--from", "b/client", "--to", "a/web");
    expect(explain.out).toContain("DENIED");
    expect(explain.err).toContain(`warning: ${file}:16:3: NetworkPolicy/a/typo: spec.ingres is not a field of NetworkPolicySpec: did you mean ingress?`);
    expect((await runNetpol("matrix", file)).err).toContain("spec.ingres is not a field");
  });

  it("lint reports them as findings", async () => {
    const file = write("typo.yaml", `${workloads}---\n${typo}`);
    const r = await runNetpol("lint", file, "-o", "json");
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.out).findings as { ruleId: string; fieldPath?: string }[];
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: "manifest/unknown-field", fieldPath: "spec.ingres" }));
  });
});

describe("explain points at what decided", () => {
  const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: a}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {}}]
  - from: [{namespaceSelector: {}}]
    ports: [{port: 8080}]
`;

  it("gives file:line of the deciding rule, and of the selecting policies for an end-of-tier drop", async () => {
    const file = write("p.yaml", `${workloads}---\n${policy}`);
    const allowed = await runNetpol("explain", file, "--from", "b/client", "--to", "a/web", "--port", "8080");
    expect(allowed.out).toContain("allowed by NetworkPolicy/a/web ingress rule 1");
    expect(allowed.out).toContain(`at ${file}:18:5`);
    const denied = JSON.parse((await runNetpol("explain", file, "--from", "b/client", "--to", "a/web", "--port", "80", "-o", "json")).out);
    expect(denied.ingress.reason).toBe("end-of-tier");
    expect(denied.ingress.at).toEqual([`${file}:11:1`]);
  });
});

describe("lint runs the Calico checks that scan runs", () => {
  it("reports a Calico policy the API server refuses, and exits 1 for it", async () => {
    const file = write(
      "calico-refused.yaml",
      `apiVersion: v1
kind: Pod
metadata: {name: server, namespace: a, labels: {app: server}}
spec: {containers: [{name: s, image: nginx}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: bad, namespace: a}
spec:
  selector: app == 'server'
  ingress:
  - action: Allow
    destination: {ports: [53]}
`,
    );
    const r = await runNetpol("lint", file, "-o", "json", "--fail-on", "high");
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.out).findings as { ruleId: string; severity: string; position?: { line: number } }[];
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: "calico/invalid-policy", severity: "high" }));
  });
});

describe("-n as kubectl apply -n", () => {
  // helm template output: no object names its namespace.
  const chart = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: x, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: other}
spec:
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec: {containers: [{name: c, image: x}]}
`;

  it("places the objects that name no namespace, for explain and matrix", async () => {
    const file = write("chart.yaml", chart);
    const explain = await runNetpol("explain", file, "-n", "shop", "--from", "web", "--to", "db", "--port", "5432/TCP");
    expect(explain.code).toBe(0);
    expect(explain.out).toMatch(/^shop\/web\[Deployment\] -> shop\/db\[Deployment\] on 5432\/TCP: ALLOWED/);
    expect((await runNetpol("explain", file, "-n", "shop", "--from", "other/batch", "--to", "db", "--port", "5432/TCP")).out).toContain("DENIED");
    const matrix = await runNetpol("matrix", file, "-n", "shop");
    expect(matrix.out).toContain("shop/web[Deployment] => shop/db[Deployment] : All Connections");
    expect(matrix.out).not.toContain("default/");
  });

  it("lint takes -n and -A, and reports only that namespace's findings with -n", async () => {
    const file = write("chart.yaml", chart);
    const all = JSON.parse((await runNetpol("lint", file, "-A", "-o", "json")).out).findings as { object?: { kind: string; name: string; namespace?: string } }[];
    const spaces = (findings: typeof all) => [...new Set(findings.map((f) => (f.object?.kind === "Namespace" ? f.object.name : f.object?.namespace)))].sort();
    expect(spaces(all)).toEqual(["other", undefined]);
    const shop = JSON.parse((await runNetpol("lint", file, "-n", "shop", "-o", "json")).out).findings as typeof all;
    expect(shop.length).toBeGreaterThan(0);
    expect(spaces(shop)).toEqual(["shop"]);
    const other = JSON.parse((await runNetpol("lint", file, "-n", "other", "-o", "json")).out).findings as typeof all;
    expect(spaces(other)).toEqual(["other"]);
    // Where every object names its namespace, a name none has is a slip.
    const named = write("named.yaml", chart.slice(chart.indexOf("apiVersion: v1\nkind: Namespace")));
    const typo = await runNetpol("lint", named, "-n", "othr");
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("-n othr: the input has no namespace of that name");
    expect((await runNetpol("lint", file, "-n", "shop", "-A")).code).toBe(2);
  });
});

describe("labels the API server refuses", () => {
  it("are named where they are written, for every command that reads workloads", async () => {
    const file = write(
      "labels.yaml",
      `apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: yes, count: 5}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: other, namespace: b}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client, ver: 1.10}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: listed, namespace: b, labels: [app]}
spec: {containers: [{name: c, image: x}]}
`,
    );
    const expected = [
      `warning: ${file}:3:30: Namespace/b metadata.labels.team is true, not a string: the API server refuses the object; quote the value; the answer below reads it without that label`,
      `warning: ${file}:3:41: Namespace/b metadata.labels.count is 5, not a string: the API server refuses the object; quote the value; the answer below reads it without that label`,
      `warning: ${file}:11:38: Deployment/b/other spec.template.metadata.labels.ver is 1.1, not a string: the API server refuses the object; quote the value; the answer below reads it without that label`,
      `warning: ${file}:16:40: Pod/b/listed metadata.labels is not a mapping of label names to values: the API server refuses the object; the answer below reads it without that label`,
    ];
    for (const args of [["matrix", file], ["lint", file]]) {
      const r = await runNetpol(...args);
      expect(r.err.split("\n").filter((l) => l.startsWith("warning:"))).toEqual(expected);
    }
  });
});
