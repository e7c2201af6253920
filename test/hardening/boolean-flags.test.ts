/**
 * Bare booleans as each component's parser reads them: pflag gives every flag with a NoOptDefVal
 * (BoolVar, component-base's --version, klog's and cadvisor's Go bools) no separate value, and
 * Go's flag package does the same for etcd's IsBoolFlag values; every other flag takes the next
 * word, even one that starts with `--`. Samples from the different upstream files that register
 * them: the flag written after each must still be read and judged.
 */
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

function ids(command: string[]): string[] {
  const text = ["apiVersion: v1", "kind: Pod", "metadata: {name: cp, namespace: kube-system}", "spec:", "  containers:", "  - name: cp", "    command:", ...command.map((a) => `    - ${JSON.stringify(a)}`), ""].join("\n");
  return checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile("cp.yaml", text).objects }).map((f) => f.ruleId);
}

interface Case {
  binary: string;
  /** Bare booleans, each from a different upstream file. */
  booleans: string[];
  /** A flag a rule reads, written after the boolean, and the finding it prevents. */
  judged: string[];
  finding: string;
  /** A flag that takes a value, which swallows the judged flag. */
  valued: string;
}

const CASES: Case[] = [
  {
    binary: "kube-apiserver",
    booleans: [
      "contention-profiling", // server/options/feature.go
      "shutdown-send-retry-after", // server/options/server_run_options.go
      "runtime-config-emulation-forward-compatible", // server_run_options.go, v1.33
      "encryption-provider-config-automatic-reload", // server/options/etcd.go
      "audit-webhook-truncate-enabled", // server/options/audit.go
      "service-account-lookup", // pkg/kubeapiserver/options/authentication.go
      "aggregator-reject-forwarding-redirect", // pkg/controlplane/apiserver/options/options.go
      "allow-privileged", // cmd/kube-apiserver/app/options/options.go
      "permit-address-sharing", // server/options/serving.go
      "log-text-split-stream", // component-base logs/api/v1
      "version", // component-base version/verflag (NoOptDefVal)
    ],
    judged: ["--anonymous-auth=false"],
    finding: "apiserver/anonymous-auth",
    valued: "--advertise-address",
  },
  {
    binary: "kube-controller-manager",
    booleans: [
      "contention-profiling", // controller-manager options/debugging.go
      "leader-elect", // component-base config/options/leaderelectionconfig.go
      "enable-leader-migration", // controller-manager pkg/leadermigration/options
      "allocate-node-cidrs", // cloud-provider options/kubecloudshared.go
      "disable-force-detach-on-timeout", // attachdetachcontroller.go
      "enable-garbage-collector", // garbagecollectorcontroller.go
      "volume-host-allow-local-loopback", // persistentvolumebindercontroller.go
      "authentication-tolerate-lookup-failure", // server/options/authentication.go (delegating)
      "disable-http2-serving", // server/options/serving.go
      "alsologtostderr", // klog, before v1.26
    ],
    judged: ["--profiling=false"],
    finding: "controller-manager/profiling",
    valued: "--cluster-name",
  },
  {
    binary: "kube-scheduler",
    booleans: [
      "contention-profiling", // cmd/kube-scheduler/app/options/deprecated.go
      "leader-elect", // leaderelectionconfig.go
      "authentication-skip-lookup", // server/options/authentication.go (delegating)
      "permit-port-sharing", // server/options/serving.go
      "log-json-split-stream", // component-base logs/api/v1
      "version", // verflag
      "one-output", // klog, before v1.26
      "skip-headers", // klog, before v1.26
    ],
    judged: ["--profiling=false"],
    finding: "scheduler/profiling",
    valued: "--leader-elect-resource-name",
  },
  {
    binary: "kubelet",
    booleans: [
      "exit-on-lock-contention", // options.go KubeletFlags.AddFlags
      "keep-terminated-pod-volumes", // options.go KubeletFlags, before v1.31
      "windows-service", // osflags_windows.go
      "fail-cgroupv1", // options.go AddKubeletConfigFlags, v1.31
      "local-storage-capacity-isolation", // AddKubeletConfigFlags
      "register-node", // AddKubeletConfigFlags
      "enable-load-reader", // globalflags_linux.go, cadvisor's Go bool
      "log-json-split-stream", // component-base logs/api/v1
      "logtostderr", // globalflags.go klog, before v1.26
    ],
    judged: ["--anonymous-auth=false"],
    finding: "kubelet/anonymous-auth",
    valued: "--hostname-override",
  },
  {
    binary: "etcd",
    booleans: [
      "experimental-initial-corrupt-check", // v3.5 etcdmain/config.go, v3.6 embed/config.go
      "initial-election-tick-advance",
      "pre-vote",
      "enable-v2", // v3.5 only
      "memory-mlock", // v3.6
      "discovery-insecure-skip-tls-verify", // v3.6 v3 discovery
      "experimental-stop-grpc-service-on-defrag",
      "version", // etcdmain newConfig
      "snapshot", // etcdmain ignored flag: IgnoredFlag.IsBoolFlag
    ],
    judged: ["--client-cert-auth=true", "--peer-client-cert-auth=true"],
    finding: "etcd/client-cert-auth",
    valued: "--name",
  },
];

describe("bare boolean flags leave the next flag alone", () => {
  for (const c of CASES) {
    it(`${c.binary}: a bare boolean from each options file does not swallow the flag after it`, () => {
      // The judged flag alone is what prevents the finding, so its being read is what the test sees.
      expect(ids([c.binary, ...c.judged])).not.toContain(c.finding);
      for (const name of c.booleans) expect(ids([c.binary, `--${name}`, ...c.judged]), `--${name}`).not.toContain(c.finding);
    });

    it(`${c.binary}: a flag that takes a value takes the next word, even a flag`, () => {
      expect(ids([c.binary, c.valued, ...c.judged])).toContain(c.finding);
    });
  }

  it("reads a bare boolean's next word as a stray argument, not as its value", () => {
    // pflag: --runtime-config-emulation-forward-compatible=true and a stray "false", which kube-apiserver refuses; etcd's Go flag parsing stops at it.
    expect(ids(["kube-apiserver", "--runtime-config-emulation-forward-compatible", "false", "--anonymous-auth=false"])).toContain("apiserver/refuses-to-start");
    expect(ids(["etcd", "--initial-election-tick-advance", "false", "--client-cert-auth=true", "--peer-client-cert-auth=true"])).toContain("etcd/client-cert-auth");
  });
});
