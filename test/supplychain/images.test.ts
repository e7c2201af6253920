import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateAdmission } from "../../src/admission/pipeline.js";
import { EMPTY_CLUSTER } from "../../src/admission/policy.js";
import { imagesPolicy } from "../../src/admission/policies/images.js";
import type { ImagePolicyOptions } from "../../src/supplychain/images/check.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { hasSurroundingGoSpace } from "../../src/manifest/go-space.js";
import type { K8sObject, LoadedObject } from "../../src/k8s/types.js";
import { checkImages, type ImageAdmission } from "../../src/supplychain/images/check.js";
import { imagesFamily } from "../../src/supplychain/images/family.js";
import { pod, review } from "../admission/fixtures.js";

const D = "sha256:" + "ab".repeat(32);

function loadOne(yaml: string): LoadedObject {
  const parsed = parseYamlFile("w.yaml", yaml);
  expect(parsed.problems).toEqual([]);
  return parsed.objects[0] as LoadedObject;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      initContainers:
      - name: migrate
        image: ghcr.io/acme/migrate:2.1
      containers:
      - name: implied
        image: nginx
      - name: latest
        image: nginx:latest
      - name: pinned
        image: nginx:1.27@${D}
      - name: digest-only
        image: ghcr.io/acme/api@${D}
      - name: broken
        image: ghcr.io/Acme/api:1.0
      - name: no-image
      ephemeralContainers:
      - name: debug
        image: busybox
`;

describe("images family", () => {
  it("reports latest (named or implied), tags without digests as info, and references the kubelet refuses, at the image field", () => {
    const findings = checkImages(loadOne(DEPLOYMENT), undefined, new Map());
    expect(findings.map((f) => [f.ruleId, f.properties?.container, f.fieldPath, f.position?.line])).toEqual([
      ["images/not-pinned", "migrate", "spec.template.spec.initContainers[0].image", 9],
      ["images/latest", "implied", "spec.template.spec.containers[0].image", 12],
      ["images/latest", "latest", "spec.template.spec.containers[1].image", 14],
      ["images/invalid-reference", "broken", "spec.template.spec.containers[4].image", 20],
      ["images/latest", "debug", "spec.template.spec.ephemeralContainers[0].image", 24],
    ]);
    expect(findings[1]?.message).toBe('container "implied": image "nginx" has neither tag nor digest, which means latest: each pod runs whatever docker.io/library/nginx:latest is when its node pulls it');
    expect(findings[0]?.severity).toBe("info");
    expect(findings[0]?.message).toContain('init container "migrate"');
    expect(findings[4]?.message).toContain('ephemeral container "debug"');
    expect(findings.every((f) => f.note === undefined)).toBe(true);
  });

  it("never repeats the text of an image field that is not a reference (it may hold anything)", () => {
    const yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: deploy:Hunter2Hunter2@registry.example.com/app\n";
    const [finding] = checkImages(loadOne(yaml), undefined, new Map());
    expect(finding?.ruleId).toBe("images/invalid-reference");
    expect(finding?.message).toBe('container "c": the image is not a reference the kubelet can pull, as its digest is malformed; its pods would wait in InvalidImageName');
    expect(JSON.stringify(finding)).not.toContain("Hunter2");
  });

  it("with the webhook's images policy: registries, required digests and its verdict in the note", () => {
    const admission: ImageAdmission = { allowedRegistries: ["ghcr.io/acme"], requireDigest: true, forbidLatest: true, mode: "enforce", file: "admission.yaml" };
    const findings = checkImages(loadOne(DEPLOYMENT), admission, new Map());
    const byContainer = (name: string) => findings.filter((f) => f.properties?.container === name).map((f) => f.ruleId);
    expect(byContainer("migrate")).toEqual(["images/digest"]);
    expect(byContainer("implied")).toEqual(["images/registry", "images/latest", "images/digest"]);
    expect(byContainer("pinned")).toEqual(["images/registry"]);
    expect(byContainer("digest-only")).toEqual([]);
    expect(findings.find((f) => f.ruleId === "images/registry")?.note).toBe("the admission webhook (admission.yaml) would reject it");
    const warned = checkImages(loadOne(DEPLOYMENT), { ...admission, mode: "warn", forbidLatest: false }, new Map());
    expect(warned.find((f) => f.ruleId === "images/registry")?.note).toBe("the admission webhook (admission.yaml, images policy in warn mode) would report it");
    expect(warned.find((f) => f.ruleId === "images/latest")?.note).toBeUndefined();
  });

  it("streams exactly what its check finds", () => {
    const loaded = [loadOne(DEPLOYMENT), loadOne("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx}\n")];
    const stream = imagesFamily.stream!({}, { namespaces: new Map(), objectsAhead: () => [], mentions: () => true });
    for (const l of loaded) stream.observe(l);
    expect(stream.finish()).toEqual(imagesFamily.check({ objects: loaded } as never, {}));
  });

  it("property: the scan reports an images rule for a container exactly when the webhook's images policy denies it for that rule", () => {
    const image = fc.oneof(
      fc.tuple(fc.constantFrom("", "ghcr.io/", "ghcr.io/acme/", "registry.example.com:5000/", "Upper/", "localhost/"), fc.constantFrom("app", "team/app", "App", "a..b"), fc.constantFrom("", ":latest", ":1.2", ":-x", `@${D}`, `:v1@${D}`, "@sha256:abc", "@md5:" + "a".repeat(32))).map((parts) => parts.join("")),
      fc.string({ maxLength: 20 }),
      fc.constantFrom("${REGISTRY}/app:${TAG}", "{{ .Values.image }}", "ko://github.com/acme/app"),
    );
    const options = fc.record({ allowedRegistries: fc.subarray(["ghcr.io/acme", "docker.io/library", "registry.example.com:5000"]), requireDigest: fc.boolean(), forbidLatest: fc.boolean() });
    fc.assert(
      fc.property(fc.array(image, { minLength: 1, maxLength: 4 }), options, (images, policy: ImagePolicyOptions) => {
        const containers = images.map((text, i) => ({ name: `c${i}`, image: text }));
        const object: K8sObject = pod("p", "shop", { containers });
        const verdict = imagesPolicy(policy, "enforce").validate({ request: review(object), cluster: EMPTY_CLUSTER, excepted: () => false });
        const denied = verdict.deny.map((v) => `images/${v.rule}|${String(v.container)}`).sort();
        // The same as the whole pipeline's records, which name no container.
        expect(validateAdmission(review(object), { policies: [imagesPolicy(policy, "enforce")], now: new Date(0) }).records.map((r) => `images/${r.rule}`).sort()).toEqual(denied.map((d) => d.split("|")[0]));
        const yaml = `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n${containers.map((c) => `  - name: ${c.name}\n    image: ${JSON.stringify(c.image)}\n`).join("")}`;
        const findings = checkImages(loadOne(yaml), { ...policy, mode: "enforce", file: "a.yaml" }, new Map());
        // The scan's own rules (latest without forbidLatest, not-pinned) say more than the webhook enforces; its notes say which the webhook rejects.
        const rejected = findings.filter((f) => f.note !== undefined).map((f) => `${f.ruleId}|${String(f.properties?.container)}`).sort();
        // An empty image, or a Pod's image with surrounding whitespace, is the API server's to refuse (manifest/fails-validation), and a
        // template (${X}, {{ }}, ko://) a tool's to fill in: the webhook sees them, the scan's images rules leave them.
        const unjudged = (image: string) => image === "" || hasSurroundingGoSpace(image) || image.includes("${") || image.includes("{{") || image.startsWith("ko://");
        expect(rejected).toEqual(denied.filter((d) => !containers.some((c) => unjudged(c.image) && d.endsWith(`|${c.name}`))));
      }),
    );
  });
});
