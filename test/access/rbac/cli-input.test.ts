import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { palisade } from "../../support/cli-in-process.js";

const RBAC = "apiVersion: rbac.authorization.k8s.io/v1";
let dir: string;
const at = (name: string) => join(dir, name);

// QA's reproduction inputs (/tmp/qa-rbac), inline.
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "palisade-rbac-input-"));
  writeFileSync(at("bin.yaml"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00]));
  writeFileSync(at("admin.key"), "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n");
  writeFileSync(at("ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
  writeFileSync(
    at("bad1.yaml"),
    [
      `${RBAC}\nkind: ClusterRole\nmetadata: {name: r1}\nrules:\n- apiGroups: ""\n  resources: [pods]\n  verbs: [get]\n- apiGroups: [""]\n  resources: [secrets]\n  verbs: get`,
      `${RBAC}\nkind: ClusterRoleBinding\nmetadata: {name: b1}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r1}\nsubjects:\n  kind: User\n  name: alice`,
      `${RBAC}\nkind: ClusterRoleBinding\nmetadata: {name: b2}\nroleRef: {kind: clusterrole, name: r1}\nsubjects:\n- {kind: user, name: bob}\n- {kind: User, name: carol}`,
    ].join("\n---\n") + "\n",
  );
  writeFileSync(
    at("dup.yaml"),
    [
      `${RBAC}\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [""], resources: [pods], verbs: [get]}]`,
      `${RBAC}\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: User, name: u}]`,
      `${RBAC}\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]`,
    ].join("\n---\n") + "\n",
  );
  writeFileSync(
    at("scale.yaml"),
    `${RBAC}\nkind: ClusterRole\nmetadata: {name: scaler}\nrules:\n- apiGroups: ["*"]\n  resources: ["*/scale"]\n  verbs: [update]\n- apiGroups: [apps]\n  resources: [deployments/scale]\n  verbs: [get]\n---\n${RBAC}\nkind: ClusterRoleBinding\nmetadata: {name: scaler}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: scaler}\nsubjects: [{kind: User, name: carol}]\n`,
  );
});

const NO_RBAC = "palisade: no RBAC objects (Role, ClusterRole, RoleBinding, ClusterRoleBinding) in the input: ";

describe("an input with no RBAC object is an input error, exit 2", () => {
  it("a binary file: the skip is printed, then the error naming it, for can-i, who-can and risks", async () => {
    for (const args of [["can-i", "get", "pods", "--as", "z", "-f"], ["who-can", "get", "pods", "-f"], ["risks"]]) {
      const r = await palisade(["rbac", ...args, at("bin.yaml")]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`${at("bin.yaml")}:1:1: skipped: binary file`);
      expect(r.stderr).toContain(`${NO_RBAC}${at("bin.yaml")}\n`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("a private key (not a Kubernetes document) and a Namespace alone; the key's text is never printed", async () => {
    const key = await palisade(["rbac", "can-i", "get", "pods", "--as", "z", "-f", at("admin.key")]);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain(`${NO_RBAC}${at("admin.key")}; 1 document(s) there are not Kubernetes objects\n`);
    expect(key.stderr + key.stdout).not.toContain("MIIE");
    const ns = await palisade(["rbac", "who-can", "get", "pods", "-f", at("ns.yaml"), "-f", at("bin.yaml")]);
    expect(ns.code).toBe(2);
    expect(ns.stderr).toContain(`${NO_RBAC}${at("ns.yaml")}, ${at("bin.yaml")}\n`);
  });

  it("with --bootstrap the defaults are the input: csinodes is storage.k8s.io's, and --bootstrap alone is enough", async () => {
    const r = await palisade(["rbac", "can-i", "get", "csinodes", "--as", "system:kube-scheduler", "--bootstrap", "-f", at("ns.yaml")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('{APIGroups:["storage.k8s.io"], Resources:["csinodes"]');
    const alone = await palisade(["rbac", "can-i", "create", "selfsubjectreviews", "--as", "someone", "--bootstrap"]);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain("ClusterRoleBinding system:basic-user");
    expect((await palisade(["rbac", "risks", "--bootstrap", "--fail-on", "none"])).code).toBe(0);
  });
});

describe("can-i and who-can name the problems of their input on stderr", () => {
  it("invalid rules and bindings, with file:line (QA bad1.yaml)", async () => {
    const expected = [
      `${at("bad1.yaml")}:5:3: warning: ClusterRole r1: apiGroups must be a list of strings: the API server rejects this ClusterRole, so it grants nothing`,
      `${at("bad1.yaml")}:10:3: warning: ClusterRole r1: verbs must be a list of strings: the API server rejects this ClusterRole, so it grants nothing`,
      `${at("bad1.yaml")}:16:1: warning: ClusterRoleBinding b1: subjects must be a list: the API server rejects this ClusterRoleBinding, so it grants nothing`,
      `${at("bad1.yaml")}:23:11: warning: ClusterRoleBinding b2: roleRef.kind "clusterrole" is not ClusterRole (case matters): the API server rejects this ClusterRoleBinding, so it grants nothing`,
    ].join("\n");
    const canI = await palisade(["rbac", "can-i", "get", "pods", "--as", "carol", "-f", at("bad1.yaml")]);
    expect(canI.code).toBe(1);
    expect(canI.stdout).toBe("no\n");
    expect(canI.stderr).toBe(`${expected}\n`);
    const whoCan = await palisade(["rbac", "who-can", "get", "secrets", "-f", at("bad1.yaml")]);
    expect(whoCan.code).toBe(0);
    expect(whoCan.stderr).toBe(`${expected}\n`);
  });

  it("an unknown resource without a group is asked in the core group, with a warning", async () => {
    const r = await palisade(["rbac", "can-i", "get", "foos", "--as", "carol", "-f", at("scale.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('warning: resource type "foos" is not a built-in Kubernetes resource; the answer is for it in the core API group (""). For a custom resource give its group: RESOURCE.GROUP, e.g. widgets.example.com\n');
  });
});

describe("duplicates, who-can and --list output", () => {
  it("the last definition of an object is the one used, and said so (QA dup.yaml)", async () => {
    const secrets = await palisade(["rbac", "can-i", "get", "secrets", "--as", "u", "-f", at("dup.yaml")]);
    expect(secrets.code).toBe(0);
    expect(secrets.stderr).toBe(`${at("dup.yaml")}:1:1: warning: ClusterRole r: this ClusterRole is defined again at ${at("dup.yaml")}:12:1; the last definition is used, as kubectl apply -f leaves it\n`);
    expect((await palisade(["rbac", "can-i", "get", "pods", "--as", "u", "-f", at("dup.yaml")])).code).toBe(1);
  });

  it("who-can lists system:masters once, as the superuser group", async () => {
    const r = await palisade(["rbac", "who-can", "delete", "nodes", "--bootstrap"]);
    expect(r.stdout.split("\n").filter((l) => /^Group\s+system:masters\s/.test(l))).toEqual([expect.stringMatching(/\(superuser group\)/)]);
  });

  it("--list writes resource.group/subresource as kubectl does", async () => {
    const r = await palisade(["rbac", "can-i", "--list", "--as", "carol", "-f", at("scale.yaml")]);
    expect(r.stdout.split("\n").map((l) => l.split(/\s+/)[0])).toEqual(["Resources", "*.*/scale", "deployments.apps/scale", ""]);
  });
});
