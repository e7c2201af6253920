import type { Component } from "./command-line.js";

/**
 * The flags each component reads without a separate value: written bare they are true, and the
 * next word is not theirs. pflag (flag.go parseLongArg) takes the next word as a flag's value
 * unless the flag has a NoOptDefVal, which every BoolVar has ("true"), as does component-base's
 * --version (verflag.AddFlags) and any Go bool flag pflag adopts (PFlagFromGoFlag: klog's and
 * cadvisor's). Go's flag package (FlagSet.parseOne, etcd) does the same for a Value whose
 * IsBoolFlag() is true. A bare boolean missing here would swallow the flag after it
 * (`--experimental-initial-corrupt-check --client-cert-auth=true` would hide client-cert-auth),
 * so the lists are complete, a union over Kubernetes v1.29 to v1.34 and etcd v3.5 and v3.6: a
 * flag one release dropped was still a boolean where it existed. Names as the component compares
 * them: the Kubernetes ones after component-base's `_`-to-`-` normalisation.
 */

/** component-base, in every Kubernetes binary: --version (NoOptDefVal "true"), logsapi.AddFlags' split-stream switches. */
const COMPONENT_BASE = ["version", "log-json-split-stream", "log-text-split-stream"];

/**
 * klog's Go bool flags, adopted through pflag.AddGoFlag before v1.26 (component-base/logs
 * AddFlags; the kubelet's globalflags.go addKlogFlags); v1.26 removed them (KEP-2845), but
 * manifests written for older releases still carry them.
 */
const KLOG_BOOLEANS = ["logtostderr", "alsologtostderr", "one-output", "skip-headers", "skip-log-headers", "add-dir-header"];

/** apiserver's SecureServingOptions.AddFlags (server/options/serving.go), in each of the three control-plane servers. */
const SECURE_SERVING = ["permit-port-sharing", "permit-address-sharing", "disable-http2-serving"];

/** DelegatingAuthenticationOptions.AddFlags (server/options/authentication.go): kube-controller-manager and kube-scheduler. */
const DELEGATING_AUTHENTICATION = ["authentication-skip-lookup", "authentication-tolerate-lookup-failure"];

/** component-base DebuggingConfiguration flags (controller-manager options/debugging.go; kube-scheduler deprecated.go). */
const DEBUGGING = ["profiling", "contention-profiling"];

/** component-base config/options BindLeaderElectionFlags: --leader-elect. */
const LEADER_ELECTION = ["leader-elect"];

const KUBE_APISERVER = [
  // server/options/feature.go (FeatureOptions) and server_run_options.go (AddUniversalFlags).
  ...DEBUGGING, "enable-priority-and-fairness", "shutdown-send-retry-after", "emulation-forward-compatible", "runtime-config-emulation-forward-compatible",
  // server/options/etcd.go (EtcdOptions.AddFlags).
  "watch-cache", "enable-garbage-collector", "encryption-provider-config-automatic-reload",
  // server/options/audit.go: the log and webhook backends' batch and truncate options.
  "audit-log-compress", "audit-log-batch-throttle-enable", "audit-log-truncate-enabled", "audit-webhook-batch-throttle-enable", "audit-webhook-truncate-enabled",
  // pkg/kubeapiserver/options/authentication.go (BuiltInAuthenticationOptions.AddFlags).
  "anonymous-auth", "enable-bootstrap-token-auth", "service-account-lookup", "service-account-extend-token-expiration",
  // pkg/controlplane/apiserver/options/options.go (misc) and cmd/kube-apiserver/app/options/options.go (Extra).
  "enable-logs-handler", "enable-aggregator-routing", "aggregator-reject-forwarding-redirect", "allow-privileged",
  ...SECURE_SERVING, ...COMPONENT_BASE, ...KLOG_BOOLEANS,
];

