/**
 * The kubelet's configuration file (KubeletConfiguration, kubelet.config.k8s.io/v1beta1,
 * kubeadm's /var/lib/kubelet/config.yaml): who may reach the API every node serves, which
 * runs commands in any of its pods. An unset field takes the v1beta1 default, which the
 * messages name. A zero duration is unset too: kubeadm writes `0s` for every duration it
 * leaves alone (streamingConnectionIdleTimeout: 0s is 4h), so no rule reads one.
 */
import type { Pillar, Rule, Severity } from "../findings/types.js";
import { valueAt, type FieldPath, type K8sObject } from "../k8s/types.js";

export interface KubeletVerdict {
  path: FieldPath;
  message: string;
}

export interface KubeletRule extends Rule {
  check(config: K8sObject): KubeletVerdict | undefined;
}

export function isKubeletConfiguration(object: K8sObject): boolean {
  return object.kind === "KubeletConfiguration" && typeof object.apiVersion === "string" && object.apiVersion.startsWith("kubelet.config.k8s.io/");
}

function rule(id: string, title: string, severity: Severity, pillar: Pillar, description: string, remediation: string, check: KubeletRule["check"]): KubeletRule {
  return { id: `kubelet/${id}`, title, family: "hardening", pillar, severity, docs: { description, remediation, helpUri: "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/" }, check };
}

/** A field's value as written, or its v1beta1 default; the verdict says which. */
function field(config: K8sObject, path: FieldPath, byDefault: unknown): { value: unknown; set: boolean; name: string } {
  const value = valueAt(config, path);
  return value === undefined ? { value: byDefault, set: false, name: path.join(".") } : { value, set: true, name: path.join(".") };
}

const said = (f: { value: unknown; set: boolean; name: string }) => (f.set ? `${f.name}: ${JSON.stringify(f.value)}` : `${f.name} is not set, and defaults to ${JSON.stringify(f.value)}`);

/** A boolean that must be true, judged at its default when unset. */
function mustBeTrue(path: FieldPath, byDefault: boolean): KubeletRule["check"] {
  return (c) => {
    const f = field(c, path, byDefault);
    return f.value === true ? undefined : { path, message: said(f) };
  };
}

/** A boolean whose default (true) is safe: only an explicit false is reported. */
function notSetFalse(path: FieldPath): KubeletRule["check"] {
  return (c) => (valueAt(c, path) === false ? { path, message: `${path.join(".")}: false` } : undefined);
}

export const KUBELET_RULES: readonly KubeletRule[] = [
  rule(
    "anonymous-auth",
    "Anonymous requests to the kubelet are served",
    "high",
    "identity",
    "With authentication.anonymous.enabled: true, requests to the kubelet's API (port 10250) without credentials are served as system:anonymous; with a permissive authorizer that is exec into every pod on the node.",
    "Set authentication.anonymous.enabled: false (the v1beta1 default).",
    (c) => {
      const f = field(c, ["authentication", "anonymous", "enabled"], false);
      return f.value === true ? { path: ["authentication", "anonymous", "enabled"], message: `${said(f)}: unauthenticated requests reach the kubelet's API` } : undefined;
    },
  ),
  rule(
    "webhook-authentication",
    "The kubelet does not check bearer tokens",
    "medium",
    "identity",
    "With authentication.webhook.enabled: false, the kubelet cannot verify bearer tokens with the API server: only client certificates authenticate, and token-bearing callers are treated as anonymous.",
    "Set authentication.webhook.enabled: true (the v1beta1 default).",
    (c) => {
      const f = field(c, ["authentication", "webhook", "enabled"], true);
      return f.value === false ? { path: ["authentication", "webhook", "enabled"], message: `${said(f)}: bearer tokens are not verified` } : undefined;
    },
  ),
  rule(
    "always-allow",
    "The kubelet authorizes every request",
    "critical",
    "identity",
    "authorization.mode: AlwaysAllow lets every caller the kubelet authenticates (and every anonymous one, if allowed) run commands in any pod on the node, read its logs and secrets volumes.",
    "Set authorization.mode: Webhook (the v1beta1 default), so the API server's RBAC decides (nodes/proxy, nodes/log...).",
    (c) => {
      const f = field(c, ["authorization", "mode"], "Webhook");
      return f.value === "AlwaysAllow" ? { path: ["authorization", "mode"], message: `${said(f)}: every authenticated caller may exec into any pod on the node` } : undefined;
    },
  ),
  rule(
    "read-only-port",
    "The kubelet's read-only port is open",
    "medium",
    "network",
    "readOnlyPort serves pod specs, environment values and node details without any authentication (port 10255 by convention).",
    "Set readOnlyPort: 0 (the v1beta1 default).",
    (c) => {
      const f = field(c, ["readOnlyPort"], 0);
      return typeof f.value === "number" && f.value > 0 ? { path: ["readOnlyPort"], message: `readOnlyPort: ${f.value} serves pods and node details without authentication` } : undefined;
    },
  ),
  rule(
    "client-ca",
    "The kubelet has no CA for client certificates",
    "medium",
    "identity",
    "Without authentication.x509.clientCAFile the kubelet cannot authenticate the API server's client certificate (exec, logs, port-forward), so those either fail or are left to weaker paths.",
    "Set authentication.x509.clientCAFile to the cluster CA (kubeadm: /etc/kubernetes/pki/ca.crt).",
    (c) => (valueAt(c, ["authentication", "x509", "clientCAFile"]) ? undefined : { path: ["authentication", "x509", "clientCAFile"], message: "authentication.x509.clientCAFile is not set" }),
  ),
  rule(
    "rotate-certificates",
    "The kubelet's client certificate is not rotated",
    "medium",
    "identity",
    "Unless rotateCertificates is true (the v1beta1 default is false), the kubelet keeps its client certificate until it expires, and the node then drops out of the cluster; rotation renews it from the API server ahead of time.",
    "Set rotateCertificates: true (kubeadm does).",
    mustBeTrue(["rotateCertificates"], false),
  ),
  rule(
    "protect-kernel-defaults",
    "The kubelet may change kernel settings",
    "low",
    "platform",
    "Without protectKernelDefaults: true the kubelet silently changes kernel tunables it wants, instead of refusing to start on a node whose hardened settings differ.",
    "Set protectKernelDefaults: true once the node's sysctls match what the kubelet expects.",
    mustBeTrue(["protectKernelDefaults"], false),
  ),
  rule(
    "iptables-util-chains",
    "The kubelet does not manage its iptables chains",
    "low",
    "network",
    "makeIPTablesUtilChains: false leaves the kubelet's KUBE-FIREWALL chains to someone else, and the traffic they drop (to 127.0.0.0/8 from outside) may be let through.",
    "Set makeIPTablesUtilChains: true (the v1beta1 default).",
    notSetFalse(["makeIPTablesUtilChains"]),
  ),
  rule(
    "seccomp-default",
    "Pods without a seccomp profile run unconfined",
    "low",
    "workload",
    "Without seccompDefault: true, a container whose pod names no seccomp profile runs with every system call allowed; with it, the container runtime's default profile applies.",
    "Set seccompDefault: true (GA since v1.27), after checking that workloads run under RuntimeDefault.",
    mustBeTrue(["seccompDefault"], false),
  ),
];
