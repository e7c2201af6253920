/**
 * The kubelet's configuration file (KubeletConfiguration, kubelet.config.k8s.io/v1beta1,
 * kubeadm's /var/lib/kubelet/config.yaml): who may reach the API every node serves, which
 * runs commands in any of its pods. An unset field takes the v1beta1 default, which the
 * messages name. A zero duration is unset too: kubeadm writes `0s` for every duration it
 * leaves alone (streamingConnectionIdleTimeout: 0s is 4h), so no rule reads one.
 */
import type { Pillar, Rule, Severity } from "../findings/types.js";
import { formatFieldPath, valueAt, type FieldPath, type K8sObject } from "../k8s/types.js";
import { kubeletConfigTypeErrors } from "./kubelet-config-types.js";

/**
 * One setting of the kubelet's effective configuration, as a rule reads it: its value, how
 * the finding says where it comes from (`readOnlyPort: 10255`, `--read-only-port=10255`,
 * `rotateCertificates is not set, and defaults to false`), and where the finding points.
 */
export interface KubeletSetting {
  value: unknown;
  said: string;
  path: FieldPath;
  /**
   * What decided it: the configuration file, a command-line flag, a default, or a flag of
   * the kubelet that reads this file (then the file's finding is not the kubelet's truth).
   */
  origin: "file" | "flag" | "default" | "overridden" | "unknown";
}

/** The kubelet's configuration as the rules read it: a field (as KubeletConfiguration v1beta1 names it) and its v1beta1 default. */
export interface KubeletSettings {
  get(field: FieldPath, byDefault: unknown): KubeletSetting;
  /** Why the kubelet cannot load the configuration file at all (a field of the wrong type), when it cannot. */
  refusal?: KubeletVerdict;
}

export interface KubeletVerdict {
  setting: KubeletSetting;
  message: string;
}

export interface KubeletRule extends Rule {
  check(config: KubeletSettings): KubeletVerdict | undefined;
}

export function isKubeletConfiguration(object: K8sObject): boolean {
  return object.kind === "KubeletConfiguration" && typeof object.apiVersion === "string" && object.apiVersion.startsWith("kubelet.config.k8s.io/");
}

/**
 * A KubeletConfiguration file's settings: a field as written, or its v1beta1 default. Fields
 * in `overridden` are set by a flag of the kubelet that reads the file, which wins
 * (cmd/kubelet/app/server.go kubeletConfigFlagPrecedence): the file's value is not used.
 */
export function fileSettings(config: K8sObject, overridden: ReadonlySet<string> = new Set()): KubeletSettings {
  const typeErrors = kubeletConfigTypeErrors(config);
  const refused = new Set(typeErrors.map((e) => e.path.join(".")));
  const first = typeErrors[0];
  return {
    get(path, byDefault) {
      const value = valueAt(config, path);
      const name = path.join(".");
      // A value of the wrong type is no setting at all: the file is refused (refusal below), not read with it unset.
      if (refused.has(name)) return { value: undefined, said: `${name} is of the wrong type`, path, origin: "unknown" };
      const origin = overridden.has(name) ? "overridden" : value === undefined ? "default" : "file";
      return value === undefined ? { value: byDefault, said: `${name} is not set, and defaults to ${JSON.stringify(byDefault)}`, path, origin } : { value, said: `${name}: ${JSON.stringify(value)}`, path, origin };
    },
    ...(first
      ? {
          refusal: {
            // A flag that sets the same field does not help: the kubelet decodes the whole file before it applies its flags.
            setting: { value: undefined, said: first.path.join("."), path: first.path, origin: "file" },
            message: `${formatFieldPath(first.path)} is ${first.found} where the kubelet takes ${first.expected}: the kubelet cannot load this file and exits, so none of its settings is in force (failed to decode: ${first.error})`,
          },
        }
      : {}),
  };
}

function rule(id: string, title: string, severity: Severity, pillar: Pillar, description: string, remediation: string, check: KubeletRule["check"]): KubeletRule {
  return { id: `kubelet/${id}`, title, family: "hardening", pillar, severity, docs: { description, remediation, helpUri: "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/" }, check };
}

/** A boolean that must be true, judged at its default when unset. */
function mustBeTrue(path: FieldPath, byDefault: boolean): KubeletRule["check"] {
  return (c) => {
    const f = c.get(path, byDefault);
    return f.value === true ? undefined : { setting: f, message: f.said };
  };
}

/** A boolean whose default (true) is safe: only an explicit false is reported. */
function notSetFalse(path: FieldPath): KubeletRule["check"] {
  return (c) => {
    const f = c.get(path, true);
    return f.value === false ? { setting: f, message: f.said } : undefined;
  };
}

export const KUBELET_RULES: readonly KubeletRule[] = [
  rule(
    "config-refused",
    "The kubelet cannot load its configuration file",
    "medium",
    "platform",
    "A KubeletConfiguration field of the wrong type (authentication.anonymous.enabled: \"false\" quoted where a boolean belongs, readOnlyPort: \"10255\" where an int32 does) fails the kubelet's decoding of the whole file (DecodeKubeletConfiguration: its lenient fallback forgives unknown fields, not types): the kubelet exits at start, the node stays NotReady, and none of the file's settings, the secure ones included, is in force. Reported once, at the first such value in the order the kubelet decodes (the keys sorted), in its words; the field is not judged by the other kubelet rules as if it were unset.",
    "Write the value in its type: booleans and numbers unquoted (enabled: false, readOnlyPort: 0); `kubelet --config FILE` prints the same error.",
    (c) => c.refusal,
  ),
  rule(
    "anonymous-auth",
    "Anonymous requests to the kubelet are served",
    "high",
    "identity",
    "With authentication.anonymous.enabled: true, requests to the kubelet's API (port 10250) without credentials are served as system:anonymous; with a permissive authorizer that is exec into every pod on the node.",
    "Set authentication.anonymous.enabled: false (the v1beta1 default).",
    (c) => {
      const f = c.get(["authentication", "anonymous", "enabled"], false);
      return f.value === true ? { setting: f, message: `${f.said}: unauthenticated requests reach the kubelet's API` } : undefined;
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
      const f = c.get(["authentication", "webhook", "enabled"], true);
      return f.value === false ? { setting: f, message: `${f.said}: bearer tokens are not verified` } : undefined;
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
      const f = c.get(["authorization", "mode"], "Webhook");
      return f.value === "AlwaysAllow" ? { setting: f, message: `${f.said}: every authenticated caller may exec into any pod on the node` } : undefined;
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
      const f = c.get(["readOnlyPort"], 0);
      return typeof f.value === "number" && f.value > 0 ? { setting: f, message: `${f.said}${f.origin === "default" ? ", which" : ""} serves pods and node details without authentication` } : undefined;
    },
  ),
  rule(
    "client-ca",
    "The kubelet has no CA for client certificates",
    "medium",
    "identity",
    "Without authentication.x509.clientCAFile the kubelet cannot authenticate the API server's client certificate (exec, logs, port-forward), so those either fail or are left to weaker paths.",
    "Set authentication.x509.clientCAFile to the cluster CA (kubeadm: /etc/kubernetes/pki/ca.crt).",
    (c) => {
      const f = c.get(["authentication", "x509", "clientCAFile"], "");
      if (f.value) return undefined;
      return { setting: f, message: f.origin === "file" || f.origin === "flag" ? `${f.said}: no client certificate is verified` : f.said.replace(/, and (?:without --config )?defaults to ""$/, "") };
    },
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
