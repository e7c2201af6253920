/**
 * A kubelet run as a container: its flags over its --config file (kubeletConfigFlagPrecedence),
 * or, without --config, the legacy flag defaults (options.go applyLegacyDefaults).
 */
import { describe, expect, it } from "vitest";
import { checkControlPlane, controlPlaneFamily } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

const kubelet = (args: string[]) => `apiVersion: v1
kind: Pod
metadata: {name: kubelet, namespace: kube-system}
spec:
  containers:
  - name: kubelet
    image: example/kubelet:v1.33.0
    command: [kubelet${args.map((a) => `, ${JSON.stringify(a)}`).join("")}]
`;

const SAFE_CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication: {anonymous: {enabled: false}, webhook: {enabled: true}, x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}}
authorization: {mode: Webhook}
readOnlyPort: 0
rotateCertificates: true
seccompDefault: true
protectKernelDefaults: true
`;

function judge(files: Record<string, string>) {
  const objects = Object.entries(files).flatMap(([name, text]) => parseYamlFile(name, text).objects);
  return checkControlPlane({ ...emptySnapshot(), objects }).map((f) => `${f.object?.kind} ${f.ruleId} ${f.fieldPath} | ${f.message}`);
}

describe("kubelet flags", () => {
  it("judges the flags over the --config file beside them: the flags win, and the file's overridden fields are not its findings", () => {
    const pod = kubelet(["--config=/var/lib/kubelet/config.yaml", "--anonymous-auth=true", "--authorization-mode=AlwaysAllow", "--read-only-port=10255", "--rotate-certificates=false"]);
    expect(judge({ "kubelet.yaml": `${pod}---\n${SAFE_CONFIG}` })).toEqual([
      "Pod kubelet/anonymous-auth spec.containers[0].command[2] | --anonymous-auth=true: unauthenticated requests reach the kubelet's API",
      "Pod kubelet/always-allow spec.containers[0].command[3] | --authorization-mode=AlwaysAllow: every authenticated caller may exec into any pod on the node",
      "Pod kubelet/read-only-port spec.containers[0].command[4] | --read-only-port=10255 serves pods and node details without authentication",
      "Pod kubelet/rotate-certificates spec.containers[0].command[5] | --rotate-certificates=false",
    ]);
  });

  it("does not report a weak file setting that a flag of its kubelet overrides, and still reports the others", () => {
    const weak = SAFE_CONFIG.replace("anonymous: {enabled: false}", "anonymous: {enabled: true}").replace("readOnlyPort: 0", "readOnlyPort: 10255");
    const pod = kubelet(["--config=/var/lib/kubelet/config.yaml", "--anonymous-auth=false"]);
    expect(judge({ "kubelet.yaml": `${pod}---\n${weak}` })).toEqual(["KubeletConfiguration kubelet/read-only-port readOnlyPort | readOnlyPort: 10255 serves pods and node details without authentication"]);
  });

  it("reads a boolean flag's value only after =: `--seccomp-default false` is true to the kubelet, the word after it a stray argument", () => {
    const pod = kubelet(["--config=/var/lib/kubelet/config.yaml", "--seccomp-default", "false", "--authentication-token-webhook", "false"]);
    const weak = SAFE_CONFIG.replace("seccompDefault: true", "seccompDefault: false").replace("webhook: {enabled: true}", "webhook: {enabled: false}");
    expect(judge({ "kubelet.yaml": `${pod}---\n${weak}` })).toEqual([]);
  });

  it("pairs the only KubeletConfiguration of the scan with the only kubelet that names a --config, across files", () => {
    const pod = kubelet(["--config=/var/lib/kubelet/config.yaml", "--anonymous-auth=false"]);
    const weak = SAFE_CONFIG.replace("anonymous: {enabled: false}", "anonymous: {enabled: true}");
    expect(judge({ "kubelet.yaml": pod, "config.yaml": weak })).toEqual([]);
  });

  it("judges a kubelet without --config by the legacy flag defaults: anonymous, no token webhook, AlwaysAllow, port 10255", () => {
    expect(judge({ "kubelet.yaml": kubelet(["--kubeconfig=/etc/kubernetes/kubelet.conf"]) })).toEqual([
      'Pod kubelet/anonymous-auth spec.containers[0] | --anonymous-auth is not set, and without --config defaults to true: unauthenticated requests reach the kubelet\'s API',
      'Pod kubelet/webhook-authentication spec.containers[0] | --authentication-token-webhook is not set, and without --config defaults to false: bearer tokens are not verified',
      'Pod kubelet/always-allow spec.containers[0] | --authorization-mode is not set, and without --config defaults to "AlwaysAllow": every authenticated caller may exec into any pod on the node',
      "Pod kubelet/read-only-port spec.containers[0] | --read-only-port is not set, and without --config defaults to 10255, which serves pods and node details without authentication",
      "Pod kubelet/client-ca spec.containers[0] | --client-ca-file is not set",
      "Pod kubelet/rotate-certificates spec.containers[0] | --rotate-certificates is not set, and without --config defaults to false",
      "Pod kubelet/protect-kernel-defaults spec.containers[0] | --protect-kernel-defaults is not set, and without --config defaults to false",
      "Pod kubelet/seccomp-default spec.containers[0] | --seccomp-default is not set, and without --config defaults to false",
    ]);
  });

  it("finds nothing in a kubelet without --config whose flags set every setting safely, reading the values as Go does", () => {
    const flags = ["--anonymous-auth=0", "--authentication-token-webhook=T", "--authorization-mode=Webhook", "--read-only-port=0x0", "--client-ca-file=/ca.crt", "--rotate-certificates", "--protect-kernel-defaults=TRUE", "--seccomp-default=1"];
    expect(judge({ "kubelet.yaml": kubelet(flags) })).toEqual([]);
  });

  it("says the --config file was not checked when it is not in the scan, and judges only the flags", () => {
    expect(judge({ "kubelet.yaml": kubelet(["--config=/var/lib/kubelet/config.yaml", "--read-only-port=010255"]) })).toEqual([
      "Pod kubelet/read-only-port spec.containers[0].command[2] | --read-only-port=010255 serves pods and node details without authentication",
      "Pod kubelet/config-unchecked spec.containers[0].command[1] | --config=/var/lib/kubelet/config.yaml is not among the scanned files: only the kubelet's flags were judged",
    ]);
  });

  it("judges two KubeletConfigurations it cannot pair each on its own, and says so", () => {
    const pod = kubelet(["--config=/var/lib/kubelet/config.yaml", "--anonymous-auth=false"]);
    const weak = SAFE_CONFIG.replace("anonymous: {enabled: false}", "anonymous: {enabled: true}");
    const found = judge({ "kubelet.yaml": pod, "a.yaml": weak, "b.yaml": SAFE_CONFIG });
    expect(found).toContain("KubeletConfiguration kubelet/anonymous-auth authentication.anonymous.enabled | authentication.anonymous.enabled: true: unauthenticated requests reach the kubelet's API");
    expect(found.filter((f) => f.includes("config-unchecked"))).toEqual([
      "Pod kubelet/config-unchecked spec.containers[0].command[1] | --config=/var/lib/kubelet/config.yaml cannot be told apart among the 2 KubeletConfigurations scanned (none in the same file, and not one kubelet to one file), so each was judged on its own: only the kubelet's flags were judged",
    ]);
  });

  it("registers kubelet/config-unchecked with docs", () => {
    const rule = controlPlaneFamily.rules.find((r) => r.id === "kubelet/config-unchecked");
    expect(rule?.severity).toBe("info");
    expect(rule?.docs.description).toMatch(/--config/);
  });
});
