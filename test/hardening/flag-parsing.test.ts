/**
 * Control-plane flags read as the components' own parsers read them: pflag (with
 * component-base's `_`-to-`-` normalisation) for the Kubernetes binaries, Go's flag package
 * for etcd, and Go's strconv.ParseBool for every boolean.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

const yamlList = (items: string[]) => (items.length ? items.map((a) => `    - ${JSON.stringify(a)}`) : ["    []"]);

function judge(command: string[], args: string[] = []) {
  const text = ["apiVersion: v1", "kind: Pod", "metadata: {name: cp, namespace: kube-system}", "spec:", "  containers:", "  - name: cp", "    command:", ...yamlList(command), ...(args.length ? ["    args:", ...yamlList(args)] : []), ""].join("\n");
  return checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile("cp.yaml", text).objects });
}
const ids = (command: string[], args: string[] = []) => judge(command, args).map((f) => f.ruleId);
const apiserver = (...flags: string[]) => ids(["kube-apiserver", ...flags]);

describe("control-plane flags as their parsers read them", () => {
  it("reads booleans as strconv.ParseBool does: 0, f, F, FALSE and False are false", () => {
    for (const no of ["0", "f", "F", "FALSE", "False", "false"]) {
      expect(apiserver(`--anonymous-auth=${no}`), no).not.toContain("apiserver/anonymous-auth");
      expect(apiserver(`--profiling=${no}`), no).not.toContain("apiserver/profiling");
      expect(apiserver(`--service-account-lookup=${no}`), no).toContain("apiserver/service-account-lookup");
      expect(ids(["etcd", `--client-cert-auth=${no}`, "--peer-client-cert-auth=true"]), no).toContain("etcd/client-cert-auth");
    }
    for (const yes of ["1", "t", "T", "TRUE", "True"]) expect(ids(["etcd", `--client-cert-auth=${yes}`, "--peer-client-cert-auth=true"]), yes).toEqual([]);
    const refused = judge(["kube-apiserver", "--anonymous-auth=no"]).find((f) => f.ruleId === "apiserver/anonymous-auth");
    expect(refused?.message).toBe("--anonymous-auth=no is not a boolean, so kube-apiserver refuses to start; --anonymous-auth=false is needed");
  });

  it("never takes the next argument as a boolean flag's value", () => {
    // pflag reads `--anonymous-auth false` as --anonymous-auth=true and a stray argument, which kube-apiserver refuses.
    const anonymous = judge(["kube-apiserver", "--anonymous-auth", "false"]).find((f) => f.ruleId === "apiserver/anonymous-auth");
    expect(anonymous?.message).toBe("--anonymous-auth (no value: true): unauthenticated requests are served as system:anonymous");
    // Go's flag package (etcd) stops at "false": --peer-client-cert-auth is never read, and etcd exits.
    expect(ids(["etcd", "--client-cert-auth", "false", "--peer-client-cert-auth"]).sort()).toEqual(["etcd/peer-client-cert-auth", "etcd/refuses-to-start"]);
  });

  it("reads command and args as one command line: a flag ending command takes its value from args", () => {
    const findings = judge(["kube-apiserver", "--authorization-mode"], ["AlwaysAllow"]);
    const always = findings.find((f) => f.ruleId === "apiserver/always-allow");
    expect(always?.message).toBe("--authorization-mode=AlwaysAllow includes AlwaysAllow");
    expect(always?.fieldPath).toBe("spec.containers[0].command[1]");
  });

  it("adds repeated list flags together, and takes the last of repeated scalar flags", () => {
    expect(apiserver("--authorization-mode=AlwaysAllow", "--authorization-mode=Node,RBAC")).toContain("apiserver/always-allow");
    expect(apiserver("--enable-admission-plugins=NodeRestriction", "--enable-admission-plugins=PodSecurity")).not.toContain("apiserver/node-restriction");
    expect(apiserver("--anonymous-auth=false", "--anonymous-auth=true")).toContain("apiserver/anonymous-auth");
    expect(apiserver("--anonymous-auth=true", "--anonymous-auth=false")).not.toContain("apiserver/anonymous-auth");
  });

  it("normalises `_` to `-` in Kubernetes flag names, as component-base does (not in etcd's)", () => {
    expect(apiserver("--anonymous_auth=false", "--encryption_provider_config=/etc/enc.yaml")).not.toContain("apiserver/anonymous-auth");
    expect(apiserver("--encryption_provider_config=/etc/enc.yaml")).not.toContain("apiserver/encryption-at-rest");
  });

  it("reads an empty value as unset: `--encryption-provider-config=` encrypts nothing", () => {
    expect(apiserver("--encryption-provider-config=")).toContain("apiserver/encryption-at-rest");
    expect(apiserver("--encryption-provider-config=")).not.toContain("apiserver/encryption-config-unchecked");
    expect(apiserver("--kubelet-certificate-authority=")).toContain("apiserver/kubelet-tls");
  });

  it("reads etcd's single-dash flags (Go's flag package takes -name), and nothing after --", () => {
    expect(ids(["etcd", "-client-cert-auth=true", "-peer-client-cert-auth"])).toEqual([]);
    expect(apiserver("--", "--anonymous-auth=false")).toContain("apiserver/anonymous-auth");
  });

  it("reads the deprecated --admission-control as the list of enabled plugins", () => {
    expect(apiserver("--admission-control=NamespaceLifecycle,ServiceAccount,NodeRestriction")).not.toContain("apiserver/node-restriction");
    expect(apiserver("--admission-control=AlwaysAdmit,NodeRestriction")).toContain("apiserver/always-admit");
  });

  it("takes an etcd URL's scheme in any case: HTTP:// is plain HTTP", () => {
    expect(apiserver("--etcd-servers=HTTP://10.0.0.1:2379", "--etcd-cafile=a", "--etcd-certfile=b", "--etcd-keyfile=c")).toContain("apiserver/etcd-tls");
  });
});

describe("CIS checks the example control plane fails", () => {
  it("finds every scored kube-apiserver check kube-bench fails on examples/cluster", () => {
    const text = readFileSync("examples/cluster/control-plane/kube-apiserver.yaml", "utf8");
    const found = checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile("kube-apiserver.yaml", text).objects }).map((f) => f.ruleId);
    // CIS 1.2.1 anonymous-auth, 1.2.4 kubelet client certificate, 1.2.5 kubelet CA, 1.2.15 profiling, 1.2.16 audit log.
    for (const id of ["apiserver/anonymous-auth", "apiserver/kubelet-client-cert", "apiserver/kubelet-tls", "apiserver/profiling", "apiserver/audit-log"]) expect(found).toContain(id);
  });

  it("CIS 1.2.7 and 1.2.10: the Node authorizer missing, AlwaysAdmit enabled", () => {
    const node = judge(["kube-apiserver", "--authorization-mode=RBAC"]).find((f) => f.ruleId === "apiserver/node-authorizer");
    expect(node?.message).toBe("--authorization-mode=RBAC does not include Node");
    expect(apiserver("--authorization-mode=Node,RBAC")).not.toContain("apiserver/node-authorizer");
    expect(apiserver("--enable-admission-plugins=NodeRestriction,AlwaysAdmit")).toContain("apiserver/always-admit");
  });

  it("CIS 1.2.29: insecure cipher suites, unless TLS 1.3 is the minimum", () => {
    const weak = "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_3DES_EDE_CBC_SHA";
    expect(judge(["kube-apiserver", weak]).find((f) => f.ruleId === "apiserver/tls-cipher-suites")?.message).toBe("--tls-cipher-suites includes TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    expect(apiserver("--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")).not.toContain("apiserver/tls-cipher-suites");
    expect(apiserver(weak, "--tls-min-version=VersionTLS13")).not.toContain("apiserver/tls-cipher-suites");
  });
});
