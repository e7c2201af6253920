/**
 * `scan -k`: overlays on overlays, with the real kubectl. A field points at the layer that
 * set it last: a patch in a middle layer, a middle layer's `images:`, the top's `namespace:`
 * over the middle's; and a base rendered twice, through two layers, points each copy at the
 * layer that changed it, never at the other's.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasKubectl } from "../support/kubectl.js";
import { CONTAINER, DEPLOYMENT, render, textAt, tree } from "./kustomize-support.js";

describe.skipIf(!hasKubectl)("scan -k: nested overlays and a base rendered twice", () => {
  const root = tree({
    "base/kustomization.yaml": "resources: [deploy.yaml]\n",
    "base/deploy.yaml": DEPLOYMENT,
    "mid/kustomization.yaml": [
      "resources: [../base]",
      "namePrefix: mid-",
      "namespace: mid",
      "patches:",
      "- path: privileged.yaml",
      "images:",
      "- name: nginx",
      '  newTag: "1.26"',
      "",
    ].join("\n"),
    "mid/privileged.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        securityContext:\n          privileged: true\n",
    "other/kustomization.yaml": [
      "resources: [../base]",
      "nameSuffix: -other",
      "patches:",
      "- target: {kind: Deployment}",
      "  patch: |",
      "    - op: add",
      "      path: /spec/template/spec/hostIPC",
      "      value: true",
      "- target: {kind: Deployment}",
      "  path: share-pids.yaml",
      "",
    ].join("\n"),
    "other/share-pids.yaml": "- op: add\n  path: /spec/template/spec/shareProcessNamespace\n  value: true\n",
    "top/kustomization.yaml": "resources:\n- ../mid\n- ../other\nnamespace: top\n",
  });
  const load = async () => {
    const { find } = await render(join(root, "top"));
    return { mid: find("Deployment", "mid-web"), other: find("Deployment", "web-other") };
  };

  it("points a field a middle layer's patch sets at that patch, and the namespace at the top's, which overrides the middle's", async () => {
    const { mid } = await load();
    expect(textAt(mid, [...CONTAINER, "securityContext", "privileged"])).toEqual({ file: join(root, "mid/privileged.yaml"), text: "privileged: true" });
    expect(textAt(mid, ["metadata", "namespace"])).toEqual({ file: join(root, "top/kustomization.yaml"), text: "namespace: top" });
    expect(textAt(mid, ["metadata", "name"])).toEqual({ file: join(root, "mid/kustomization.yaml"), text: "namePrefix: mid-" });
    // The object, and the container the patch adds to, are where the base writes them.
    expect(textAt(mid, [])).toEqual({ file: join(root, "base/deploy.yaml"), text: "apiVersion: apps/v1" });
    expect(textAt(mid, CONTAINER)).toEqual({ file: join(root, "base/deploy.yaml"), text: "name: app" });
  });

  it("points each copy of a base rendered twice at the layer that changed it", async () => {
    const { mid, other } = await load();
    expect(textAt(mid, [...CONTAINER, "image"])).toEqual({ file: join(root, "mid/kustomization.yaml"), text: "name: nginx" });
    expect(textAt(other, [...CONTAINER, "image"])).toEqual({ file: join(root, "base/deploy.yaml"), text: "image: nginx:1.25" });
    expect(textAt(other, ["spec", "template", "spec", "hostIPC"])).toEqual({ file: join(root, "other/kustomization.yaml"), text: "op: add" });
    // A JSON patch in a file of its own: its operation there.
    expect(textAt(other, ["spec", "template", "spec", "shareProcessNamespace"])).toEqual({ file: join(root, "other/share-pids.yaml"), text: "op: add" });
    expect(textAt(other, ["metadata", "name"])).toEqual({ file: join(root, "other/kustomization.yaml"), text: "nameSuffix: -other" });
    // The middle layer's patch is not the other copy's: a field it lacks is added in the base.
    expect(textAt(other, [...CONTAINER, "securityContext", "privileged"])).toEqual({ file: join(root, "base/deploy.yaml"), text: "securityContext:" });
    expect(other.object.metadata?.namespace).toBe("top");
    expect(textAt(other, ["metadata", "namespace"])).toEqual({ file: join(root, "top/kustomization.yaml"), text: "namespace: top" });
  });
});
