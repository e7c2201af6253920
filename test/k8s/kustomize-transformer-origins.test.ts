/**
 * `scan -k`: a field a transformer other than a patch set points at the kustomization line
 * that sets it (src/k8s/kustomize-transformer-origins.ts), with the real kubectl:
 * `namespace:`, `namePrefix`/`nameSuffix`, a `replicas:` entry, `commonLabels` and `labels`,
 * `commonAnnotations`, `images:`, `transformers:` configurations (a file's, an inline one's),
 * `replacements`, and a generator's options; a field the transformers that ran did not set
 * stays in the base.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasKubectl } from "../support/kubectl.js";
import { CONTAINER, DEPLOYMENT, render, textAt, tree } from "./kustomize-support.js";

const APPARMOR = "container.apparmor.security.beta.kubernetes.io/app";

describe.skipIf(!hasKubectl)("scan -k: fields set by a kustomization's transformers", () => {
  const root = tree({
    "base/kustomization.yaml": [
      "resources: [deploy.yaml, worker.yaml]",
      "configMapGenerator:",
      "- name: settings",
      "  literals:",
      "  - user=admin",
      "  options:",
      "    labels:",
      "      purpose: settings",
      "secretGenerator:",
      "- name: creds",
      "  envs: [creds.env]",
      "  type: kubernetes.io/basic-auth",
      "generatorOptions:",
      "  annotations:",
      "    owner: team-a",
      "  immutable: true",
      "",
    ].join("\n"),
    "base/deploy.yaml": DEPLOYMENT,
    "base/worker.yaml": DEPLOYMENT.replace(/\bweb\b/g, "worker"),
    "base/creds.env": "username=admin\npassword=hunter2hunter2\n",
    "prod/kustomization.yaml": [
      "resources: [../base]",
      "namespace: shop",
      "namePrefix: prod-",
      "nameSuffix: -v2",
      "replicas:",
      "- name: worker",
      "  count: 5",
      "- name: web",
      "  count: 3",
      "commonLabels:",
      "  team: payments",
      "labels:",
      "- pairs:",
      "    tier: frontend",
      "    app: web",
      "commonAnnotations:",
      `  ${APPARMOR}: unconfined`,
      "patches:",
      "- path: image.yaml",
      "images:",
      "- name: nginx",
      '  newTag: "1.27"',
      "configMapGenerator:",
      "- name: settings",
      "  behavior: merge",
      "  literals:",
      "  - password=hunter2",
      "",
    ].join("\n"),
    // A patch sets the image, and the images entry, which runs after it, retags it.
    "prod/image.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.26\n",
    "custom/kustomization.yaml": [
      "resources: [../base]",
      "transformers:",
      "- config/namespace.yaml",
      "- |-",
      "  apiVersion: builtin",
      "  kind: LabelTransformer",
      "  metadata:",
      "    name: team-label",
      "  labels:",
      "    team: platform",
      "  fieldSpecs:",
      "  - path: metadata/labels",
      "    create: true",
      "- config/replicas.yaml",
      "replacements:",
      "- source: {kind: ConfigMap, name: settings, fieldPath: data.user}",
      "  targets:",
      "  - select: {kind: Deployment}",
      "    fieldPaths:",
      "    - spec.template.spec.containers.[name=app].image",
      "",
    ].join("\n"),
    "custom/config/namespace.yaml": "apiVersion: builtin\nkind: NamespaceTransformer\nmetadata:\n  name: tenant\n  namespace: tenant-a\n",
    "custom/config/replicas.yaml": "apiVersion: builtin\nkind: ReplicaCountTransformer\nmetadata:\n  name: scale\nreplica:\n  name: web\n  count: 4\nfieldSpecs:\n- path: spec/replicas\n  create: true\n  kind: Deployment\n",
  });
  const prod = join(root, "prod/kustomization.yaml");

  it("points the namespace at `namespace:`, the name at the name suffix, and replicas at the count of the entry for its name", async () => {
    const { find } = await render(join(root, "prod"));
    const deployment = find("Deployment", "web-v2");
    expect(textAt(deployment, ["metadata", "namespace"])).toEqual({ file: prod, text: "namespace: shop" });
    expect(textAt(find("ConfigMap"), ["metadata", "namespace"])).toEqual({ file: prod, text: "namespace: shop" });
    expect(deployment.object.metadata?.name).toBe("prod-web-v2");
    expect(textAt(deployment, ["metadata", "name"])).toEqual({ file: prod, text: "nameSuffix: -v2" });
    expect(textAt(deployment, ["spec", "replicas"])).toEqual({ file: prod, text: "count: 3" });
  });

  it("points labels at commonLabels wherever kustomize wrote them, at labels in metadata only, and a label the base set elsewhere at the base", async () => {
    const deployment = (await render(join(root, "prod"))).find("Deployment", "web-v2");
    for (const labels of [["metadata", "labels"], ["spec", "selector", "matchLabels"], ["spec", "template", "metadata", "labels"]]) {
      expect(textAt(deployment, [...labels, "team"])).toEqual({ file: prod, text: "team: payments" });
    }
    expect(textAt(deployment, ["metadata", "labels", "tier"])).toEqual({ file: prod, text: "tier: frontend" });
    // `labels` leaves selectors and templates alone unless it says otherwise: their app label is the base's.
    expect(textAt(deployment, ["metadata", "labels", "app"])).toEqual({ file: prod, text: "app: web" });
    expect(textAt(deployment, ["spec", "selector", "matchLabels", "app"])).toEqual({ file: join(root, "base/deploy.yaml"), text: "app: web" });
    expect(textAt(deployment, ["spec", "template", "metadata", "labels", "app"])).toEqual({ file: join(root, "base/deploy.yaml"), text: "app: web" });
  });

  it("points annotations at commonAnnotations, and a map of them the base lacks at the field that made it", async () => {
    const deployment = (await render(join(root, "prod"))).find("Deployment", "web-v2");
    expect(textAt(deployment, ["spec", "template", "metadata", "annotations", APPARMOR])).toEqual({ file: prod, text: `${APPARMOR}: unconfined` });
    expect(textAt(deployment, ["spec", "template", "metadata", "annotations"])).toEqual({ file: prod, text: "commonAnnotations:" });
  });

  it("points an image at the images entry that leaves it, after a patch set it, and a field no transformer set at the base", async () => {
    const deployment = (await render(join(root, "prod"))).find("Deployment", "web-v2");
    expect(deployment.object.spec).toMatchObject({ template: { spec: { containers: [{ image: "nginx:1.27" }] } } });
    expect(textAt(deployment, [...CONTAINER, "image"])).toEqual({ file: prod, text: "name: nginx" });
    expect(textAt(deployment, [...CONTAINER, "securityContext", "allowPrivilegeEscalation"])).toEqual({ file: join(root, "base/deploy.yaml"), text: "allowPrivilegeEscalation: false" });
  });

  it("points generated data at the overlay that merged it in, and labels, annotations, immutable and type at the generator's options", async () => {
    const { find } = await render(join(root, "prod"));
    const configMap = find("ConfigMap");
    const base = join(root, "base/kustomization.yaml");
    expect(textAt(configMap, ["data", "password"])).toEqual({ file: prod, text: "password=hunter2" });
    expect(textAt(configMap, ["data", "user"])).toEqual({ file: base, text: "user=admin" });
    expect(textAt(configMap, ["metadata", "labels", "purpose"])).toEqual({ file: base, text: "purpose: settings" });
    expect(textAt(configMap, ["metadata", "annotations", "owner"])).toEqual({ file: base, text: "owner: team-a" });
    expect(textAt(configMap, ["immutable"])).toEqual({ file: base, text: "immutable: true" });
    const secret = find("Secret");
    expect(textAt(secret, ["type"])).toEqual({ file: base, text: "type: kubernetes.io/basic-auth" });
    expect(textAt(secret, ["data", "password"])).toEqual({ file: join(root, "base/creds.env"), text: "password=hunter2hunter2" });
  });

  it("points fields a transformers: configuration sets at it, in its file or inside its inline entry, and replaced fields at the replacement's field path", async () => {
    const deployment = (await render(join(root, "custom"))).find("Deployment", "web");
    const custom = join(root, "custom/kustomization.yaml");
    expect(textAt(deployment, ["metadata", "namespace"])).toEqual({ file: join(root, "custom/config/namespace.yaml"), text: "namespace: tenant-a" });
    expect(textAt(deployment, ["spec", "replicas"])).toEqual({ file: join(root, "custom/config/replicas.yaml"), text: "count: 4" });
    expect(textAt(deployment, ["metadata", "labels", "team"])).toEqual({ file: custom, text: "team: platform" });
    expect(deployment.object.spec).toMatchObject({ template: { spec: { containers: [{ image: "admin" }] } } });
    expect(textAt(deployment, [...CONTAINER, "image"])).toEqual({ file: custom, text: "spec.template.spec.containers.[name=app].image" });
  });
});
