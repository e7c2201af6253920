/**
 * Control-plane command lines as the kubelet starts them and the components read them: wrapped in
 * go-runner or a shell, with pflag's CSV lists and '--flag arg' values, stray arguments that stop a
 * component, and etcd's ETCD_* variables and --config-file.
 */
import { describe, expect, it } from "vitest";
import { readCsvRecord } from "../../src/hardening/csv-record.js";
import { shellWords } from "../../src/hardening/command-line.js";
import { checkControlPlane, controlPlaneFamily } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

const list = (items: string[]) => items.map((a) => `    - ${JSON.stringify(a)}`);

function judge(command: string[], args: string[] = [], env: Array<{ name: string; value: string }> = []) {
  const text = ["apiVersion: v1", "kind: Pod", "metadata: {name: cp, namespace: kube-system}", "spec:", "  containers:", "  - name: cp", "    command:", ...list(command), ...(args.length ? ["    args:", ...list(args)] : []), ...(env.length ? ["    env:", ...env.map((e) => `    - {name: ${e.name}, value: ${JSON.stringify(e.value)}}`)] : []), ""].join("\n");
  return checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile("cp.yaml", text).objects });
}
const ids = (command: string[], args: string[] = [], env: Array<{ name: string; value: string }> = []) => judge(command, args, env).map((f) => f.ruleId);
const message = (id: string, command: string[], args: string[] = [], env: Array<{ name: string; value: string }> = []) => judge(command, args, env).find((f) => f.ruleId === id)?.message;

/** kube-apiserver flags that pass every rule, so that a test sees only what it changes. */
const HARDENED = ["--anonymous-auth=false", "--profiling=false", "--audit-policy-file=/a.yaml", "--audit-log-path=/a.log", "--encryption-provider-config=/e.yaml", "--etcd-servers=https://127.0.0.1:2379", "--etcd-cafile=/ca", "--etcd-certfile=/c", "--etcd-keyfile=/k", "--kubelet-certificate-authority=/ca", "--kubelet-client-certificate=/c", "--kubelet-client-key=/k", "--authorization-mode=Node,RBAC", "--enable-admission-plugins=NodeRestriction"];
const apiserverFindings = (...flags: string[]) => ids(["kube-apiserver", ...HARDENED, ...flags]).filter((id) => id !== "apiserver/encryption-config-unchecked");

describe("wrapped control-plane binaries", () => {
  it("reads kube-apiserver behind go-runner and its own flags (kOps: the binary in args)", () => {
    const found = ids(["/go-runner"], ["--log-file=/var/log/kube-apiserver.log", "--also-stdout", "/usr/local/bin/kube-apiserver", "--anonymous-auth=true", "--authorization-mode=AlwaysAllow"]);
    expect(found).toContain("apiserver/anonymous-auth");
    expect(found).toContain("apiserver/always-allow");
    expect(judge(["/go-runner"], ["--log-file=/l", "/usr/local/bin/kube-apiserver", "--anonymous-auth=true"]).find((f) => f.ruleId === "apiserver/anonymous-auth")?.fieldPath).toBe("spec.containers[0].args[2]");
  });

  it("takes go-runner's -log-file value from the next word, and its booleans without one", () => {
    expect(ids(["/go-runner", "-log-file", "/var/log/kcm.log", "-redirect-stderr", "--", "kube-controller-manager", "--profiling=true"])).toContain("controller-manager/profiling");
    expect(ids(["/usr/bin/kube-log-runner", "/usr/local/bin/kube-controller-manager", "--profiling=true", "--bind-address=0.0.0.0"])).toContain("controller-manager/bind-address");
  });

  it("reads `sh -c \"exec kube-apiserver ...\"` word by word, quotes and continuations included", () => {
    expect(ids(["/bin/sh", "-c", "exec kube-apiserver --anonymous-auth=true --authorization-mode=AlwaysAllow"])).toEqual(expect.arrayContaining(["apiserver/anonymous-auth", "apiserver/always-allow"]));
    // Quoted words and line continuations: every hardened flag is read (nothing reports it missing), and the one weakened.
    const script = `exec /usr/local/bin/kube-apiserver ${[...HARDENED, "--profiling=true"].map((f) => `'${f}'`).join(" \\\n  ")}\n`;
    const found = ids(["sh", "-ec", script]);
    expect(found).toContain("apiserver/profiling");
    for (const id of ["apiserver/anonymous-auth", "apiserver/audit-log", "apiserver/etcd-tls", "apiserver/kubelet-tls", "apiserver/node-restriction", "apiserver/always-allow", "apiserver/flags-not-audited"]) expect(found).not.toContain(id);
  });

  it("finds the script wherever the shell's options put it: bash -lc, -o pipefail -c, -c -e, bash --norc", () => {
    for (const shell of [["bash", "-lc"], ["sh", "-o", "pipefail", "-c"], ["/bin/sh", "-c", "-e"], ["bash", "--norc", "-xc"], ["/bin/ash", "-e", "-u", "-c"]]) {
      expect(ids([...shell, "exec kube-apiserver --anonymous-auth=true"]), shell.join(" ")).toContain("apiserver/anonymous-auth");
    }
    // No -c: the shell runs a file, not a script Palisade could read.
    expect(ids(["bash", "-l", "kube-apiserver --anonymous-auth=true"])).toEqual([]);
  });

  it("says once that a component started from a script it cannot read was not audited", () => {
    const found = judge(["/bin/sh", "-c", "sleep 5 && exec kube-apiserver --anonymous-auth=$ANON"]);
    expect(found.map((f) => f.ruleId)).toEqual(["apiserver/flags-not-audited"]);
    expect(found[0]?.severity).toBe("info");
    expect(found[0]?.fieldPath).toBe("spec.containers[0].command[2]");
    expect(ids(["/go-runner", "--log-file-size=1", "--unknown", "kube-apiserver"])).toEqual(["apiserver/flags-not-audited"]);
    // etcdctl and a data directory named etcd start no etcd.
    expect(ids(["sh", "-c", "etcdctl snapshot save /backup/etcd --data-dir /var/lib/etcd; ls"])).toEqual([]);
  });

  it("splits shell words as POSIX sh does, and refuses what a shell would expand", () => {
    expect(shellWords(`exec a "b c" 'd e' f\\ g "h\\"i" j\\\n k`)).toEqual(["exec", "a", "b c", "d e", "f g", 'h"i', "j", "k"]);
    expect(shellWords('"" x')).toEqual(["", "x"]);
    for (const script of ["a $B", "a `b`", "a; b", "a\nb", "a > f", "a *", "a ~/x", '"$x"', "'open"]) expect(shellWords(script), script).toBeUndefined();
  });
});

