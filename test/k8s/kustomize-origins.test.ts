/**
 * `scan -k DIR` points findings at the files the user edits (src/k8s/kustomize-origins.ts),
 * with the real kubectl: the base's own field, the patch that sets a field, an inline patch's
 * entry, the `images` entry that changed a tag, a generator's literal; the rendered text
 * when kustomize cannot say.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import type { FieldPath, LoadedObject } from "../../src/k8s/types.js";
import { hasKubectl } from "../support/kubectl.js";


function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "palisade-origins-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, ".."), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

/** The text a position points at, from its column to the end of its line. */
function textAt(loaded: LoadedObject | undefined, path: FieldPath): { file: string; text: string } {
  const at = loaded?.source.locate(path);
  if (!at) throw new Error("no object");
  const line = readFileSync(at.file.startsWith("kustomize:") ? "/dev/null" : at.file, "utf8").split("\n")[at.line - 1] ?? "";
  return { file: at.file, text: line.slice(at.column - 1) };
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: sidecar
        image: busybox:1.36
      - name: app
        image: nginx:1.25
        securityContext:
          privileged: true
`;

describe.skipIf(!hasKubectl)("scan -k: findings in the files kustomize read", () => {
  const root = tree({
    "base/kustomization.yaml": "resources: [deploy.yaml]\n",
    "base/deploy.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n---\n${DEPLOYMENT}`,
    "prod/kustomization.yaml": [
      "resources: [../base]",
      "namePrefix: prod-",
      "namespace: shop",
      "images:",
      "- name: nginx",
      '  newTag: "1.27"',
      "patches:",
      "- path: host-network.yaml",
      "- target: {kind: Deployment}",
      "  patch: |",
      "    - op: add",
      "      path: /spec/template/spec/hostPID",
      "      value: true",
      "- patch: |-",
      "    apiVersion: apps/v1",
      "    kind: Deployment",
      "    metadata: {name: web}",
      "    spec:",
      "      template:",
      "        spec:",
      "          # the debug sidecar needs the host's IPC",
      "          hostIPC: true",
      // Double-quoted text is not the file's lines: pointed at as a whole.
      '- patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {template: {spec: {shareProcessNamespace: true}}}}"',
      "secretGenerator:",
      "- name: creds",
      "  literals:",
      "  - user=admin",
      "  - password=hunter2hunter2",
      "",
    ].join("\n"),
    // A strategic merge patch of the base's second container: kustomize renders it first.
    "prod/host-network.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n      - name: app\n        securityContext:\n          runAsUser: 0\n",
  });
  const overlay = join(root, "prod");
  const load = async () => {
    const snapshot = await loadSnapshot({ paths: [], kustomizeDirs: [overlay] });
    expect(snapshot.problems).toEqual([]);
    const find = (kind: string) => snapshot.objects.find((loaded) => loaded.object.kind === kind);
    return { deployment: find("Deployment"), secret: find("Secret"), configMap: find("ConfigMap") };
  };
  // The rendered order: the patched container first, the sidecar second.
  const container = ["spec", "template", "spec", "containers", 0];
  const sidecar = ["spec", "template", "spec", "containers", 1];

  it("points a field the base sets at the base, and the object at its document there", async () => {
    const { deployment, configMap } = await load();
    expect(deployment?.object.metadata?.name).toBe("prod-web");
    expect(textAt(deployment, [...container, "securityContext", "privileged"])).toEqual({ file: join(root, "base/deploy.yaml"), text: "privileged: true" });
    expect(deployment?.source.position).toMatchObject({ file: join(root, "base/deploy.yaml"), line: 8 });
    expect(configMap?.source.position).toMatchObject({ file: join(root, "base/deploy.yaml"), line: 1 });
  });

  it("points a field a patch file sets at the patch, its containers matched by name", async () => {
    const { deployment } = await load();
    expect(textAt(deployment, ["spec", "template", "spec", "hostNetwork"])).toEqual({ file: join(root, "prod/host-network.yaml"), text: "hostNetwork: true" });
    expect(textAt(deployment, [...container, "securityContext", "runAsUser"])).toEqual({ file: join(root, "prod/host-network.yaml"), text: "runAsUser: 0" });
  });

  it("points a field an inline patch sets at its line inside the kustomization, or at the patch's entry when the patch is not a literal block", async () => {
    const { deployment } = await load();
    const prod = join(root, "prod/kustomization.yaml");
    expect(textAt(deployment, ["spec", "template", "spec", "hostPID"])).toEqual({ file: prod, text: "op: add" });
    expect(textAt(deployment, ["spec", "template", "spec", "hostIPC"])).toEqual({ file: prod, text: "hostIPC: true" });
    expect(textAt(deployment, ["spec", "template", "spec", "shareProcessNamespace"])).toEqual({ file: prod, text: "patch: \"{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {template: {spec: {shareProcessNamespace: true}}}}\"" });
  });

  it("points a field nobody set at its nearest parent in the base, where it would be added", async () => {
    const { deployment } = await load();
    expect(textAt(deployment, [...container, "securityContext", "runAsNonRoot"])).toEqual({ file: join(root, "base/deploy.yaml"), text: "securityContext:" });
    expect(textAt(deployment, [...sidecar, "securityContext"])).toEqual({ file: join(root, "base/deploy.yaml"), text: "name: sidecar" });
  });

  it("points an image whose tag the kustomization's images set at that entry", async () => {
    const { deployment } = await load();
    expect(textAt(deployment, [...container, "image"])).toEqual({ file: join(root, "prod/kustomization.yaml"), text: "name: nginx" });
    expect(textAt(deployment, [...sidecar, "image"])).toEqual({ file: join(root, "base/deploy.yaml"), text: "image: busybox:1.36" });
  });

  it("points a generated Secret's key at its literal, and takes kustomize's build annotations off every object", async () => {
    const { deployment, secret } = await load();
    expect(textAt(secret, ["data", "password"])).toEqual({ file: join(root, "prod/kustomization.yaml"), text: "password=hunter2hunter2" });
    expect(textAt(secret, ["type"])).toEqual({ file: join(root, "prod/kustomization.yaml"), text: "name: creds" });
    expect(secret?.object.metadata?.annotations).toBeUndefined();
    expect(deployment?.object.metadata?.annotations).toBeUndefined();
  });

  it("keeps the positions in the rendered text when the kustomization cannot be wrapped", async () => {
    // A kubectl that refuses the wrapping kustomization (as one without buildMetadata would) and renders anything else.
    const bin = tree({ kubectl: `#!/bin/sh\ncase "$2" in *palisade-kustomize-*) echo "unknown field buildMetadata" >&2; exit 1;; esac\nexec ${execFileSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).trim()} "$@"\n` });
    chmodSync(join(bin, "kubectl"), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ""}`;
    try {
      const snapshot = await loadSnapshot({ paths: [], kustomizeDirs: [overlay] });
      const deployment = snapshot.objects.find((loaded) => loaded.object.kind === "Deployment");
      const at = deployment?.source.locate([...container, "securityContext", "privileged"]);
      expect(at?.file).toBe(`kustomize:${overlay}`);
      const rendered = execFileSync("kubectl", ["kustomize", overlay], { encoding: "utf8" }).split("\n");
      expect(rendered[(at?.line ?? 0) - 1]?.slice((at?.column ?? 1) - 1)).toBe("privileged: true");
    } finally {
      process.env.PATH = path;
    }
  });
});
