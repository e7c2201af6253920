/**
 * `palisade fix` and `scan --fixes` add a pod-level seccompProfile for
 * seccompProfile_restricted; the API server refuses it beside a legacy seccomp annotation
 * that names another profile (validateSeccompAnnotationsAndFieldsMatch). The fix makes the
 * annotations agree, says so, and reports an override where it removes `unconfined`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fastJsonPatch from "fast-json-patch";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { registerFixCommand } from "../../src/cli/fix.js";
import { fixManifestText } from "../../src/fix/fix-text.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { refusalsOf } from "../../src/manifest/refused.js";
import { checkPodSecurity } from "../../src/podsecurity/family.js";
import { LATEST, parseVersion, type Level, type Version } from "../../src/podsecurity/levels.js";
import { snapshotOf } from "../support/snapshot.js";
import { runCli } from "./run-cli.js";

const restricted = { level: "restricted" as Level, version: LATEST };
const POD_KEY = "seccomp.security.alpha.kubernetes.io/pod";

/** QA's reproduction: a Deployment whose template says `unconfined` in the legacy annotation. */
const UNCONFINED_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: a}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata:
      labels: {a: b}
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: unconfined
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
      - {name: c, image: nginx, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`;

/** A Pod whose annotations name a localhost profile for the pod and `unconfined` for its container. */
const LOCALHOST_POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: a
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: localhost/profiles/audit.json
    container.seccomp.security.alpha.kubernetes.io/c: unconfined
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - {name: c, image: nginx, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`;

function objectsOf(text: string): K8sObject[] {
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
}

/** The written objects pass the level and the API server's validation. */
function expectAccepted(text: string): void {
  for (const object of objectsOf(text)) {
    expect(refusalsOf(object).map((r) => r.text)).toEqual([]);
    expect(checkPodSecurity(snapshotOf(object), { podSecurity: restricted }).map((f) => f.ruleId)).toEqual([]);
  }
}

function withAnnotation(value: string): string {
  return UNCONFINED_DEPLOYMENT.replace(`${POD_KEY}: unconfined`, `${POD_KEY}: ${value}`);
}

describe("palisade fix beside a legacy seccomp annotation", () => {
  it("removes a pod annotation `unconfined` as an override, so the API server accepts the RuntimeDefault field", () => {
    const r = fixManifestText(UNCONFINED_DEPLOYMENT, restricted);
    expect(r.text).not.toContain(POD_KEY);
    expect(r.text).toContain("seccompProfile: {type: RuntimeDefault}");
    expectAccepted(r.text);
    const changes = r.documents[0]?.plan.changes ?? [];
    expect(changes.map((c) => [c.description, c.overrides])).toEqual([
      ["pod: seccompProfile: RuntimeDefault", undefined],
      [`pod: remove annotation ${POD_KEY}: unconfined — the API server refuses it beside the seccompProfile the level needs`, { value: "unconfined" }],
    ]);
    expect(r.documents[0]?.plan.notFixed).toEqual([]);
  });

  it("carries a profile the level allows into the field, keeping the annotation: nothing is overridden", () => {
    for (const [value, field] of [
      ["runtime/default", "{type: RuntimeDefault}"],
      ["docker/default", "{type: RuntimeDefault}"],
      ["localhost/profiles/audit.json", "{type: Localhost, localhostProfile: profiles/audit.json}"],
    ] as const) {
      const r = fixManifestText(withAnnotation(value), restricted);
      expect(r.text, value).toContain(`${POD_KEY}: ${value}`);
      expect(r.text, value).toContain(`seccompProfile: ${field}`);
      expectAccepted(r.text);
      expect(r.documents[0]?.plan.changes.filter((c) => c.overrides), value).toEqual([]);
    }
  });

  it("a container's annotation that disagrees with the pod's new profile: `unconfined` removed (an override), a profile carried into the container's field", () => {
    const r = fixManifestText(LOCALHOST_POD, restricted);
    expect(r.text).toContain(`${POD_KEY}: localhost/profiles/audit.json`);
    expect(r.text).not.toContain("container.seccomp.security.alpha.kubernetes.io/c");
    expect(r.text).toContain("seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}");
    expectAccepted(r.text);
    expect(r.documents[0]?.plan.changes.filter((c) => c.overrides).map((c) => c.path)).toEqual([["metadata", "annotations", "container.seccomp.security.alpha.kubernetes.io/c"]]);

    const mixed = LOCALHOST_POD.replace(`${POD_KEY}: localhost/profiles/audit.json\n`, "").replace("/c: unconfined", "/c: localhost/c.json");
    const m = fixManifestText(mixed, restricted);
    expect(m.text).toContain("container.seccomp.security.alpha.kubernetes.io/c: localhost/c.json");
    expect(m.text).toContain("seccompProfile: {type: Localhost, localhostProfile: c.json}");
    expectAccepted(m.text);
    expect(m.documents[0]?.plan.changes.map((c) => c.description)).toContain("container c: seccompProfile: Localhost c.json, the profile its annotation container.seccomp.security.alpha.kubernetes.io/c names");
  });

  it("leaves the check to a person when no field can agree with the annotation", () => {
    for (const value of ['"foo"', "localhost//etc/p.json", "localhost/"]) {
      const text = withAnnotation(value);
      const r = fixManifestText(text, restricted);
      expect(r.text, value).not.toContain("seccompProfile");
      const notFixed = r.documents[0]?.plan.notFixed ?? [];
      expect(notFixed.map((n) => n.checkId), value).toEqual(["seccompProfile_restricted"]);
      expect(notFixed[0]?.why, value).toContain(`the annotation ${POD_KEY} is`);
    }
  });

  it("overrides no annotation for a pod the field cannot make pass (a container's own Unconfined profile)", () => {
    const text = UNCONFINED_DEPLOYMENT.replace("capabilities: {drop: [ALL]}}}", "capabilities: {drop: [ALL]}, seccompProfile: {type: Unconfined}}}");
    const r = fixManifestText(text, restricted);
    expect(r.text).toBe(text);
    expect(r.documents[0]?.plan.changes).toEqual([]);
    expect(r.documents[0]?.plan.notFixed.map((n) => [n.checkId, n.why])).toEqual([["seccompProfile_restricted", "an explicit Unconfined seccomp profile was chosen on purpose"]]);
  });

  it("does not report a fix whose annotation edit could not be written (a shared YAML anchor)", () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
    annotations: &ann
      seccomp.security.alpha.kubernetes.io/pod: unconfined
  spec:
    securityContext: {runAsNonRoot: true}
    containers:
    - {name: c, image: nginx, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c, annotations: *ann}
`;
    const r = fixManifestText(text, restricted);
    const notFixed = r.documents[0]?.plan.notFixed ?? [];
    expect(notFixed.map((n) => [n.checkId, n.reason])).toEqual([["seccompProfile_restricted", "not all of its edits could be written"]]);
    expect(notFixed[0]?.detail).toContain("YAML anchor &ann");
  });

  it("before v1.19 the annotation is what the level judges: an explicit unconfined is still left to a person", () => {
    const r = fixManifestText(UNCONFINED_DEPLOYMENT, { level: "restricted", version: parseVersion("v1.18") as Version });
    expect(r.text).toBe(UNCONFINED_DEPLOYMENT);
    expect(r.documents[0]?.plan.notFixed.map((n) => n.why)).toEqual(["an explicit Unconfined seccomp profile was chosen on purpose"]);
  });

  it("says OVERRODE on stderr for the removed annotation", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "palisade-fix-seccomp-")), "d.yaml");
    writeFileSync(file, UNCONFINED_DEPLOYMENT);
    const r = await runCli(registerFixCommand, ["fix", file]);
    expect(r.code).toBe(0);
    const at = `${file}:1: Deployment/a/d: `;
    expect(r.stderr.split("\n")).toEqual(
      expect.arrayContaining([
        `${at}fixed seccompProfile_restricted: pod: seccompProfile: RuntimeDefault (spec.template.spec.securityContext.seccompProfile)`,
        `${at}OVERRODE seccompProfile_restricted: pod: remove annotation ${POD_KEY}: unconfined — the API server refuses it beside the seccompProfile the level needs (spec.template.metadata.annotations["${POD_KEY}"]), which the manifest wrote`,
        `${at}now passes restricted:latest`,
      ]),
    );
  });
});

describe("scan --fixes beside a legacy seccomp annotation", () => {
  it("the patch removes `unconfined` (guarded by a test) and adds the field: applied, the object is accepted", () => {
    const [object] = objectsOf(UNCONFINED_DEPLOYMENT) as [K8sObject];
    const finding = checkPodSecurity(snapshotOf(object), { podSecurity: restricted, fixes: true }).find((f) => f.ruleId === "pss/seccompProfile_restricted");
    const pointer = "/spec/template/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod";
    expect(finding?.fix).toEqual([
      { op: "test", path: pointer, value: "unconfined" },
      { op: "add", path: "/spec/template/spec/securityContext/seccompProfile", value: { type: "RuntimeDefault" } },
      { op: "remove", path: pointer },
    ]);
    const patched = fastJsonPatch.applyPatch(structuredClone(object), finding?.fix ?? [], true, false).newDocument;
    expect(refusalsOf(patched)).toEqual([]);
    expect(checkPodSecurity(snapshotOf(patched), { podSecurity: restricted })).toEqual([]);
  });

  it("a localhost annotation's profile is the field's", () => {
    const [object] = objectsOf(withAnnotation("localhost/p.json")) as [K8sObject];
    const finding = checkPodSecurity(snapshotOf(object), { podSecurity: restricted, fixes: true }).find((f) => f.ruleId === "pss/seccompProfile_restricted");
    expect(finding?.fix).toEqual([{ op: "add", path: "/spec/template/spec/securityContext/seccompProfile", value: { type: "Localhost", localhostProfile: "p.json" } }]);
  });
});
