/**
 * kustomize's build annotations (src/k8s/kustomize-build-metadata.ts) are taken out of the
 * rendered text and off every object before anything judges it, and never printed; the text
 * left is what `kubectl kustomize DIR` prints, so a finding that stays in it (a field nothing
 * we read set, here a `vars` substitution) points at the line the user sees there.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stripBuildAnnotations } from "../../src/k8s/kustomize-build-metadata.js";
import { hasKubectl } from "../support/kubectl.js";
import { palisade } from "../support/cli-in-process.js";
import { CONTAINER, render, textAt, tree } from "./kustomize-support.js";

const ORIGIN = "config.kubernetes.io/origin";
const TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations";

describe("stripBuildAnnotations", () => {
  const rendered = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  annotations:",
    `    ${TRANSFORMATIONS}: |`,
    "      - configuredIn: ../prod/kustomization.yaml",
    "        configuredBy:",
    "          apiVersion: builtin",
    "          kind: NamespaceTransformer",
    `    ${ORIGIN}: |`,
    "      path: ../base/settings.yaml",
    "  name: settings",
    "---",
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    "  annotations:",
    "    a.example/first: one",
    `    ${ORIGIN}: |`,
    "      path: ../base/pod.yaml",
    "",
    "      # a blank line inside the block",
    "    z.example/last: two",
    "  name: pod",
    "spec:",
    "  template:",
    "    metadata:",
    "      annotations:",
    `        ${ORIGIN}: not kustomize's`,
    "",
  ].join("\n");

  it("takes the two annotations out of each document's text, and the annotations key when nothing else is under it", () => {
    const { text, byDocument } = stripBuildAnnotations(rendered);
    expect(text).toBe(
      ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: settings", "---", "apiVersion: v1", "kind: Pod", "metadata:", "  annotations:", "    a.example/first: one", "    z.example/last: two", "  name: pod", "spec:", "  template:", "    metadata:", "      annotations:", `        ${ORIGIN}: not kustomize's`, ""].join("\n"),
    );
    expect(byDocument[0]).toEqual({ [TRANSFORMATIONS]: expect.stringContaining("kind: NamespaceTransformer"), [ORIGIN]: "path: ../base/settings.yaml\n" });
    expect(byDocument[1]).toEqual({ [ORIGIN]: "path: ../base/pod.yaml\n\n# a blank line inside the block\n" });
  });

  it("leaves a document written otherwise as it is", () => {
    const other = `apiVersion: v1\nkind: Pod\nmetadata:\n  annotations: {"${ORIGIN}": "path: pod.yaml"}\n  name: pod\n`;
    expect(stripBuildAnnotations(other)).toEqual({ text: other, byDocument: [] });
  });
});

describe.skipIf(!hasKubectl)("scan -k: kustomize's build annotations", () => {
  const root = tree({
    "app/kustomization.yaml": [
      "resources: [deploy.yaml, service.yaml]",
      "namePrefix: prod-",
      "vars:",
      "- name: SVC",
      "  objref: {kind: Service, name: web, apiVersion: v1}",
      "  fieldref: {fieldpath: metadata.name}",
      "",
    ].join("\n"),
    "app/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n",
    "app/deploy.yaml": [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: web",
      "  annotations:",
      "    note: kept",
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      "      - name: app",
      "        image: nginx:1.25",
      '        args: ["--upstream=$(SVC)"]',
      "        securityContext:",
      "          privileged: true",
      "",
    ].join("\n"),
  });
  const app = join(root, "app");

  it("points a field nothing we read set at its line in what kubectl kustomize prints, where no build annotation is", async () => {
    const { objects, find } = await render(app);
    const deployment = find("Deployment");
    expect(textAt(deployment, [...CONTAINER, "args", 0])).toEqual({ file: `kustomize:${app}`, text: "--upstream=prod-web" });
    // What the base set is still found in the base.
    expect(textAt(deployment, [...CONTAINER, "securityContext", "privileged"])).toEqual({ file: join(app, "deploy.yaml"), text: "privileged: true" });
    // The objects keep their own annotations only, and no report prints kustomize's.
    expect(objects.map((loaded) => loaded.object.metadata?.annotations)).toEqual([undefined, { note: "kept" }]);
    const { stdout } = await palisade(["scan", "-k", app, "-o", "json"]);
    expect(stdout).toContain("privileged");
    expect(stdout).not.toMatch(/config\.kubernetes\.io|configuredIn|palisade-kustomize-/);
  });
});
