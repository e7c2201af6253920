/**
 * Kubeconfig rules: what a kubeconfig in a repository, an image or a CI secret gives away
 * or lets through. Each is a small record with one check over the file's entries, as the
 * control-plane flag rules are. No message ever holds a token, password or key.
 */
import type { Pillar, Rule, Severity } from "../../findings/types.js";
import type { FieldPath } from "../../k8s/types.js";
import { authenticatesAsSystemMasters } from "../pki/client-auth.js";
import type { TrustBundle } from "../pki/client-ca.js";
import { trustAnchorFindings } from "../pki/trust-anchors.js";
import { formatValidityStart, isNotYetValid, notBeforeOf } from "../pki/validity.js";
import { expiryOf, hasWeakKey, inDays, type CertificateFacts } from "../x509.js";
import type { Refusal } from "./client-go-refusals.js";
import type { MissingUser } from "./missing-user.js";
import type { KubeconfigCluster, KubeconfigUser } from "./read.js";
import { serverNameMismatches } from "./server-name.js";
import { withoutUserinfo } from "../url-text.js";
import { looksLikeSecretName } from "../../secrets/names.js";
import { credentialArguments } from "../../secrets/arguments.js";
import { proxyCredentialsInClear } from "./proxy-url.js";

/** A certificate in the file, or in a file it names, read once for every rule. */
export type CertificateReading = { facts: CertificateFacts; path: FieldPath; what: string } | { problem: string; path: FieldPath; what: string };

/** A cluster's certificate-authority-data (or the certificate-authority file) read as the roots client-go verifies the API server with. */
export interface CaBundleReading {
  path: FieldPath;
  cluster: KubeconfigCluster;
  bundle: TrustBundle;
}

/** A file the kubeconfig names that client-go cannot read (or that was too large to judge), at the field naming it. */
export interface UnreadableFile {
  path: FieldPath;
  message: string;
  severity?: Severity;
}

export interface KubeconfigFacts {
  clusters: KubeconfigCluster[];
  users: KubeconfigUser[];
  certificates: CertificateReading[];
  caBundles: CaBundleReading[];
  unreadableFiles: UnreadableFile[];
  /** What kubectl and client-go refuse before sending a request (client-go-refusals.ts). */
  refusals: Refusal[];
  /** Contexts whose user the file lacks, which send no credentials (missing-user.ts). */
  missingUsers: MissingUser[];
}

export interface KubeconfigVerdict {
  path: FieldPath;
  message: string;
  /** Set when it differs from the rule's. */
  severity?: Severity;
}

export interface KubeconfigRule extends Rule {
  /** `now` is absent when the caller gave no clock: rules about time then say nothing. */
  check(config: KubeconfigFacts, now: Date | undefined): KubeconfigVerdict[];
}

function rule(id: string, title: string, severity: Severity, pillar: Pillar, description: string, remediation: string, check: KubeconfigRule["check"]): KubeconfigRule {
  return { id: `kubeconfig/${id}`, title, family: "kubeconfig", pillar, severity, docs: { description, remediation, helpUri: "https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/" }, check };
}

/**
 * The keys of an auth provider's config that hold credentials: client-go's oidc plugin
 * (plugin/pkg/client/auth/oidc) sends id-token as the bearer token and refreshes it with
 * refresh-token and client-secret; the removed gcp and azure plugins cached an access-token
 * (and azure a refresh-token) there.
 */
const AUTH_PROVIDER_CREDENTIALS = ["id-token", "refresh-token", "client-secret", "access-token"] as const;

function authProviderTokens(u: KubeconfigUser): KubeconfigVerdict[] {
  const provider = u.user["auth-provider"];
  const settings = provider !== null && typeof provider === "object" ? (provider as Record<string, unknown>).config : undefined;
  if (settings === null || typeof settings !== "object") return [];
  const stored = AUTH_PROVIDER_CREDENTIALS.filter((key) => {
    const value = (settings as Record<string, unknown>)[key];
    return typeof value === "string" && value !== "";
  });
  const first = stored[0];
  if (first === undefined) return [];
  const name = (provider as Record<string, unknown>).name;
  const which = typeof name === "string" && name !== "" ? `${name} auth provider` : "auth provider";
  return [{ path: [...u.path, "auth-provider", "config", first], message: `user ${u.name}'s ${which} stores ${stored.join(", ")} in the file: whoever reads the file can authenticate as this user` }];
}

