/**
 * `scan -k`: what a kustomize Component (kind: Component) contributes points into the
 * component's files, with the real kubectl: its patches (a file's, an inline one's), its
 * `images:` and `replicas:`, the resources and generators it adds; whether the overlay
 * rendered names the component or a layer below it does.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasKubectl } from "../support/kubectl.js";
import { CONTAINER, DEPLOYMENT, render, textAt, tree } from "./kustomize-support.js";

describe.skipIf(!hasKubectl)("scan -k: fields a component sets", () => {
  const root = tree({
    "base/kustomization.yaml": "resources: [deploy.yaml]\n",
    "base/deploy.yaml": DEPLOYMENT,
    "components/debug/kustomization.yaml": [
      "apiVersion: kustomize.config.k8s.io/v1alpha1",
      "kind: Component",
      "resources: [debug-service.yaml]",
      "patches:",
      "- path: privileged.yaml",
      "- target: {kind: Deployment}",
      "  patch: |-",
      "    - op: add",
      "      path: /spec/template/spec/hostNetwork",
      "      value: true",
      "images:",
      "- name: nginx",
      "  newName: registry.example/nginx",
      "  newTag: debug",
      "replicas:",
      "- name: web",
      "  count: 2",
      "configMapGenerator:",
      "- name: debug-settings",
      "  literals:",
      "  - level=trace",
      "",
    ].join("\n"),
    "components/debug/privileged.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        securityContext:\n          privileged: true\n",
    "components/debug/debug-service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: debug\nspec:\n  type: NodePort\n  selector:\n    app: web\n  ports:\n  - port: 80\n",
    // The component named by the overlay rendered...
    "debug/kustomization.yaml": "resources: [../base]\ncomponents: [../components/debug]\n",
    // ...and by a layer below it.
    "mid/kustomization.yaml": "resources: [../base]\ncomponents: [../components/debug]\nnamePrefix: mid-\n",
    "top/kustomization.yaml": "resources: [../mid]\nnamespace: top\n",
  });
  const component = join(root, "components/debug/kustomization.yaml");

  for (const overlay of ["debug", "top"]) {
    it(`points a field a component's patch sets at the patch, inside an inline one (${overlay})`, async () => {
      const deployment = (await render(join(root, overlay))).find("Deployment");
      expect(textAt(deployment, [...CONTAINER, "securityContext", "privileged"])).toEqual({ file: join(root, "components/debug/privileged.yaml"), text: "privileged: true" });
      expect(textAt(deployment, ["spec", "template", "spec", "hostNetwork"])).toEqual({ file: component, text: "op: add" });
      // A field the base sets, next to the patched one, stays in the base.
      expect(textAt(deployment, [...CONTAINER, "securityContext", "allowPrivilegeEscalation"])).toEqual({ file: join(root, "base/deploy.yaml"), text: "allowPrivilegeEscalation: false" });
    });

    it(`points an image and a replica count a component sets at its images and replicas entries (${overlay})`, async () => {
      const deployment = (await render(join(root, overlay))).find("Deployment");
      expect(deployment.object.spec).toMatchObject({ replicas: 2, template: { spec: { containers: [{ image: "registry.example/nginx:debug" }] } } });
      expect(textAt(deployment, [...CONTAINER, "image"])).toEqual({ file: component, text: "name: nginx" });
      expect(textAt(deployment, ["spec", "replicas"])).toEqual({ file: component, text: "count: 2" });
    });

    it(`points what a component adds at its files: a resource, a generated ConfigMap's literal (${overlay})`, async () => {
      const { find } = await render(join(root, overlay));
      const service = find("Service");
      expect(textAt(service, ["spec", "type"])).toEqual({ file: join(root, "components/debug/debug-service.yaml"), text: "type: NodePort" });
      expect(service.source.position).toMatchObject({ file: join(root, "components/debug/debug-service.yaml"), line: 1 });
      expect(textAt(find("ConfigMap"), ["data", "level"])).toEqual({ file: component, text: "level=trace" });
    });
  }
});