const KUBE_CONTROLLER_MANAGER = [
  // k8s.io/controller-manager: generic options, leader migration (leadermigration/options).
  ...DEBUGGING, ...LEADER_ELECTION, "enable-leader-migration",
  // k8s.io/cloud-provider options/kubecloudshared.go.
  "use-service-account-credentials", "allow-untagged-cloud", "allocate-node-cidrs", "configure-cloud-routes",
  // cmd/kube-controller-manager/app/options: attachdetachcontroller.go, garbagecollectorcontroller.go, persistentvolumebindercontroller.go.
  "disable-attach-detach-reconcile-sync", "disable-force-detach-on-timeout", "enable-garbage-collector",
  "enable-dynamic-provisioning", "enable-hostpath-provisioner", "volume-host-allow-local-loopback",
  // nodelifecyclecontroller.go before v1.27.
  "enable-taint-manager",
  ...SECURE_SERVING, ...DELEGATING_AUTHENTICATION, ...COMPONENT_BASE, ...KLOG_BOOLEANS,
];

/** cmd/kube-scheduler/app/options: deprecated.go (profiling), options.go (leader election, serving, delegated authentication). */
const KUBE_SCHEDULER = [...DEBUGGING, ...LEADER_ELECTION, ...SECURE_SERVING, ...DELEGATING_AUTHENTICATION, ...COMPONENT_BASE, ...KLOG_BOOLEANS];

const KUBELET = [
  // cmd/kubelet/app/options/options.go KubeletFlags.AddFlags, with the deprecated flags later releases dropped; osflags_windows.go.
  "exit-on-lock-contention", "register-schedulable", "keep-terminated-pod-volumes", "experimental-check-node-capabilities-before-mount",
  "experimental-allocatable-ignore-eviction", "windows-service",
  // options.go AddKubeletConfigFlags.
  "enable-server", "fail-swap-on", "fail-cgroupv1", "anonymous-auth", "authentication-token-webhook", "rotate-server-certificates",
  "rotate-certificates", "enable-debugging-handlers", "contention-profiling", "cgroups-per-qos", "runonce", "cpu-cfs-quota",
  "enable-controller-attach-detach", "make-iptables-util-chains", "kernel-memcg-notification", "local-storage-capacity-isolation",
  "serialize-image-pulls", "protect-kernel-defaults", "register-node", "seccomp-default",
  // globalflags_linux.go addCadvisorFlags: cadvisor's Go bool flags, adopted through pflag.PFlagFromGoFlag.
  "docker-only", "docker-tls", "enable-load-reader", "log-cadvisor-usage", "storage-driver-secure",
  ...COMPONENT_BASE, ...KLOG_BOOLEANS,
];

const ETCD = [
  // v3.5 server/etcdmain/config.go newConfig; v3.6 server/embed/config.go Config.AddFlags and etcdmain newConfig (--version).
  "initial-election-tick-advance", "socket-reuse-port", "socket-reuse-address", "strict-reconfig-check", "pre-vote", "enable-v2",
  "discovery-insecure-transport", "discovery-insecure-skip-tls-verify", "client-cert-auth", "auto-tls", "peer-client-cert-auth", "peer-auto-tls",
  "experimental-peer-skip-client-san-verification", "peer-skip-client-san-verification", "enable-log-rotation", "version", "enable-pprof",
  "experimental-enable-distributed-tracing", "enable-distributed-tracing", "enable-grpc-gateway", "experimental-initial-corrupt-check",
  "experimental-compact-hash-check-enabled", "experimental-enable-lease-checkpoint", "experimental-enable-lease-checkpoint-persist",
  "experimental-memory-mlock", "memory-mlock", "experimental-txn-mode-write-with-shared-buffer", "experimental-stop-grpc-service-on-defrag",
  "unsafe-no-fsync", "force-new-cluster",
  // v3.4's --debug, still in manifests written for it.
  "debug",
  // etcdmain's ignored flags: pkg/flags IgnoredFlag says IsBoolFlag, so they too take no separate value.
  "cluster-active-size", "cluster-remove-delay", "cluster-sync-interval", "config", "force", "max-result-buffer", "max-retry-attempts",
  "peer-heartbeat-interval", "peer-election-timeout", "retry-interval", "snapshot", "v", "vv", "test.coverprofile", "test.outputdir",
];

export const BOOLEAN_FLAGS: Readonly<Record<Component, ReadonlySet<string>>> = {
  "kube-apiserver": new Set(KUBE_APISERVER),
  "kube-controller-manager": new Set(KUBE_CONTROLLER_MANAGER),
  "kube-scheduler": new Set(KUBE_SCHEDULER),
  kubelet: new Set(KUBELET),
  etcd: new Set(ETCD),
};