const readable = (config: KubeconfigFacts) => config.certificates.flatMap((c) => ("facts" in c ? [{ ...c, facts: c.facts }] : []));

export const KUBECONFIG_RULES: readonly KubeconfigRule[] = [
  rule(
    "insecure-skip-tls-verify",
    "The API server's certificate is not verified",
    "high",
    "platform",
    "insecure-skip-tls-verify: true makes kubectl and every client of this file accept any certificate for the API server: anyone on the path can stand in for the cluster and collect the credentials sent to it.",
    "Remove insecure-skip-tls-verify and set certificate-authority-data (or certificate-authority) to the cluster's CA; `kubectl config view --raw --minify` on a trusted machine shows it.",
    (config) => config.clusters.filter((c) => c.insecureSkipTlsVerify === true).map((c) => ({ path: [...c.path, "insecure-skip-tls-verify"], message: `cluster ${c.name} skips verifying the API server's certificate` })),
  ),
  rule(
    "plain-http",
    "The API server is reached without TLS",
    "high",
    "platform",
    "An http:// server sends every request, credentials included, in clear text; kube-apiserver's secure port only serves HTTPS, so this is a proxy or the removed insecure port. A server written without a scheme (10.0.0.1:6443) is http:// to client-go too, whatever CA the cluster names (clientcmd asks rest.IsConfigTransportTLS before it merges any TLS setting): requests go in clear text without the user's credentials, and the API server's secure port refuses them (medium).",
    "Use the cluster's https:// endpoint with its CA.",
    (config) =>
      config.clusters.flatMap((c) => {
        if (typeof c.server !== "string" || c.server === "") return [];
        const path = [...c.path, "server"];
        const server = withoutUserinfo(c.server);
        if (/^http:\/\//i.test(server)) return [{ path, message: `cluster ${c.name} is reached over plain HTTP (${server})` }];
        if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(server)) return [];
        return [{ path, severity: "medium" as const, message: `cluster ${c.name}'s server ${server} has no scheme, so client-go reaches it over plain HTTP (as http://${server}) and uses neither the cluster's CA nor the user's credentials; write https://${server}` }];
      }),
  ),
  rule(
    "static-token",
    "A long-lived bearer token is stored in the file",
    "medium",
    "identity",
    "A token in a kubeconfig (a service account's, or a static token file's) works from anywhere until someone revokes it, and leaks with the file: into repositories, images and CI logs. Zero trust prefers short-lived credentials issued per session. An auth provider's config that holds tokens counts too: client-go's oidc plugin sends its id-token as the bearer token and, with the refresh-token and client-secret beside it, mints new ones for as long as the identity provider's session lives (an access-token of another provider is a bearer token as well). Only the key is named, never the value.",
    "Use an exec credential plugin or OIDC (kubelogin, gke-gcloud-auth-plugin, aws eks get-token), or a bound service-account token from the TokenRequest API with a short expiry; revoke the stored token. For the oidc auth provider, move to kubelogin (an exec plugin that keeps its tokens in its own cache, not in the kubeconfig) and revoke the refresh token at the identity provider.",
    (config) =>
      config.users.flatMap((u) => {
        const found =
          typeof u.user.token === "string" && u.user.token !== ""
            ? [{ path: [...u.path, "token"], message: `user ${u.name} authenticates with a bearer token stored in the file` }]
            : typeof u.user.tokenFile === "string"
              ? [{ path: [...u.path, "tokenFile"], message: `user ${u.name} authenticates with a long-lived bearer token read from ${u.user.tokenFile}` }]
              : [];
        return [...found, ...authProviderTokens(u)];
      }),
  ),
  rule(
    "client-key",
    "A client certificate's private key is stored in the file",
    "medium",
    "identity",
    "client-key-data puts the private key of a client certificate in the file: whoever copies the file is this user until the certificate expires, since Kubernetes cannot revoke a certificate. Short-lived credentials leave nothing worth copying.",
    "Use an exec credential plugin or OIDC for people and CI; where a certificate is needed, keep its key in a file only its owner can read (client-key) and rotate it often.",
    (config) => config.users.filter((u) => typeof u.user["client-key-data"] === "string" && u.user["client-key-data"] !== "").map((u) => ({ path: [...u.path, "client-key-data"], message: `user ${u.name} holds a client certificate's private key in the file` })),
  ),
  rule(
    "exec-env-secret",
    "A credential in an exec plugin's environment",
    "medium",
    "identity",
    "An exec credential plugin's env entries and args are written into the file in clear text: a secret access key or token placed there (AWS_SECRET_ACCESS_KEY, a TOKEN, an argument --token X or --client-secret=X) is a long-lived credential stored in the file, whatever short-lived token the plugin then makes of it. Arguments are judged as a container's command line is (secrets/inline-credential): a value that is a variable or a path is not reported.",
    "Leave credentials to the plugin's own store (aws configure, gcloud auth, a credential helper), and keep only names such as AWS_PROFILE in env and args.",
    (config) =>
      config.users.flatMap((u) => {
        const exec = u.user.exec;
        if (exec === null || typeof exec !== "object") return [];
        const { env, args } = exec as Record<string, unknown>;
        const inEnv = (Array.isArray(env) ? env : []).flatMap((item: unknown, i) => {
          const variable = item !== null && typeof item === "object" ? (item as Record<string, unknown>) : {};
          const name = typeof variable.name === "string" ? variable.name : "";
          // The one judgement of a credential's name the scan uses everywhere: AWS_SECRET_ACCESS_KEY is one, AWS_ACCESS_KEY_ID (an identifier) is not.
          return looksLikeSecretName(name) && typeof variable.value === "string" && variable.value !== "" ? [{ path: [...u.path, "exec", "env", i, "value"], message: `user ${u.name}'s exec plugin gets ${name} from the file in clear text` }] : [];
        });
        const words = Array.isArray(args) ? args.map((arg: unknown) => (typeof arg === "string" ? arg : "")) : [];
        const inArgs = credentialArguments(words).map(({ index, flag }) => ({ path: [...u.path, "exec", "args", index], message: `user ${u.name}'s exec plugin is given ${flag} with a value written in its args, in clear text` }));
        return [...inEnv, ...inArgs];
      }),
  ),
  rule(
    "basic-auth",
    "A password is stored in the file",
    "high",
    "identity",
    "HTTP basic authentication was removed from kube-apiserver in v1.19; a server that still takes a password is a proxy or an old cluster, and the password sits in the file in clear text.",
    "Remove username and password; authenticate with client certificates, OIDC or an exec credential plugin.",
    (config) => config.users.filter((u) => typeof u.user.password === "string").map((u) => ({ path: [...u.path, "password"], message: `user ${u.name} authenticates with a password stored in the file` })),
  ),
  rule(
    "removed-auth-provider",
    "An auth provider kubectl no longer has",
    "medium",
    "identity",
    "The gcp and azure auth-provider plugins were removed from kubectl and client-go in v1.26: this user no longer authenticates, and the refresh tokens it caches in the file stay there.",
    "Use the exec plugins that replace them: gke-gcloud-auth-plugin for GKE, kubelogin for AKS.",
    (config) =>
      config.users.flatMap((u) => {
        const provider = u.user["auth-provider"];
        const name = provider !== null && typeof provider === "object" ? (provider as Record<string, unknown>).name : undefined;
        return name === "gcp" || name === "azure" ? [{ path: [...u.path, "auth-provider", "name"], message: `user ${u.name} uses the ${name} auth provider, removed in kubectl v1.26` }] : [];
      }),
  ),
  rule(
    "system-masters",
    "A client certificate in group system:masters",
    "high",
    "identity",
    "kube-apiserver lets group system:masters do everything before RBAC or any authorization webhook is asked, and a client certificate cannot be revoked: whoever holds this file is cluster-admin until the cluster's CA is rotated. Judged as pki/system-masters judges it: a CA certificate counts too, keyUsage is ignored, and only an extended key usage without clientAuth, or an empty CommonName, keeps a certificate from authenticating; the certificate is assumed to chain to kube-apiserver's client CA, which the file does not name. kubeadm stopped issuing such certificates for admin.conf in v1.29.",
    "Keep system:masters certificates offline for break-glass use; give people a certificate or OIDC identity in an ordinary group bound to cluster-admin (kubeadm: kubeadm:cluster-admins), which RBAC can take away.",
    (config) =>
      readable(config)
        .filter((c) => c.what === "client certificate" && authenticatesAsSystemMasters(c.facts))
        .map((c) => ({ path: c.path, message: `the client certificate of ${c.facts.commonName}${c.facts.isCA ? ", a CA certificate kube-apiserver accepts as a client certificate all the same," : ""} is in group system:masters: it bypasses authorization and cannot be revoked` })),
  ),
  rule(
    "certificate-expired",
    "A certificate in the file has expired",
    "high",
    "platform",
    "An expired client certificate no longer authenticates, and an expired CA no longer verifies the API server: the file is broken, and the fix for a broken file is often insecure-skip-tls-verify.",
    "Renew the certificate (kubeadm certs renew, or your CA's process) and replace the data in the file.",
    (config, now) =>
      now === undefined
        ? []
        : readable(config)
            .filter((c) => expiryOf(c.facts, now).state === "expired")
            .map((c) => ({ path: c.path, message: `the ${c.what} expired on ${c.facts.notAfter.toISOString().slice(0, 10)}` })),
  ),
  rule(
    "certificate-not-yet-valid",
    "A certificate in the file is not valid yet",
    "medium",
    "platform",
    "A certificate whose validity starts after now (notBefore in the future) is refused like an expired one (Go's x509.Verify): a client certificate does not authenticate and a CA does not verify the API server until then. It was issued with a future start, or the clock of the machine that issued it runs ahead of this one's.",
    "Check the clocks (NTP) of the machine that issued the certificate and of this one; reissue the certificate with a start that is not in the future.",
    (config, now) =>
      now === undefined
        ? []
        : readable(config)
            .filter((c) => isNotYetValid(c.facts, now))
            .map((c) => ({ path: c.path, message: `the ${c.what} is not valid before ${formatValidityStart(notBeforeOf(c.facts))}: it is refused until then` })),
  ),
  rule(
    "certificate-expiring",
    "A certificate in the file expires within 30 days",
    "low",
    "platform",
    "A certificate that expires soon breaks every client of the file on that day.",
    "Renew the certificate before it expires and replace the data in the file.",
    (config, now) =>
      now === undefined
        ? []
        : readable(config)
            .filter((c) => expiryOf(c.facts, now).state === "expiring")
            .map((c) => ({ path: c.path, message: `the ${c.what} expires on ${c.facts.notAfter.toISOString().slice(0, 10)}, ${inDays(expiryOf(c.facts, now).days)}` })),
  ),
  rule(
    "weak-key",
    "A certificate with a weak key",
    "medium",
    "platform",
    "RSA keys below 2048 bits (and elliptic curves below 256 bits) can be broken: a client certificate's key forged, or a CA's used to sign certificates for the API server.",
    "Reissue the certificate with an RSA key of 2048 bits or more, or ECDSA P-256.",
    (config) =>
      readable(config)
        .filter((c) => hasWeakKey(c.facts))
        .map((c) => ({ path: c.path, message: `the ${c.what} has a ${c.facts.keyBits}-bit ${c.facts.keyType?.toUpperCase()} key` })),
  ),
  rule(
    "ca-cannot-sign",
    "A CA certificate Go never accepts for the API server",
    "medium",
    "platform",
    "kubectl and client-go verify the API server's certificate against certificate-authority-data (or the certificate-authority file) with Go's crypto/x509, asking serverAuth. A certificate there that Go never accepts as an issuer (not a CA by basicConstraints, a keyUsage without keyCertSign, an RSA key under 1024 bits, a critical extension Go does not handle, an extended key usage without serverAuth, or one Go cannot parse, which client-go's pool skips) makes every server certificate that chains only to it refused; when no certificate there is usable, nothing connects, and the usual fix is insecure-skip-tls-verify. Judged as pki/ca-cannot-sign judges a CA bundle: a certificate that may not sign is still trusted for itself, as a pinned server certificate, reported at info.",
    "Put the CA that signed the API server's certificate in certificate-authority-data (base64 -w0 < ca.crt); reissue a CA that lacks basicConstraints CA:TRUE, keyCertSign or serverAuth in its extended key usage, or has an RSA key under 2048 bits.",
    (config) =>
      config.caBundles.flatMap(({ path, bundle }) =>
        trustAnchorFindings([bundle], [], "servers").map((f) => ({ path, message: f.message, ...(f.severity ? { severity: f.severity } : {}) })),
      ),
  ),
  rule(
    "unreadable-certificate",
    "Certificate data that is not a certificate",
    "medium",
    "platform",
    "kubectl refuses a kubeconfig whose certificate it cannot read, written in the file (certificate-authority-data, client-certificate-data) or in a file it names (certificate-authority, client-certificate): the file does not work as written.",
    "Put the base64 of the PEM certificate in the field (base64 -w0 < cert.pem), or point certificate-authority or client-certificate at the PEM file.",
    (config) => config.certificates.flatMap((c) => ("problem" in c ? [{ path: c.path, message: `the ${c.what} ${c.problem}` }] : [])),
  ),
  rule(
    "unreadable-file",
    "A file the kubeconfig names cannot be read",
    "medium",
    "platform",
    "certificate-authority, client-certificate, client-key and tokenFile name files, a relative path being taken from the kubeconfig's own directory (client-go's ResolveLocalPaths; from the current directory for a kubeconfig read from standard input). kubectl stops with an error before it connects when such a file is missing or cannot be read (clientcmd's ConfirmUsable: unable to read certificate-authority), or is a directory (client-go's transport cannot read it); a tokenFile is read only when token is empty, for an https:// server. Only files inside the kubeconfig's directory are opened, symbolic links followed: one named elsewhere (an absolute path to another place) belongs to the machine the kubeconfig is used on and is not judged. A file over 4 MiB is not read, and is reported at info as not judged.",
    "Put the file where the path says, relative to the kubeconfig's directory, or write its content into the kubeconfig instead (certificate-authority-data, client-certificate-data: base64 -w0 < file).",
    (config) => config.unreadableFiles.map((f) => ({ path: f.path, message: f.message, ...(f.severity ? { severity: f.severity } : {}) })),
  ),
  rule(
    "server-name-mismatch",
    "A pinned server certificate that does not name the server",
    "high",
    "platform",
    "A certificate in certificate-authority-data (or the certificate-authority file) that may not sign anything (not a CA) is trusted only when the API server presents exactly that certificate, and Go still verifies the server's name against it first (crypto/x509 VerifyHostname): the cluster's tls-server-name, or else the host of its server URL. An IP address is matched only against the certificate's IP subjectAltNames, any other name against its DNS subjectAltNames (case-insensitively, with a wildcard only as a whole leftmost label); the CommonName is never consulted (Go 1.15 and later). A pinned certificate that cannot match is of no use: when nothing else in the data verifies a server, kubectl and client-go cannot connect (high); otherwise it is dead weight (low).",
    "Reissue the API server's certificate with the name clients use in its subjectAltName (kubeadm: apiServer.certSANs), or set server (or tls-server-name) to a name the certificate holds; better, put the CA that signs the API server's certificate in certificate-authority-data instead of the server's own certificate.",
    (config) => config.caBundles.flatMap(({ cluster, bundle }) => serverNameMismatches(cluster, bundle.described, bundle.entries)),
  ),
  rule(
    "refused-entry",
    "An entry kubectl refuses to use",
    "medium",
    "platform",
    "kubectl and client-go check a kubeconfig before they send anything, and stop with an error at any of: a value of a type clientcmd's types do not take, such as a name or a context's cluster or user that YAML reads as a number or a boolean (`name: 2024`, `user: y`) or clusters written as a mapping (the whole file is refused with Go's JSON error, reported once at the first such value in the order Go decodes: json: cannot unmarshal number into Go struct field NamedCluster.clusters.name of type string); two clusters, users or contexts of one name, or a certificate-authority-data, client-certificate-data or client-key-data that is not padded standard base64 as Go's encoding/json decodes a []byte (the whole file is refused: illegal base64 data at input byte N, whichever context is used; the value is never printed, nor the certificate judged); a current-context the file does not define; certificate-authority-data beside certificate-authority, client-certificate-data beside client-certificate, client-key-data beside client-key; a client certificate without a key; a token beside a username or password; an exec plugin without a command or an apiVersion, with an env entry without a name, or without a valid interactiveMode (Never, IfAvailable or Always; only exec plugins of client.authentication.k8s.io/v1beta1 may leave it out); exec beside auth-provider; as-uid, as-groups or as-user-extra without as; a proxy-url Go's net/url cannot parse or whose scheme is not http, https or socks5 (clientcmd parseProxyURL; the value is shown without its userinfo) (clientcmd validation.go, which kubectl runs on the context in use). For an https:// server it also refuses insecure-skip-tls-verify beside a CA, an exec apiVersion other than client.authentication.k8s.io/v1 or v1beta1, and an auth provider other than oidc. A cluster without a server, or a context naming a cluster the file does not define, is refused by client-go programs (controllers, operators, components given --kubeconfig), while kubectl sends its requests to http://localhost:8080 instead. Each is reported at its field with kubectl's own words; an entry the current context does not use is refused only when it is chosen (--context, --user, --cluster), and is reported at low.",
    "Quote a name or reference YAML reads as a number or a boolean (name: \"2024\"); remove the field that kubectl says it overrides or does not allow (keep one of each *-data and file pair, one authentication method), add what is missing (client-key, the exec plugin's command, apiVersion or interactiveMode, the server), or fix the name current-context refers to; any kubectl command run with --kubeconfig on the file prints its error for the current context.",
    (config) =>
      config.refusals.map((r) =>
        r.inUse ? { path: r.path, message: r.message } : { path: r.path, severity: "low" as const, message: `${r.message}; the current context does not use it, so kubectl refuses it only when it is chosen (--context, --user or --cluster)` },
      ),
  ),
  rule(
    "proxy-credentials-in-clear",
    "The proxy's credentials cross the network unencrypted",
    "low",
    "identity",
    "client-go sends every request through a cluster's proxy-url, and the user and password written into it go to the proxy as net/http sends them: to an http:// proxy as Proxy-Authorization: Basic (base64, not encryption) on the CONNECT that opens the TLS tunnel to the API server, or on each request to a plain-HTTP server; to a socks5:// proxy as RFC 1929 username and password. Both cross the network before any TLS, so anyone on the path to the proxy reads them, and they sit in the file in clear text. The API server's traffic itself stays inside TLS for an https:// server. An https:// proxy gets the credentials inside TLS and is not reported; nor is a proxy-url kubectl refuses (kubeconfig/refused-entry).",
    "Use an https:// proxy, or one that needs no credentials in the URL (one that authenticates by network or client certificate); change the proxy password if the file has been shared.",
    (config) =>
      config.clusters.flatMap((c) => {
        const scheme = typeof c.proxyUrl === "string" ? proxyCredentialsInClear(c.proxyUrl) : undefined;
        if (scheme === undefined) return [];
        const how = scheme === "http" ? "as a Proxy-Authorization header before any TLS" : "in the SOCKS5 handshake, before any TLS";
        return [{ path: [...c.path, "proxy-url"], message: `cluster ${c.name}'s proxy-url ${withoutUserinfo(c.proxyUrl as string)} carries credentials that client-go sends to the ${scheme}:// proxy unencrypted, ${how}` }];
      }),
  ),
  rule(
    "missing-user",
    "A context names a user the file does not define",
    "medium",
    "identity",
    "kubectl and client-go do not refuse a context whose user the file lacks: clientcmd's DirectClientConfig takes the missing user as an empty one (getAuthInfo refuses only a user chosen with --user) and ConfirmUsable finds nothing wrong with it, so every request goes out without credentials, as system:anonymous where the API server allows anonymous requests, else refused with 401 Unauthorized. A typo in the user's name, or a user renamed or removed, turns an authenticated context into an anonymous one without a word. Reported at low for a context other than the current one, which sends nothing until chosen (--context); not reported for a cluster reached over plain HTTP, where client-go never sends credentials anyway. A user defined in another kubeconfig merged with this one (KUBECONFIG=a:b) is found by kubectl there.",
    "Name a user the file defines in the context (kubectl config set-context NAME --user=USER), or add the missing user.",
    (config) =>
      config.missingUsers.map((m) =>
        m.inUse ? { path: m.path, message: m.message } : { path: m.path, severity: "low" as const, message: `${m.message}, once the context is chosen (--context); it is not the current context` },
      ),
  ),
];