describe("pflag's reading of values", () => {
  it("reads a string slice as one CSV record, as Go's encoding/csv does", () => {
    expect(readCsvRecord('"AlwaysAdmit,NodeRestriction"')).toEqual({ fields: ["AlwaysAdmit,NodeRestriction"] });
    expect(readCsvRecord('"AlwaysAdmit","NodeRestriction"')).toEqual({ fields: ["AlwaysAdmit", "NodeRestriction"] });
    expect(readCsvRecord('a,"b ""c""",')).toEqual({ fields: ["a", 'b "c"', ""] });
    expect(readCsvRecord('a"b')).toHaveProperty("error");
    expect(readCsvRecord('"a"b')).toHaveProperty("error");
    expect(readCsvRecord("")).toEqual({ fields: [] });
  });

  it("removes the quotes of a quoted list item, and refuses a comma kept inside one", () => {
    expect(apiserverFindings('--enable-admission-plugins="AlwaysAdmit"')).toContain("apiserver/always-admit");
    // Beside HARDENED's own --authorization-mode=Node,RBAC the modes would be given twice, which kube-apiserver refuses.
    const separate = ids(["kube-apiserver", ...HARDENED.filter((f) => !f.startsWith("--authorization-mode=")), '--authorization-mode="Node","RBAC"']);
    for (const id of ["apiserver/refuses-to-start", "apiserver/node-authorizer", "apiserver/rbac-disabled"]) expect(separate).not.toContain(id);
    const quoted = message("apiserver/refuses-to-start", ["kube-apiserver", '--enable-admission-plugins="AlwaysAdmit,NodeRestriction"']);
    expect(quoted).toBe('kube-apiserver refuses to start: --enable-admission-plugins="AlwaysAdmit,NodeRestriction" is read as the admission plugin "AlwaysAdmit,NodeRestriction", which does not exist (pflag reads the value as CSV, where quotes keep the commas inside one item)');
    expect(apiserverFindings("--tls-cipher-suites=a\"b")).toContain("apiserver/refuses-to-start");
  });

  it("gives a non-boolean flag the next word as its value, even one that starts with --", () => {
    const found = judge(["kube-apiserver", ...HARDENED.filter((f) => f !== "--profiling=false"), "--token-auth-file", "--profiling=false"]);
    expect(found.map((f) => f.ruleId)).toContain("apiserver/profiling");
    expect(found.find((f) => f.ruleId === "apiserver/token-auth-file")?.message).toBe("--token-auth-file=--profiling=false accepts long-lived static tokens");
    expect(message("apiserver/refuses-to-start", ["kube-apiserver", ...HARDENED, "--token-auth-file"])).toBe("kube-apiserver refuses to start: flag needs an argument: --token-auth-file");
  });

  it("refuses the same admission plugin enabled and disabled, and --admission-control with either list", () => {
    expect(message("apiserver/refuses-to-start", ["kube-apiserver", ...HARDENED, "--disable-admission-plugins=NodeRestriction"])).toBe("kube-apiserver refuses to start: NodeRestriction is in both --enable-admission-plugins and --disable-admission-plugins");
    expect(message("apiserver/refuses-to-start", ["kube-apiserver", "--admission-control=NodeRestriction", "--disable-admission-plugins="])).toBe("kube-apiserver refuses to start: --admission-control cannot be given with --disable-admission-plugins");
    expect(apiserverFindings("--disable-admission-plugins=AlwaysPullImages")).not.toContain("apiserver/refuses-to-start");
  });
});

