/**
 * kube-controller-manager and kube-scheduler as static pods: the identities the cluster's
 * own controllers act with, and the endpoints they expose.
 */
import { booleanFlag, flag, flagRules, isLoopbackHost, type FlagRule, type FlagVerdict } from "./flag-rule.js";
import type { ControlPlaneContainer } from "./flags.js";

const controllerManager = flagRules("kube-controller-manager");
const scheduler = flagRules("kube-scheduler");

function boundBeyondLocalhost(c: ControlPlaneContainer): FlagVerdict | undefined {
  const f = flag(c, "bind-address");
  if (f && isLoopbackHost(f.value)) return undefined;
  return f ? { message: `--bind-address=${f.value} serves its secure port to the network`, flag: f } : { message: "--bind-address is not set, and defaults to 0.0.0.0: its secure port is served to the network" };
}

const PROFILING = "--profiling exposes /debug/pprof, which leaks internals and costs CPU; it defaults to true.";
const BIND = "Its secure port (metrics, health, debugging) needs only be reached from the node: kubeadm binds it to 127.0.0.1. Served to the network, it is one more authenticated endpoint to attack.";

export const CONTROLLER_RULES: readonly FlagRule[] = [
  controllerManager("profiling", "Profiling endpoints are enabled", "low", "platform", PROFILING, "Set --profiling=false.", (c) => booleanFlag(c, "profiling", false, true, "/debug/pprof is served")),
  controllerManager(
    "service-account-credentials",
    "Controllers share the controller manager's identity",
    "medium",
    "identity",
    "Without --use-service-account-credentials=true, every controller acts with the controller manager's own, broad credentials; with it, each runs as its own service account, limited to its own RBAC role (system:controller:*).",
    "Set --use-service-account-credentials=true.",
    (c) => booleanFlag(c, "use-service-account-credentials", true, false, "every controller acts with the controller manager's own credentials"),
  ),
  controllerManager(
    "service-account-key",
    "Service-account tokens are not signed",
    "medium",
    "identity",
    "Without --service-account-private-key-file the token controller is off: legacy service-account token Secrets are never filled in, and key rotation cannot be managed here.",
    "Set --service-account-private-key-file to the key whose public half kube-apiserver's --service-account-key-file holds.",
    (c) => (flag(c, "service-account-private-key-file") ? undefined : { message: "--service-account-private-key-file is not set: service-account tokens are not signed" }),
  ),
  controllerManager(
    "root-ca-file",
    "Pods are not given the cluster's CA",
    "low",
    "platform",
    "Without --root-ca-file, the ca.crt the controller manager publishes to every namespace (kube-root-ca.crt) may not hold the CA that signs the API server's certificate, and pods cannot verify whom they talk to.",
    "Set --root-ca-file to the cluster CA (kubeadm: /etc/kubernetes/pki/ca.crt).",
    (c) => (flag(c, "root-ca-file") ? undefined : { message: "--root-ca-file is not set" }),
  ),
  controllerManager("bind-address", "The secure port is served to the network", "low", "network", BIND, "Set --bind-address=127.0.0.1.", boundBeyondLocalhost),
  scheduler("profiling", "Profiling endpoints are enabled", "low", "platform", PROFILING, "Set --profiling=false.", (c) => booleanFlag(c, "profiling", false, true, "/debug/pprof is served")),
  scheduler("bind-address", "The secure port is served to the network", "low", "network", BIND, "Set --bind-address=127.0.0.1.", boundBeyondLocalhost),
];
