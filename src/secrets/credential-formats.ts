/**
 * Credentials whose format gives them away wherever they appear: issuers put a fixed
 * prefix on their tokens precisely so that scanners can find them with few false alarms.
 * One entry per format; the first that matches names what was found (never the text).
 * And what a credential-named value must look like to be the credential itself rather
 * than a reference to one.
 */

interface CredentialFormat {
  /** What was found, as a finding says it: "an AWS access key ID". */
  what: string;
  pattern: RegExp;
}

/** A password that is a variable, a template or a file ($VAR, \\${VAR}, {{ .password }}, %(pw)s, <path:...>, `cmd`, @/file), not the password. */
const NOT_A_VARIABLE = "(?![$%{<`\\\\@])";
/** A URL's percent-encoded character (%40, %21): where a password begins with one, it is the password, not a %(name)s template. */
const PERCENT_ENCODED = "(?=%[0-9A-Fa-f]{2})";

const FORMATS: readonly CredentialFormat[] = [
  { what: "a private key (PEM)", pattern: /-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----/ },
  { what: "a private key (PGP)", pattern: /-----BEGIN PGP PRIVATE KEY BLOCK-----/ },
  { what: "an AWS access key ID", pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Z0-9])/ },
  { what: "a GitHub token", pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/ },
  { what: "a GitLab personal access token", pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/ },
  // xoxb-<team digits>-<digits>-<secret>: the digits tell a token from "xoxb-your-token-here".
  { what: "a Slack token", pattern: /(?<![A-Za-z0-9-])xox[baprs]-[0-9]{6,}-[A-Za-z0-9-]{8,}/ },
  { what: "a Slack webhook URL", pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}/ },
  { what: "a Google API key", pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/ },
  { what: "a Stripe live secret key", pattern: /(?<![A-Za-z0-9_])[sr]k_live_[0-9a-zA-Z]{24,}/ },
  { what: "an npm access token", pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/ },
  // user:password@host; not name:tag@sha256:... (docker://nginx:1.25@sha256:..., an image, not a login). The user may be
  // the kubelet's $(VAR), the password may begin with a percent-encoded character (%40 is @), which is no %(var)s.
  { what: "a URL with a password in it", pattern: new RegExp(`\\b[A-Za-z][A-Za-z0-9+.-]*://(?:[^\\s/:@$]|\\$\\([A-Za-z_][\\w.-]*\\))*:(?:${PERCENT_ENCODED}|${NOT_A_VARIABLE})[^\\s/@]+@(?!sha(?:256|384|512):)[^\\s/@]`) },
  { what: "a URL with a password in it", pattern: new RegExp(`[?&](?:password|passwd|pwd)=(?:${PERCENT_ENCODED}|${NOT_A_VARIABLE})[^&;\\s"']{3,}`, "i") },
  // curl -u user:password, and HTTP Basic or Bearer credentials written into a header or a command.
  // curl's own flag: `docker run -u 1000:1000` and `--user root:root` elsewhere are a user and a group.
  { what: "a user and password on a command line", pattern: new RegExp(`\\bcurl\\b[^\\n;&|]*?\\s(?:-u|--user)\\s+['"]?[^\\s:$'"]+:${NOT_A_VARIABLE}[^\\s@'"\`]{3,}`) },
  // The base64 of user:password has a digit or padding; "Basic authentication" has none.
  { what: "HTTP Basic credentials", pattern: new RegExp(`\\bBasic\\s+${NOT_A_VARIABLE}(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])`) },
  { what: "a bearer token", pattern: new RegExp(`\\bBearer\\s+${NOT_A_VARIABLE}[A-Za-z0-9._~+/-]{24,}=*`) },
  // header.payload.signature, each base64url; header and payload are JSON objects, so both begin eyJ ({").
  { what: "a JSON Web Token", pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/ },
  // A password field of JSON written into an annotation or a value ({"password":"..."}).
  { what: "a password in JSON", pattern: new RegExp(`"(?:password|passwd|pwd)"\\s*:\\s*"${NOT_A_VARIABLE}[^"]{3,}"`, "i") },
  // JAAS and similar: password="..." inside a longer setting (sasl.jaas.config).
  { what: "a password in a quoted setting", pattern: new RegExp(`\\bpassword\\s*=\\s*"${NOT_A_VARIABLE}[^"\\s]{3,}"`, "i") },
  // ADO.NET and Azure connection strings, key=value pairs joined by ";" (Server=db;Password=...;
  // AccountName=x;AccountKey=...): the password follows another pair or is followed by one.
  // `export PASSWORD=x; run` is a shell assignment (secrets/inline-credential), not a connection string.
  {
    what: "a connection string with a password or key",
    pattern: new RegExp(`(?:;\\s*(?:Password|Pwd|AccountKey|SharedAccessKey)=${NOT_A_VARIABLE}[^;\\s"']{3,}|(?:^|["'\\s])(?:Password|Pwd|AccountKey|SharedAccessKey)=${NOT_A_VARIABLE}[^;\\s"']{3,};\\s*[A-Za-z][A-Za-z ]*=)`, "i"),
  },
];