describe("a boolean written as two words", () => {
  it("kube-apiserver: the stray word is an argument, which it refuses", () => {
    const found = judge(["kube-apiserver", ...HARDENED.filter((f) => f !== "--anonymous-auth=false"), "--anonymous-auth", "false"]);
    const refused = found.find((f) => f.ruleId === "apiserver/refuses-to-start");
    expect(refused?.message).toBe('kube-apiserver refuses to start: it takes no arguments, and "false" is one (--anonymous-auth is a boolean flag, which takes a value only in the same word: --anonymous-auth=false)');
    expect(refused?.fieldPath).toBe("spec.containers[0].command[15]");
    expect(found.find((f) => f.ruleId === "apiserver/anonymous-auth")?.message).toBe("--anonymous-auth (no value: true): unauthenticated requests are served as system:anonymous");
    // cobra's check lets an empty argument pass.
    expect(apiserverFindings("")).not.toContain("apiserver/refuses-to-start");
  });

  it("etcd: Go's flag package stops at the first word that is not a flag, and etcd exits", () => {
    const found = judge(["etcd", "--client-cert-auth", "true", "--peer-client-cert-auth=true"]);
    expect(found.map((f) => f.ruleId).sort()).toEqual(["etcd/peer-client-cert-auth", "etcd/refuses-to-start"]);
    expect(found.find((f) => f.ruleId === "etcd/refuses-to-start")?.message).toContain('Go\'s flag parsing stops at "true", which etcd reports as not a valid flag');
  });
});

describe("etcd's environment and configuration file", () => {
  const ETCD = ["etcd", "--peer-client-cert-auth=true", "--listen-peer-urls=https://10.0.0.1:2380"];

  it("reads ETCD_<FLAG> for every flag not on the command line", () => {
    const found = judge(ETCD, [], [{ name: "ETCD_CLIENT_CERT_AUTH", value: "true" }, { name: "ETCD_AUTO_TLS", value: "true" }, { name: "ETCD_LISTEN_CLIENT_URLS", value: "http://0.0.0.0:2379" }]);
    expect(found.map((f) => `${f.ruleId} ${f.fieldPath}`).sort()).toEqual(["etcd/auto-tls spec.containers[0].env[1].value", "etcd/plain-http spec.containers[0].env[2].value"]);
    expect(found.find((f) => f.ruleId === "etcd/plain-http")?.message).toBe("ETCD_LISTEN_CLIENT_URLS includes http://0.0.0.0:2379: plain HTTP that other machines can reach");
    expect(ids(ETCD, [], [{ name: "ETCD_CLIENT_CERT_AUTH", value: "" }])).toEqual(["etcd/client-cert-auth"]);
  });

  it("refuses a variable shadowed by its flag on the command line", () => {
    expect(message("etcd/refuses-to-start", [...ETCD, "--client-cert-auth=true"], [], [{ name: "ETCD_PEER_CLIENT_CERT_AUTH", value: "true" }])).toBe("etcd refuses to start: ETCD_PEER_CLIENT_CERT_AUTH is set and so is --peer-client-cert-auth on the command line, and etcd exits on a variable its flag shadows");
  });

  it("with --config-file or ETCD_CONFIG_FILE, says the file was not checked instead of judging ignored flags", () => {
    const found = judge(["etcd", "--config-file=/etc/etcd/etcd.conf.yml", "--client-cert-auth=true"]);
    expect(found.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`)).toEqual(["etcd/config-file-unchecked info spec.containers[0].command[1]"]);
    expect(ids(["etcd", "--auto-tls=true"], [], [{ name: "ETCD_CONFIG_FILE", value: "/etc/etcd.yml" }])).toEqual(["etcd/config-file-unchecked"]);
  });

  it("lists the new rules with their docs", () => {
    const listed = controlPlaneFamily.rules.map((r) => r.id);
    for (const id of ["apiserver/refuses-to-start", "etcd/refuses-to-start", "controller-manager/flags-not-audited", "scheduler/flags-not-audited", "etcd/config-file-unchecked"]) expect(listed).toContain(id);
  });
});
