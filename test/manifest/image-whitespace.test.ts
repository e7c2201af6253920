/**
 * An image with leading or trailing whitespace: the API server refuses a Pod with one
 * (validateContainerOnlyForPod, from ValidatePodCreate and validateEphemeralContainers),
 * as Go's strings.TrimSpace reads whitespace; a workload's template is accepted, and the
 * pods its controller creates are refused instead, which the images family says.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { hasSurroundingGoSpace, isGoSpace } from "../../src/manifest/go-space.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { imagesFamily } from "../../src/supplychain/images/family.js";

async function judged(yaml: string) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
  expect(snapshot.problems).toEqual([]);
  const refusals = manifestFamily.check(snapshot, {}).filter((f) => f.ruleId === "manifest/fails-validation").map((f) => f.message.replace(/ \(the API server refuses the object: .*\)$/, ""));
  const images = imagesFamily.check(snapshot, {}).filter((f) => f.ruleId === "images/invalid-reference").map((f) => `${f.fieldPath}: ${f.message}`);
  return { refusals, images };
}

const D = `@sha256:${"ab".repeat(32)}`;
const pod = (image: string) => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: init, image: "busybox:1${D}"}]
  containers: [{name: a, image: "nginx:1${D}"}, {name: b, image: ${JSON.stringify(image)}}]
`;
const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: b, image: ${JSON.stringify(image)}}]
`;

describe("an image with leading or trailing whitespace", () => {
  it("in a Pod: refused by the API server in its words, and no kubelet pull problem", async () => {
    expect(await judged(pod("nginx:1.2 "))).toEqual({ refusals: ['spec.containers[1].image: Invalid value: "nginx:1.2 ": must not have leading or trailing whitespace'], images: [] });
    expect((await judged(pod("\tnginx:1.2"))).refusals).toEqual(['spec.containers[1].image: Invalid value: "\\tnginx:1.2": must not have leading or trailing whitespace']);
    expect(await judged(pod(`nginx:1.2${D}`))).toEqual({ refusals: [], images: [] });
  });

  it("in a template: accepted, and the images finding says the controller's pods are refused", async () => {
    const found = await judged(deployment(" nginx:1.2"));
    expect(found.refusals).toEqual([]);
    expect(found.images).toEqual([
      'spec.template.spec.containers[0].image: container "b": the image has leading or trailing whitespace, which the API server refuses in a Pod (must not have leading or trailing whitespace): the template is accepted, but every pod its controller creates is refused (FailedCreate), so none runs',
    ]);
  });

  it("is whitespace as Go's unicode.IsSpace reads it, not as JavaScript's trim", () => {
    expect(hasSurroundingGoSpace("nginx\u0085")).toBe(true);
    expect(hasSurroundingGoSpace("\ufeffnginx")).toBe(false);
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 8 }), (text) => {
        // Where the two agree (every code point but NEL and BOM), they give the same answer.
        if (/[\u0085\ufeff]/.test(text)) return;
        expect(hasSurroundingGoSpace(text)).toBe(text.length !== text.trim().length);
      }),
    );
    for (const c of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0xa0, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]) expect(isGoSpace(c), c.toString(16)).toBe(true);
    for (const c of [0x00, 0x1c, 0x200b, 0xfeff, 0x41]) expect(isGoSpace(c), c.toString(16)).toBe(false);
  });
});
