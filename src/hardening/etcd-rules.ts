/**
 * etcd as a static pod (kubeadm's /etc/kubernetes/manifests/etcd.yaml): the store of every
 * Secret, so whoever reaches it without a client certificate reads them all.
 */
import { booleanFlag, flag, flagRules, isLoopbackHost, type FlagRule, type FlagVerdict } from "./flag-rule.js";
import { listValue, type ControlPlaneContainer } from "./flags.js";
import { withoutUserinfo } from "./url-text.js";

const rule = flagRules("etcd");

/** An http:// URL in a --listen-*-urls flag that another machine can reach. */
function plainRemoteUrl(c: ControlPlaneContainer, name: string, byDefault: string): FlagVerdict | undefined {
  const f = flag(c, name);
  for (const url of f ? listValue(f) : [byDefault]) {
    const match = /^http:\/\/(\[[^\]]+\]|[^/:]+)/i.exec(url);
    // Named as set: the flag, or the ETCD_* variable etcd read it from.
    const setBy = f?.written.startsWith("ETCD_") ? f.written.slice(0, f.written.indexOf("=")) : `--${name}`;
    if (match && !isLoopbackHost(match[1] ?? "")) return f ? { message: `${setBy} includes ${withoutUserinfo(url)}: plain HTTP that other machines can reach`, flag: f } : { message: `--${name} is not set, and defaults to ${byDefault}` };
  }
  return undefined;
}

export const ETCD_RULES: readonly FlagRule[] = [
  rule(
    "client-cert-auth",
    "Clients are not required to present a certificate",
    "critical",
    "data",
    "Without --client-cert-auth=true, etcd serves anyone who can reach its client port: every Secret, every token, the whole cluster's state, read and written without a trace in the API server's audit log.",
    "Set --client-cert-auth=true with --trusted-ca-file, and give kube-apiserver a client certificate (--etcd-certfile, --etcd-keyfile).",
    (c) => booleanFlag(c, "client-cert-auth", true, false, "clients need no certificate, so whoever reaches etcd reads every Secret"),
  ),
  rule(
    "auto-tls",
    "Clients are served a self-signed certificate",
    "medium",
    "data",
    "--auto-tls=true makes etcd generate its own certificate, which no client can verify: a client then either skips verification or cannot connect.",
    "Remove --auto-tls and serve --cert-file/--key-file signed by the etcd CA.",
    (c) => booleanFlag(c, "auto-tls", false, false, "a self-signed certificate nobody can verify"),
  ),
  rule(
    "peer-client-cert-auth",
    "Peers are not required to present a certificate",
    "high",
    "data",
    "Without --peer-client-cert-auth=true, any machine that reaches the peer port can join the etcd cluster and receive a copy of all data.",
    "Set --peer-client-cert-auth=true with --peer-trusted-ca-file, --peer-cert-file and --peer-key-file.",
    (c) => booleanFlag(c, "peer-client-cert-auth", true, false, "any machine that reaches the peer port can join and replicate all data"),
  ),
  rule(
    "peer-auto-tls",
    "Peers are served a self-signed certificate",
    "medium",
    "data",
    "--peer-auto-tls=true makes etcd members use self-generated certificates that no peer can verify.",
    "Remove --peer-auto-tls and use --peer-cert-file/--peer-key-file signed by the etcd CA.",
    (c) => booleanFlag(c, "peer-auto-tls", false, false, "self-signed peer certificates nobody can verify"),
  ),
  rule(
    "plain-http",
    "etcd listens for clients or peers over plain HTTP",
    "high",
    "data",
    "An http:// listen URL on an address other machines reach carries Secrets in clear text (clients) or the whole replicated store (peers).",
    "Listen on https:// URLs only (kubeadm: https://127.0.0.1:2379 and https://NODE-IP:2379, https://NODE-IP:2380), with --cert-file/--key-file and --peer-cert-file/--peer-key-file.",
    (c) => plainRemoteUrl(c, "listen-client-urls", "http://localhost:2379") ?? plainRemoteUrl(c, "listen-peer-urls", "http://localhost:2380"),
  ),
];