/**
 * A part every format above has (its prefix, "://", "password"...): one test spares most
 * values the formats' own, which the admission webhook would otherwise run on every
 * environment variable of every pod.
 */
const HINT = /-----BEGIN|A(?:KIA|SIA|BIA|CCA|Iza)|gh[pousr]_|github_pat_|glpat-|xox[baprs]-|k_live_|npm_|:\/\/|passw|pwd|accountkey|sharedaccesskey|curl|basic\s|bearer\s|eyJ/i;

/** What kind of credential `text` holds, or undefined. */
export function credentialIn(text: string): string | undefined {
  if (!HINT.test(text)) return undefined;
  return FORMATS.find((format) => format.pattern.test(text))?.what;
}

/**
 * References to a credential kept elsewhere, which are what a manifest should hold: SOPS
 * ciphertext, argocd-vault-plugin's <path:...>, vals' ref+..., Vault and cloud secret
 * managers' URIs.
 */
const REFERENCE = /^(?:ENC\[|ENC\(|\{cipher\}|<path:|ref\+|vault:|arn:aws:secretsmanager:|arn:aws:ssm:|sm:\/\/|gcp:\/\/|secretmanager:|projects\/[^/]+\/secrets\/|azurekeyvault:|akv:\/\/|op:\/\/|bw:\/\/|env:|file:|fd:|@\/|secret\/|kv\/)/i;

/**
 * Whether a credential-named value is the credential itself: not empty, not a path (a
 * mounted Secret's file), not a variable ($VAR, $(VAR), ${VAR}) or a reference to a store,
 * not a flag, a duration or a small number (a setting that kept no telling suffix: a
 * count, a port, a size, seconds). A run of eight digits or more is no such setting but a
 * numeric password or PIN, quoted or not (`DB_PASSWORD: 24681357911`).
 */
export function isLiteralCredential(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed === "" || trimmed.startsWith("/") || trimmed.startsWith("~/") || isReference(trimmed) || PASSWORD_HASH.test(trimmed) || PLAIN_URL.test(trimmed)) return false;
  return !/^(?:true|false|yes|no|on|off|none|null|~|enabled|disabled|required|optional|-?\d{1,7}|\d+(?:ms|s|m|h|d))$/i.test(trimmed) && !SETTING_WORDS.has(trimmed.toLowerCase());
}

/**
 * A credential-named env var's value as the process gets it. The kubelet expands only
 * $(VAR), so `$ecretPass` is the password; `$DB_PASSWORD`, in the upper case of the
 * environment's names, is a variable the entrypoint or the application is meant to expand.
 */
export function isLiteralEnvCredential(value: string): boolean {
  if (/^\$[A-Za-z_][\w.:-]*$/.test(value) && /[a-z]/.test(value)) return true;
  return isLiteralCredential(value);
}

/** An address with no user or password in it (one with them is a known format): where a setting points, not a credential. */
const PLAIN_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s@]+$/;

/**
 * A password's hash, which is what htpasswd files, HAProxy's `password` and most
 * applications are meant to hold: crypt(3)'s $id$ forms, LDAP's {SCHEME}, Jetty's MD5: and CRYPT:.
 */
const PASSWORD_HASH = /^(?:\$(?:1|2[abxy]?|5|6|7|y|gy|apr1|md5|sha1|argon2(?:id|i|d)|pbkdf2(?:-sha\d+)?|scrypt)\$[^\s]+|\{(?:S?SHA(?:256|512)?|S?MD5|CRYPT|PBKDF2[\w-]*|ARGON2)\}\S+|(?:MD5|CRYPT):\S+)$/i;

/** What an AUTH=, a SECRET_STORE= or a *_MECHANISM= setting holds: a scheme or a backend, not a credential. */
const SETTING_WORDS = new Set(["basic", "bearer", "digest", "oauth", "oauth2", "oidc", "ldap", "saml", "kerberos", "jwt", "mtls", "tls", "plain", "scram-sha-256", "scram-sha-512", "md5", "bcrypt", "argon2", "internal", "external", "kubernetes", "vault", "env", "file"]);

/**
 * A value that stands for a credential kept elsewhere: a variable the kubelet, a shell or
 * the application expands ($(VAR), ${VAR}, a whole $VAR or $1, Grafana's $__file{...},
 * Argo CD's $secret:key, supervisord's %(ENV_X)s, `command`), a template ({{ ... }}), a
 * placeholder (<your-password>), code that reads one (os.environ[...], process.env.X), or a
 * reference to a secret store or file (openssl's env: and file:). A `$` inside a password
 * ("Pa$$w0rd") is no variable.
 */
export function isReference(value: string): boolean {
  return (
    /\$\(|\$\{|\{\{|\$__|%\(|`|os\.environ|process\.env|getenv\(/.test(value) ||
    /^\$(?:[A-Za-z_][\w.:-]*|\d|[@*])$/.test(value) ||
    /^<[^<>]+>$/.test(value) ||
    REFERENCE.test(value)
  );
}
