import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { formatFieldPath } from "../../src/k8s/types.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { misTypedFields } from "../../src/manifest/string-fields.js";

function objectsOf(text: string) {
  return parseYamlFile("m.yaml", text).objects;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, version: 1.0, canary: yes, quoted: "yes", empty: null}
  annotations: {ticket: 12345}
spec:
  selector:
    matchLabels: {app: web, enabled: on}
  template:
    metadata:
      labels: {app: web, enabled: on}
    spec:
      initContainers:
      - {name: init, image: busybox, command: [sh, -c, 1]}
      containers:
      - name: app
        image: web:1
        workingDir: 7
        args: ["--port", 8080, "--debug"]
        env:
        - {name: FEATURE, value: yes}
        - {name: 3, value: "fine"}
        - {name: EMPTY}
`;

describe("fields Kubernetes reads as text", () => {
  it("finds every boolean, number and collection where the API declares a string, with what Kubernetes reads", () => {
    const [deployment] = objectsOf(DEPLOYMENT);
    expect(misTypedFields(deployment!.object).map(({ path, value }) => [formatFieldPath(path), value])).toEqual([
      ["metadata.labels.version", 1],
      ["metadata.labels.canary", true],
      ["metadata.annotations.ticket", 12345],
      ["spec.selector.matchLabels.enabled", true],
      ["spec.template.metadata.labels.enabled", true],
      ["spec.template.spec.initContainers[0].command[2]", 1],
      ["spec.template.spec.containers[0].workingDir", 7],
      ["spec.template.spec.containers[0].args[1]", 8080],
      ["spec.template.spec.containers[0].env[0].value", true],
      ["spec.template.spec.containers[0].env[1].name", 3],
    ]);
  });

  it("reads ConfigMap and Secret data, Service selectors and names, and only for the core kinds", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 1.5}\ndata: {country: NO, retries: 3, nested: {a: b}, ok: "3"}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {flag: off}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {selector: {tier: 1}, ports: [{port: 80}]}\n---\napiVersion: example.com/v1\nkind: ConfigMap\nmetadata: {name: custom}\ndata: {retries: 3}\n`;
    expect(objectsOf(text).map((o) => misTypedFields(o.object).map(({ path, value }) => [formatFieldPath(path), value]))).toEqual([
      [["metadata.name", 1.5], ["data.country", false], ["data.retries", 3], ["data.nested", { a: "b" }]],
      [["stringData.flag", false]],
      [["spec.selector.tier", 1]],
      [],
    ]);
  });

  it("reports each at its field, saying what Kubernetes reads and that the object is refused", () => {
    const findings = manifestFamily.check({ ...emptySnapshot(), objects: objectsOf(DEPLOYMENT) }, {});
    expect(findings).toHaveLength(10);
    expect(findings[1]).toMatchObject({
      ruleId: "manifest/string-expected",
      severity: "medium",
      object: { kind: "Deployment", name: "web" },
      fieldPath: "metadata.labels.canary",
      position: { file: "m.yaml", line: 5, column: 36 },
      message: "metadata.labels.canary is the boolean true (an unquoted yes, on, y or true) where Kubernetes expects text (quote it): the API server refuses this object",
    });
    expect(findings.map((f) => f.message)).toContain("spec.template.spec.containers[0].args[1] is a number where Kubernetes expects text (quote it): the API server refuses this object");
  });

  it("never prints a Secret's values, only their types", () => {
    const secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {pin: 8675309, admin: yes}\ndata: {token: 31337}\n";
    const findings = manifestFamily.check({ ...emptySnapshot(), objects: objectsOf(secret) }, {});
    expect(findings.map((f) => f.message)).toEqual([
      "stringData.pin is a number where Kubernetes expects text (quote it): the API server refuses this object",
      "stringData.admin is a boolean (an unquoted yes, no, on, off, y, n, true or false) where Kubernetes expects text (quote it): the API server refuses this object",
      "data.token is a number where Kubernetes expects text (quote it): the API server refuses this object",
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/8675309|31337|boolean true/);
  });
});
