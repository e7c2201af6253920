/**
 * Helpers of the `scan -k` origin tests (kustomize-*.test.ts): a tree of files in a fresh
 * directory, the objects the real kubectl renders from one of its kustomizations, and the
 * text a finding's position points at.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import type { FieldPath, LoadedObject } from "../../src/k8s/types.js";

export function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "palisade-origins-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, ".."), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

/** The objects of `kubectl kustomize DIR`, as `scan -k DIR` loads them; `find(kind, name)` finds one by the rendered name's end. */
export async function render(dir: string): Promise<{ objects: LoadedObject[]; find: (kind: string, name?: string) => LoadedObject }> {
  const snapshot = await loadSnapshot({ paths: [], kustomizeDirs: [dir] });
  expect(snapshot.problems).toEqual([]);
  const find = (kind: string, name?: string): LoadedObject => {
    const found = snapshot.objects.find((loaded) => loaded.object.kind === kind && (name === undefined || String(loaded.object.metadata?.name).endsWith(name)));
    if (!found) throw new Error(`no ${kind} ${name ?? ""}`);
    return found;
  };
  return { objects: snapshot.objects, find };
}

/**
 * The file a field's position is in, and its text from the column to the end of the line;
 * for the rendered text (`kustomize:DIR`), that of `kubectl kustomize DIR`'s output.
 */
export function textAt(loaded: LoadedObject, path: FieldPath): { file: string; text: string } {
  const at = loaded.source.locate(path);
  const text = at.file.startsWith("kustomize:") ? execFileSync("kubectl", ["kustomize", at.file.slice("kustomize:".length)], { encoding: "utf8" }) : readFileSync(at.file, "utf8");
  return { file: at.file, text: (text.split("\n")[at.line - 1] ?? "").slice(at.column - 1) };
}

/** The `- name: app` container's path in a Deployment or other pod template. */
export const CONTAINER: FieldPath = ["spec", "template", "spec", "containers", 0];

export const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: nginx:1.25
        securityContext:
          allowPrivilegeEscalation: false
`;
