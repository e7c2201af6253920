import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { HARDENED_APISERVER_FLAGS } from "../support/apiserver-flags.js";
import { checkControlPlane, controlPlaneFamily } from "../../src/hardening/family.js";

function scan(args: string[]) {
  const text = [
    "apiVersion: v1",
    "kind: Pod",
    "metadata: {name: kube-apiserver, namespace: kube-system}",
    "spec:",
    "  containers:",
    "  - name: kube-apiserver",
    "    command:",
    "    - kube-apiserver",
    ...args.map((a) => `    - ${a}`),
    "",
  ].join("\n");
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile("apiserver.yaml", text).objects };
  return checkControlPlane(snapshot);
}

const HARDENED = [...HARDENED_APISERVER_FLAGS];

describe("kube-apiserver flag audit", () => {
  it("finds nothing but the unscanned encryption config on a hardened server", () => {
    expect(scan(HARDENED).map((f) => f.ruleId)).toEqual(["apiserver/encryption-config-unchecked"]);
  });

  it("reports each weakness at the flag's own line", () => {
    const findings = scan(HARDENED.map((a) => (a === "--authorization-mode=Node,RBAC" ? "--authorization-mode=AlwaysAllow" : a)).concat("--token-auth-file=/tokens.csv"));
    const byRule = Object.fromEntries(findings.map((f) => [f.ruleId, f]));
    expect(byRule["apiserver/always-allow"]?.position).toEqual({ file: "apiserver.yaml", line: 10, column: 7 });
    expect(byRule["apiserver/always-allow"]?.fieldPath).toBe("spec.containers[0].command[2]");
    expect(byRule["apiserver/rbac-disabled"]).toBeDefined();
    expect(byRule["apiserver/token-auth-file"]?.severity).toBe("medium");
  });

  it("treats missing flags by their defaults", () => {
    const ids = scan([]).map((f) => f.ruleId);
    for (const id of ["apiserver/anonymous-auth", "apiserver/always-allow", "apiserver/node-restriction", "apiserver/encryption-at-rest", "apiserver/audit-log", "apiserver/profiling", "apiserver/etcd-tls"]) {
      expect(ids).toContain(id);
    }
  });

  it("reads `--flag value` pairs and args as well as --flag=value", () => {
    const ids = scan(["--anonymous-auth=false", "--etcd-servers", "http://10.0.0.1:2379"]).map((f) => f.ruleId);
    expect(ids).not.toContain("apiserver/anonymous-auth");
    expect(ids).toContain("apiserver/etcd-tls");
  });

  it("never prints a password written into an etcd URL", () => {
    const etcd = scan(["--etcd-servers=http://root:s3cr3tpw@10.0.0.1:2379,https://10.0.0.2:2379"]).find((f) => f.ruleId === "apiserver/etcd-tls");
    expect(etcd?.message).toBe("--etcd-servers=http://***@10.0.0.1:2379,https://10.0.0.2:2379 uses plain http");
    expect(JSON.stringify(etcd)).not.toContain("s3cr3tpw");
    // Passwords holding a slash or a comma (unescaped, as people write them): no part of them is shown.
    for (const [password, shown] of [
      ["pa/ss", "http://***@10.0.0.1:2379,https://10.0.0.2:2379"],
      ["pa,ss", "http://***@10.0.0.1:2379,https://10.0.0.2:2379"],
    ]) {
      const found = scan([`--etcd-servers=http://root:${password}@10.0.0.1:2379,https://10.0.0.2:2379`]).find((f) => f.ruleId === "apiserver/etcd-tls");
      expect(found?.message).toBe(`--etcd-servers=${shown} uses plain http`);
      expect(JSON.stringify(found)).not.toMatch(/pa.ss|root/);
    }
  });

  it("documents every rule", () => {
    for (const r of controlPlaneFamily.rules) expect(r.docs.remediation.length).toBeGreaterThan(10);
  });
});
