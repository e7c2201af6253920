/**
 * manifest/fails-validation, legacy seccomp annotations: pkg/apis/core/validation
 * ValidateSeccompPodAnnotations (each value) and validateSeccompAnnotationsAndFields (each
 * annotation against the seccompProfile field beside it), as ValidatePodCreate and
 * ValidatePodTemplateSpec run them.
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

const POD_KEY = "seccomp.security.alpha.kubernetes.io/pod";
const TYPE_MISMATCH = "Forbidden: seccomp type in annotation and field must match";
const PROFILE_MISMATCH = "Forbidden: seccomp profile in annotation and field must match";

/** A Pod with these annotations, this pod seccompProfile and this container seccompProfile (flow YAML, or none). */
const pod = (annotations: Record<string, string>, podProfile?: string, containerProfile?: string) => `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: ${JSON.stringify(annotations)}
spec:
  securityContext: {${podProfile ? `seccompProfile: ${podProfile}` : ""}}
  containers:
  - name: c
    image: nginx
    securityContext: {${containerProfile ? `seccompProfile: ${containerProfile}` : ""}}
`;

const template = (kind: string, annotations: string, podProfile: string) => `apiVersion: ${kind === "CronJob" ? "batch/v1" : "apps/v1"}
kind: ${kind}
metadata: {name: web}
spec:
${
  kind === "CronJob"
    ? `  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: ${annotations}
        spec:
          restartPolicy: OnFailure
          securityContext: {seccompProfile: ${podProfile}}
          containers: [{name: c, image: nginx}]`
    : `  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: ${annotations}
    spec:
      securityContext: {seccompProfile: ${podProfile}}
      containers: [{name: c, image: nginx}]`
}
`;

describe("a seccomp annotation against the field beside it", () => {
  it("the pod annotation must name the pod field's type (QA: unconfined beside RuntimeDefault)", async () => {
    expect(await texts(pod({ [POD_KEY]: "unconfined" }, "{type: RuntimeDefault}"))).toEqual([`spec.securityContext.seccompProfile.type: ${TYPE_MISMATCH}`]);
    expect(await texts(pod({ [POD_KEY]: "runtime/default" }, "{type: Unconfined}"))).toEqual([`spec.securityContext.seccompProfile.type: ${TYPE_MISMATCH}`]);
    expect(await texts(pod({ [POD_KEY]: "runtime/default" }, "{type: Localhost, localhostProfile: a.json}"))).toEqual([`spec.securityContext.seccompProfile.type: ${TYPE_MISMATCH}`]);
  });

  it("a localhost annotation must name the field's profile, which must be given", async () => {
    expect(await texts(pod({ [POD_KEY]: "localhost/a.json" }, "{type: Localhost, localhostProfile: b.json}"))).toEqual([`spec.securityContext.seccompProfile.localhostProfile: ${PROFILE_MISMATCH}`]);
    expect(await texts(pod({ [POD_KEY]: "localhost/a.json" }, "{type: Localhost}"))).toEqual([`spec.securityContext.seccompProfile.localhostProfile: ${PROFILE_MISMATCH}`]);
  });

  it("agreeing pairs pass: runtime/default or docker/default with RuntimeDefault, unconfined with Unconfined, the same localhost profile", async () => {
    for (const [value, field] of [
      ["runtime/default", "{type: RuntimeDefault}"],
      ["docker/default", "{type: RuntimeDefault}"],
      ["unconfined", "{type: Unconfined}"],
      ["localhost/a.json", "{type: Localhost, localhostProfile: a.json}"],
    ] as const) {
      expect(await texts(pod({ [POD_KEY]: value }, field)), value).toEqual([]);
    }
  });

  it("a container's annotation is held to that container's own field, never to the pod's", async () => {
    const key = "container.seccomp.security.alpha.kubernetes.io/c";
    expect(await texts(pod({ [key]: "unconfined" }, undefined, "{type: RuntimeDefault}"))).toEqual([`spec.containers[0].securityContext.seccompProfile.type: ${TYPE_MISMATCH}`]);
    expect(await texts(pod({ [key]: "unconfined" }, "{type: RuntimeDefault}"))).toEqual([]);
    expect(await texts(pod({ "container.seccomp.security.alpha.kubernetes.io/other": "unconfined" }, undefined, "{type: RuntimeDefault}"))).toEqual([]);
  });

  it("an annotation alone, or a field alone, is no mismatch", async () => {
    expect(await texts(pod({ [POD_KEY]: "unconfined" }))).toEqual([]);
    expect(await texts(pod({}, "{type: RuntimeDefault}"))).toEqual([]);
  });

  it("in a Deployment's or a CronJob's template, at the field's line; a StatefulSet's template is not compared", async () => {
    const [found] = await refusals(template("Deployment", `{${POD_KEY}: unconfined}`, "{type: RuntimeDefault}"));
    expect(found?.message).toMatch(new RegExp(`^spec\\.template\\.spec\\.securityContext\\.seccompProfile\\.type: ${TYPE_MISMATCH}`));
    expect(found?.fieldPath).toBe("spec.template.spec.securityContext.seccompProfile.type");
    expect(found?.position?.line).toBe(11);
    expect(await texts(template("CronJob", `{${POD_KEY}: unconfined}`, "{type: RuntimeDefault}"))).toEqual([`spec.jobTemplate.spec.template.spec.securityContext.seccompProfile.type: ${TYPE_MISMATCH}`]);
    expect(await texts(template("StatefulSet", `{${POD_KEY}: unconfined}`, "{type: RuntimeDefault}"))).toEqual([]);
  });
});

describe("a seccomp annotation's value", () => {
  it("must be runtime/default, docker/default, unconfined or localhost/ and a relative path without '..'", async () => {
    expect(
      await texts(
        pod({
          [POD_KEY]: "RuntimeDefault",
          "container.seccomp.security.alpha.kubernetes.io/a": "localhost//etc/p.json",
          "container.seccomp.security.alpha.kubernetes.io/b": "localhost/../p.json",
          "container.seccomp.security.alpha.kubernetes.io/c": "localhost/profiles/p.json",
        }),
      ),
    ).toEqual([
      `metadata.annotations.${POD_KEY}: Invalid value: "RuntimeDefault": must be a valid seccomp profile`,
      'metadata.annotations.container.seccomp.security.alpha.kubernetes.io/a: Invalid value: "/etc/p.json": must be a relative path',
      `metadata.annotations.container.seccomp.security.alpha.kubernetes.io/b: Invalid value: "../p.json": must not contain '..'`,
    ]);
  });

  it("an annotation with no value is the empty string, which is refused, in a StatefulSet's template too", async () => {
    const [found] = await refusals(template("StatefulSet", `{${POD_KEY}: null}`, "{type: RuntimeDefault}"));
    expect(found?.message).toMatch(new RegExp(`^spec\\.template\\.annotations\\.${POD_KEY.replace(/\./g, "\\.")}: Invalid value: "": must be a valid seccomp profile`));
    expect(found?.fieldPath).toBe(`spec.template.metadata.annotations["${POD_KEY}"]`);
  });
});
