/**
 * Bare boolean flags that are not the ones the rules read must not swallow the next flag (pflag
 * and Go's flag package give a boolean no separate value), and messages about a command line
 * never show a password written into a URL.
 */
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

function judge(command: string[], env: Array<{ name: string; value: string }> = []) {
  const text = ["apiVersion: v1", "kind: Pod", "metadata: {name: cp, namespace: kube-system}", "spec:", "  containers:", "  - name: cp", "    command:", ...command.map((a) => `    - ${JSON.stringify(a)}`), ...(env.length ? ["    env:", ...env.map((e) => `    - {name: ${e.name}, value: ${JSON.stringify(e.value)}}`)] : []), ""].join("\n");
  return checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile("cp.yaml", text).objects });
}
const ids = (command: string[]) => judge(command).map((f) => f.ruleId);

describe("bare booleans the rules do not read", () => {
  it("etcd: --experimental-initial-corrupt-check does not take --client-cert-auth=true as its value", () => {
    const etcd = ["etcd", "--experimental-initial-corrupt-check", "--client-cert-auth=true", "--peer-client-cert-auth=true", "--listen-client-urls=https://0.0.0.0:2379", "--listen-peer-urls=https://0.0.0.0:2380"];
    expect(ids(etcd)).not.toContain("etcd/client-cert-auth");
    expect(ids(["etcd", "--experimental-memory-mlock", "--peer-client-cert-auth=true", "--client-cert-auth=true"])).not.toContain("etcd/peer-client-cert-auth");
  });

  it("kube-apiserver: --encryption-provider-config-automatic-reload does not take --encryption-provider-config as its value", () => {
    const found = ids(["kube-apiserver", "--encryption-provider-config-automatic-reload", "--encryption-provider-config=/etc/kubernetes/enc.yaml", "--watch-cache", "--anonymous-auth=false"]);
    expect(found).not.toContain("apiserver/encryption-at-rest");
    expect(found).not.toContain("apiserver/anonymous-auth");
  });
});

describe("no password of a URL in command-line messages", () => {
  const SECRET = "S3cretPW";
  const messages = (command: string[], env: Array<{ name: string; value: string }> = []) => judge(command, env).map((f) => f.message);

  it("a list value pflag cannot read as CSV", () => {
    const found = messages(["kube-apiserver", `--etcd-servers=https://admin:${SECRET}@etcd:2379,"x`]);
    expect(found.some((m) => m.includes("invalid argument"))).toBe(true);
    expect(found.join("\n")).not.toContain(SECRET);
  });

  it("a flag of bad syntax, and a stray word", () => {
    const found = messages(["kube-apiserver", `---etcd-servers=https://u:${SECRET}@h`]);
    expect(found.some((m) => m.includes("bad flag syntax"))).toBe(true);
    expect(found.join("\n")).not.toContain(SECRET);
    const stray = messages(["etcd", "--client-cert-auth", `https://u:${SECRET}@h`]);
    expect(stray.some((m) => m.includes("not a valid flag"))).toBe(true);
    expect(stray.join("\n")).not.toContain(SECRET);
  });

  it("etcd listening on plain http, from a flag or an ETCD_* variable", () => {
    const fromFlag = messages(["etcd", "--client-cert-auth=true", "--peer-client-cert-auth=true", `--listen-client-urls=http://root:${SECRET}@0.0.0.0:2379`]);
    expect(fromFlag.some((m) => m.includes("plain HTTP"))).toBe(true);
    expect(fromFlag.join("\n")).not.toContain(SECRET);
    const fromEnv = messages(["etcd", "--client-cert-auth=true", "--peer-client-cert-auth=true"], [{ name: "ETCD_LISTEN_CLIENT_URLS", value: `http://root:${SECRET}@0.0.0.0:2379` }]);
    expect(fromEnv.some((m) => m.startsWith("ETCD_LISTEN_CLIENT_URLS includes http://***@0.0.0.0:2379"))).toBe(true);
    expect(fromEnv.join("\n")).not.toContain(SECRET);
  });
});

describe("kube-log-runner's log rotation flags", () => {
  it("takes -log-file-size, -log-file-age and -flush-interval values from the next word, and reads the component after them", () => {
    const found = ids(["/usr/local/bin/kube-log-runner", "-log-file=/var/log/kube-apiserver.log", "-log-file-size", "100M", "-log-file-age", "24h", "-flush-interval", "5s", "/usr/local/bin/kube-apiserver", "--anonymous-auth=true"]);
    expect(found).toContain("apiserver/anonymous-auth");
    expect(found).not.toContain("apiserver/flags-not-audited");
  });
});
