import { booleanFlag, flag, flagRules, type FlagRule, type FlagVerdict } from "./flag-rule.js";
import { namesModeInvalidly } from "./apiserver-authorization-refusals.js";
import { listValue } from "./flags.js";
import { urlListWithoutUserinfo } from "./url-text.js";

const rule = flagRules("kube-apiserver");

export const APISERVER_RULES: readonly FlagRule[] = [
  rule(
    "anonymous-auth",
    "Anonymous requests are served",
    "high",
    "identity",
    "With --anonymous-auth unset or true, requests without credentials are served as system:anonymous; zero trust authenticates every request.",
    "Set --anonymous-auth=false (or limit anonymous access to health endpoints with an AuthenticationConfiguration).",
    // With --authentication-config and no --anonymous-auth, the file may decide: apiserver-config-files.ts judges that.
    (c) => (flag(c, "authentication-config") && !flag(c, "anonymous-auth") ? undefined : booleanFlag(c, "anonymous-auth", false, true, "unauthenticated requests are served as system:anonymous")),
  ),
  rule(
    "always-allow",
    "Authorization allows every request",
    "critical",
    "identity",
    "The AlwaysAllow authorizer grants every request it is asked about; it is what kube-apiserver uses when neither --authorization-mode nor --authorization-config is set.",
    "Use --authorization-mode=Node,RBAC.",
    (c) => {
      const f = flag(c, "authorization-mode");
      const modes = listValue(f);
      if (modes.includes("AlwaysAllow")) return { message: `--authorization-mode=${f?.value} includes AlwaysAllow`, ...(f ? { flag: f } : {}) };
      if (!f && !flag(c, "authorization-config")) {
        // Complete() gives AlwaysAllow to no modes at all, whether the flag is missing or empty.
        const empty = c.flags.get("authorization-mode");
        if (empty) return { message: "--authorization-mode is empty and --authorization-config is not set, so kube-apiserver uses AlwaysAllow", flag: empty };
        return { message: "neither --authorization-mode nor --authorization-config is set, and --authorization-mode defaults to AlwaysAllow" };
      }
      return undefined;
    },
  ),
  rule(
    "rbac-disabled",
    "RBAC authorization is not enabled",
    "high",
    "identity",
    "Without the RBAC authorizer, least-privilege Roles and bindings have no effect.",
    "Include RBAC in --authorization-mode (e.g. Node,RBAC).",
    (c) => {
      const f = flag(c, "authorization-mode");
      if (!f || flag(c, "authorization-config")) return undefined;
      // A miscased `rbac` stops kube-apiserver (refuses-to-start names it): "does not include RBAC" would point the wrong way.
      const modes = listValue(f);
      return modes.includes("RBAC") || namesModeInvalidly(modes, "RBAC") ? undefined : { message: `--authorization-mode=${f.value} does not include RBAC`, flag: f };
    },
  ),
  rule(
    "node-restriction",
    "The NodeRestriction admission plugin is not enabled",
    "high",
    "identity",
    "NodeRestriction limits each kubelet to its own Node and pods; without it a compromised node can relabel others and steer workloads.",
    "Add NodeRestriction to --enable-admission-plugins.",
    (c) => {
      const f = admissionPluginsFlag(c);
      return listValue(f).includes("NodeRestriction") ? undefined : { message: f ? `--${f.name}=${f.value} lacks NodeRestriction` : "--enable-admission-plugins does not enable NodeRestriction", ...(f ? { flag: f } : {}) };
    },
  ),
  rule(
    "encryption-at-rest",
    "Secrets are not encrypted at rest",
    "high",
    "data",
    "Without --encryption-provider-config, kube-apiserver writes Secrets to etcd in plaintext.",
    "Write an EncryptionConfiguration (aesgcm with rotation, secretbox, or KMS v2) and pass it with --encryption-provider-config; check it with `palisade encryption check`.",
    (c) => (flag(c, "encryption-provider-config") ? undefined : { message: "--encryption-provider-config is not set: Secrets are stored in etcd in plaintext" }),
  ),
  rule(
    "audit-log",
    "No audit log",
    "medium",
    "platform",
    "Without --audit-log-path (or an audit webhook) and an --audit-policy-file, there is no record of who did what.",
    "Set --audit-policy-file and --audit-log-path (or --audit-webhook-config-file).",
    (c) => {
      if (!flag(c, "audit-policy-file")) return { message: "--audit-policy-file is not set: nothing is audited" };
      if (!flag(c, "audit-log-path") && !flag(c, "audit-webhook-config-file")) return { message: "no audit backend: set --audit-log-path or --audit-webhook-config-file" };
      return undefined;
    },
  ),
  rule(
    "audit-log-retention",
    "Audit logs are kept only briefly",
    "low",
    "platform",
    "kube-apiserver rotates its audit log file (lumberjack) and deletes rotated files older than --audit-log-maxage days or beyond --audit-log-maxbackup files, each --audit-log-maxsize MB (100 when 0). Unset (0), nothing is deleted; set low, the evidence of an intrusion is gone before anyone looks (CIS 1.2.17-1.2.19 ask for 30 days, 10 files, 100 MB).",
    "Set --audit-log-maxage=30 (or more), --audit-log-maxbackup=10 and --audit-log-maxsize=100, or ship the log elsewhere (--audit-webhook-config-file).",
    auditLogRetention,
  ),
  rule(
    "profiling",
    "Profiling endpoints are enabled",
    "low",
    "platform",
    "--profiling exposes /debug/pprof, which leaks internals and costs CPU; it defaults to true.",
    "Set --profiling=false.",
    (c) => booleanFlag(c, "profiling", false, true, "/debug/pprof is served"),
  ),
  rule(
    "etcd-tls",
    "etcd is reached without TLS client authentication",
    "critical",
    "data",
    "kube-apiserver must reach etcd over https with a client certificate and verify etcd's CA; anyone who reaches etcd otherwise reads every Secret.",
    "Use https:// --etcd-servers with --etcd-cafile, --etcd-certfile and --etcd-keyfile.",
    (c) => {
      const servers = flag(c, "etcd-servers");
      if (servers && listValue(servers).some((s) => /^http:\/\//i.test(s))) return { message: `--etcd-servers=${urlListWithoutUserinfo(servers.value)} uses plain http`, flag: servers };
      const missing = ["etcd-cafile", "etcd-certfile", "etcd-keyfile"].filter((n) => !flag(c, n));
      return missing.length ? { message: `missing ${missing.map((m) => `--${m}`).join(", ")}` } : undefined;
    },
  ),
  rule(
    "kubelet-tls",
    "The kubelet's serving certificate is not verified",
    "medium",
    "platform",
    "Without --kubelet-certificate-authority, kube-apiserver does not verify the kubelets it connects to (exec, logs, port-forward).",
    "Set --kubelet-certificate-authority to the CA that signs kubelet serving certificates.",
    (c) => (flag(c, "kubelet-certificate-authority") ? undefined : { message: "--kubelet-certificate-authority is not set" }),
  ),
  rule(
    "token-auth-file",
    "Static bearer tokens are accepted",
    "medium",
    "identity",
    "Tokens in --token-auth-file never expire and cannot be revoked without a restart.",
    "Use OIDC, client certificates or service-account tokens; check the file with `palisade authn token-file`.",
    (c) => {
      const f = flag(c, "token-auth-file");
      return f ? { message: `--token-auth-file=${f.value} accepts long-lived static tokens`, flag: f } : undefined;
    },
  ),
  rule(
    "insecure-port",
    "An unauthenticated insecure port is open",
    "critical",
    "identity",
    "--insecure-port (removed in 1.24) serves the API without authentication or authorization.",
    "Set --insecure-port=0 or upgrade.",
    (c) => {
      const f = flag(c, "insecure-port");
      return f && f.value !== "0" ? { message: `--insecure-port=${f.value} serves the API without authentication`, flag: f } : undefined;
    },
  ),
  rule(
    "tls-min-version",
    "TLS below 1.2 is accepted",
    "medium",
    "network",
    "TLS 1.0 and 1.1 are broken; --tls-min-version should be VersionTLS12 or VersionTLS13.",
    "Set --tls-min-version=VersionTLS12 (or 13).",
    (c) => {
      const f = flag(c, "tls-min-version");
      return f && (f.value === "VersionTLS10" || f.value === "VersionTLS11") ? { message: `--tls-min-version=${f.value}`, flag: f } : undefined;
    },
  ),
  rule(
    "service-account-lookup",
    "Deleted service accounts' tokens stay valid",
    "medium",
    "identity",
    "With --service-account-lookup=false, tokens of deleted service accounts keep working.",
    "Remove --service-account-lookup=false.",
    (c) => booleanFlag(c, "service-account-lookup", true, true, "tokens of deleted service accounts are accepted"),
  ),
  rule(
    "kubelet-client-cert",
    "kube-apiserver has no client certificate for the kubelets",
    "medium",
    "identity",
    "Without --kubelet-client-certificate and --kubelet-client-key, kube-apiserver reaches the kubelets (exec, logs, port-forward) without credentials: those fail unless the kubelets serve anonymous requests, which is how such clusters end up with kubelets open to anyone.",
    "Set --kubelet-client-certificate and --kubelet-client-key (kubeadm: /etc/kubernetes/pki/apiserver-kubelet-client.crt and .key, in group kubeadm:cluster-admins or system:masters).",
    (c) => {
      const missing = ["kubelet-client-certificate", "kubelet-client-key"].filter((n) => !flag(c, n));
      return missing.length ? { message: `${missing.map((m) => `--${m}`).join(" and ")} ${missing.length === 1 ? "is" : "are"} not set: kube-apiserver reaches the kubelets without a client certificate` } : undefined;
    },
  ),
  rule(
    "node-authorizer",
    "The Node authorizer is not enabled",
    "medium",
    "identity",
    "The Node authorizer limits each kubelet to the Secrets, ConfigMaps and volumes of the pods bound to its own node; without it a kubelet needs broad RBAC grants, and one compromised node reads every Secret in the cluster.",
    "Include Node in --authorization-mode, before RBAC (Node,RBAC), with the NodeRestriction admission plugin.",
    (c) => {
      const f = flag(c, "authorization-mode");
      if (!f || flag(c, "authorization-config")) return undefined;
      const modes = listValue(f);
      return modes.includes("Node") || namesModeInvalidly(modes, "Node") ? undefined : { message: `--authorization-mode=${f.value} does not include Node`, flag: f };
    },
  ),
  rule(
    "always-admit",
    "The AlwaysAdmit admission plugin is enabled",
    "high",
    "workload",
    "AlwaysAdmit (deprecated) admits every request whatever the other plugins decide.",
    "Remove AlwaysAdmit from --enable-admission-plugins.",
    (c) => {
      const f = admissionPluginsFlag(c);
      return f && listValue(f).includes("AlwaysAdmit") ? { message: `--${f.name}=${f.value} includes AlwaysAdmit`, flag: f } : undefined;
    },
  ),
  rule(
    "tls-cipher-suites",
    "Insecure TLS cipher suites are accepted",
    "medium",
    "network",
    "--tls-cipher-suites names suites that Go's crypto/tls (and component-base's cliflag.InsecureTLSCipherNames) lists as insecure: RC4, 3DES, and CBC with SHA-256 (Lucky13).",
    "Remove them from --tls-cipher-suites (or leave it unset for Go's secure defaults), or set --tls-min-version=VersionTLS13.",
    (c) => {
      const f = flag(c, "tls-cipher-suites");
      // TLS 1.3 suites are not configurable: with it as the minimum, this list is never used.
      if (!f || flag(c, "tls-min-version")?.value === "VersionTLS13") return undefined;
      const insecure = listValue(f).filter((suite) => INSECURE_CIPHER_SUITES.has(suite));
      return insecure.length ? { message: `--tls-cipher-suites includes ${insecure.join(", ")}`, flag: f } : undefined;
    },
  ),
];

/** The first of --audit-log-maxage, --audit-log-maxbackup, --audit-log-maxsize that deletes audit history early; none when the log is not a file. */
function auditLogRetention(c: Parameters<typeof flag>[0]): FlagVerdict | undefined {
  const path = flag(c, "audit-log-path");
  if (!path || path.value === "-") return undefined;
  // pflag IntVar: a value that is not a plain integer stops kube-apiserver; only decimals are judged here.
  const number = (name: string) => {
    const f = flag(c, name);
    return f && /^\+?\d+$/.test(f.value) ? { f, n: Number(f.value) } : undefined;
  };
  const age = number("audit-log-maxage");
  if (age && age.n > 0 && age.n < 30) return { message: `--audit-log-maxage=${age.f.value}: rotated audit logs are deleted after ${age.n} day${age.n === 1 ? "" : "s"}`, flag: age.f };
  const backups = number("audit-log-maxbackup");
  if (!backups || backups.n === 0) return undefined;
  const size = number("audit-log-maxsize");
  const mb = size && size.n > 0 ? size.n : 100;
  if (backups.n < 10 || mb < 100) return { message: `--audit-log-maxbackup=${backups.f.value}${size ? ` with --audit-log-maxsize=${size.f.value}` : ""}: at most ${(backups.n + 1) * mb} MB of audit history is kept`, flag: backups.n < 10 ? backups.f : (size?.f ?? backups.f) };
  return undefined;
}

/**
 * The flag that lists the enabled admission plugins: --enable-admission-plugins, else the
 * deprecated --admission-control, which names the whole list (kube-apiserver refuses both together).
 */
function admissionPluginsFlag(c: Parameters<typeof flag>[0]): ReturnType<typeof flag> {
  return flag(c, "enable-admission-plugins") ?? flag(c, "admission-control");
}

/** Go's tls.InsecureCipherSuites(), which component-base's cliflag.InsecureTLSCipherNames() returns. */
const INSECURE_CIPHER_SUITES = new Set([
  "TLS_RSA_WITH_RC4_128_SHA",
  "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
  "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
  "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
]);

