/**
 * manifest/fails-validation, metadata: apimachinery's ValidateObjectMetaAccessor (the name,
 * by each kind's name function), ValidateLabels, ValidateAnnotations, and
 * ValidatePodTemplateSpec's checks of a template's labels under `<template>.labels`.
 */
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { manifestFamily } from "../../src/manifest/family.js";

async function refusals(yaml: string) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
  expect(snapshot.problems).toEqual([]);
  return manifestFamily.check(snapshot, {}).filter((f) => f.ruleId === "manifest/fails-validation");
}

const texts = async (yaml: string) => (await refusals(yaml)).map((f) => f.message.replace(/ \(the API server refuses the object: .*\)$/, ""));

const object = (apiVersion: string, kind: string, metadata: string) => `apiVersion: ${apiVersion}
kind: ${kind}
metadata:
${metadata}
`;

const SUBDOMAIN_FORMAT = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe("object names", () => {
  it("a name is required, unless generateName stands in for it", async () => {
    const found = await refusals(object("v1", "ConfigMap", "  labels: {app: web}"));
    expect(found.map((f) => [f.fieldPath, f.message.split(" (the API")[0], f.position?.line])).toEqual([["metadata.name", "metadata.name: Required value: name or generateName is required", 3]]);
    expect(await texts(object("v1", "Pod", "  generateName: job-\nspec: {containers: [{name: a, image: a}]}"))).toEqual([]);
  });

  it("most kinds want a DNS-1123 subdomain", async () => {
    expect(await texts(object("v1", "ConfigMap", "  name: App_Config"))).toEqual([`metadata.name: Invalid value: "App_Config": ${SUBDOMAIN_FORMAT}`]);
    expect(await texts(object("v1", "ConfigMap", "  name: app.config"))).toEqual([]);
  });

  it("a Service wants a DNS-1035 label (starting with a letter), a Namespace and a StatefulSet a DNS-1123 label (no dots)", async () => {
    expect(await texts(object("v1", "Service", "  name: 1web\nspec: {ports: [{port: 80}]}"))).toEqual([
      `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]);
    expect(await texts(object("v1", "Namespace", "  name: team.a"))).toEqual([expect.stringMatching(/^metadata\.name: Invalid value: "team\.a": a lowercase RFC 1123 label must consist/)]);
    expect(await texts(object("v1", "ConfigMap", "  name: team.a"))).toEqual([]);
  });

  it("a CronJob's name is at most 52 characters, the Jobs it makes having an 11-character suffix", async () => {
    const cron = (name: string) => `apiVersion: batch/v1
kind: CronJob
metadata: {name: ${name}}
spec:
  schedule: "0 0 * * *"
  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}}}
`;
    expect(await texts(cron("a".repeat(53)))).toEqual([`metadata.name: Invalid value: "${"a".repeat(53)}": must be no more than 52 characters`]);
    expect(await texts(cron("a".repeat(52)))).toEqual([]);
  });

  it("kinds whose name function is not that of a DNS name (RBAC's path segments) are not judged", async () => {
    expect(await texts(object("rbac.authorization.k8s.io/v1", "ClusterRole", "  name: system:controller:Web"))).toEqual([]);
  });
});

describe("labels and annotations", () => {
  it("label keys are qualified names and values at most 63 characters of the same form, reported at the label", async () => {
    const found = await refusals(object("v1", "ConfigMap", `  name: c\n  labels:\n    a/b/c: x\n    Example.com/team: x\n    bad key: x\n    ok: ${"v".repeat(64)}`));
    expect(found.map((f) => [f.fieldPath, f.message.split(" (the API")[0], f.position?.line])).toEqual([
      [
        'metadata.labels["a/b/c"]',
        `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
        6,
      ],
      ['metadata.labels["Example.com/team"]', `metadata.labels: Invalid value: "Example.com/team": prefix part ${SUBDOMAIN_FORMAT}`, 7],
      ['metadata.labels["bad key"]', `metadata.labels: Invalid value: "bad key": ${NAME_PART}`, 8],
      ["metadata.labels.ok", `metadata.labels: Invalid value: "${"v".repeat(64)}": must be no more than 63 characters`, 9],
    ]);
  });

  it("an annotation key's case does not matter (upstream lowers it), its form does", async () => {
    expect(await texts(object("v1", "ConfigMap", "  name: c\n  annotations:\n    Example.com/Owner: x\n    /owner: x"))).toEqual([
      'metadata.annotations: Invalid value: "/owner": prefix part must be non-empty',
    ]);
  });

  it("annotations are at most 256 KiB together, counted in bytes of keys and values", async () => {
    const big = (n: number) => object("v1", "ConfigMap", `  name: c\n  annotations:\n    a: "${"é".repeat(n)}"`);
    // "é" is two bytes: 131072 of them and the key's byte pass the limit by one.
    expect(await texts(big(131072))).toEqual(["metadata.annotations: Too long: may not be more than 262144 bytes"]);
    expect(await texts(big(131071))).toEqual([]);
  });

  it("a pod template's labels are reported under upstream's `spec.template.labels`, at the label as written", async () => {
    const yaml = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db, version: "1.0+build"}
    spec:
      containers: [{name: db, image: postgres}]
`;
    const found = await refusals(yaml);
    expect(found.map((f) => [f.fieldPath, f.message.split(": a valid label")[0], f.position?.line])).toEqual([["spec.template.metadata.labels.version", 'spec.template.labels: Invalid value: "1.0+build"', 8]]);
  });

  it("a label value of another type is the decoder's refusal (manifest/string-expected), not judged again", async () => {
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: object("v1", "ConfigMap", "  name: c\n  labels: {enabled: true}") });
    const rules = manifestFamily.check(snapshot, {}).map((f) => f.ruleId);
    expect(rules).toEqual(["manifest/string-expected"]);
  });

  it("objects of kinds the API does not build in (custom resources) are not judged", async () => {
    expect(await texts(object("example.com/v1", "Widget", "  name: Bad_Name\n  labels: {bad key: x}"))).toEqual([]);
  });
});
