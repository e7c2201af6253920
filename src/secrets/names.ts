/**
 * Whether a variable's name says its value is a credential (PASSWORD, API_KEY, authToken,
 * spring.datasource.password…): one judgement for Dockerfile ENV/ARG, container env,
 * command-line flags and ConfigMap keys alike. The name is read as words, whatever its
 * separators or camelCase; its last word decides when it says the value is about the
 * credential (a path, a lifetime, a header name) rather than the credential itself.
 */

/** Words that name a credential on their own. */
const SECRET_WORDS = new Set([
  "PASSWORD", "PASSWD", "PWD", "PW", "PASS", "PASSPHRASE", "TOKEN", "SECRET", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY", "ACCESSKEY", "SECRETKEY",
  // Tools' own spellings: openssl -passin/-passout, keytool -storepass/-keypass, redis requirepass/masterauth.
  "PASSIN", "PASSOUT", "STOREPASS", "KEYPASS", "SRCSTOREPASS", "DESTSTOREPASS", "SRCKEYPASS", "DESTKEYPASS", "REQUIREPASS", "MASTERAUTH",
]);
/** The same, run together with other words (PGPASSWORD, DBSECRET): found inside a word. */
const INSIDE_A_WORD = /PASSWORD|PASSWD|SECRET|TOKEN|APIKEY|PRIVATEKEY/;
/** KEY is a credential only after one of these (API_KEY, secretKey); a PARTITION_KEY or CACHE_KEY is not. */
const KEY_QUALIFIERS = new Set(["API", "APP", "SECRET", "ACCESS", "PRIVATE", "ENCRYPTION", "SIGNING", "MASTER", "CLIENT", "AUTH", "HMAC", "JWT", "SESSION", "CRYPTO", "AES", "LICENSE", "ACCOUNT", "SHARED", "SSH", "TICKET"]);
/** Credentials only as the last word: REDISCLI_AUTH, BASIC_AUTH, RABBITMQ_ERL_COOKIE (AUTH_MODE, COOKIE_NAME are settings). */
const LAST_ONLY = new Set(["AUTH", "COOKIE"]);
/**
 * Ways of authenticating that put no secret in the setting that turns them on: CLIENT_CERT_AUTH,
 * etcd's --client-cert-auth and the Kubernetes components' --anonymous-auth are switches.
 */
const NO_SECRET_AUTH = new Set(["CERT", "CERTIFICATE", "ANONYMOUS"]);
/** A last word that says the value is about the credential, not the credential (a final S is ignored: AUDIENCES, TYPES). */
const ABOUT = new Set([
  "FILE", "PATH", "DIR", "ID", "NAME", "URL", "URI", "ENDPOINT", "HOST", "PORT", "TTL", "TIMEOUT", "EXPIRY", "EXPIRE", "EXPIRATION", "VALIDITY", "LENGTH", "SIZE", "TYPE", "ALGORITHM",
  "ALG", "ALGO", "ISSUER", "AUDIENCE", "VERSION", "REGION", "USER", "USERNAME", "MODE", "ENABLED", "DISABLED", "ENABLE", "DISABLE", "REQUIRED", "PROVIDER", "INTERVAL", "LIFETIME",
  "SERIALIZER", "DESERIALIZER", "PREFIX", "SUFFIX", "HEADER", "REF", "POLICY", "LOCATION", "SOCK", "SOCKET", "VOLUME", "METHOD", "STRATEGY", "SCHEME", "FORMAT", "COUNT", "RETRIE",
  "RETRY", "DURATION", "SECOND", "MINUTE", "HOUR", "DAY", "MS", "AGE", "LIVE", "LIMIT", "MAX", "MIN", "NETWORK", "REGISTRY", "SERVER", "STORE", "DOMAIN", "PARAM", "FIELD", "KIND",
  "SOURCE", "MOUNT", "ROTATION", "REFRESH", "NAMESPACE", "SELECTOR", "HINT", "ENCRYPTION", "COMPLEXITY", "HASHER", "HASH", "BACKEND", "ARGUMENT", "SECURE", "LOOKUP", "CACHE",
  "CLAIM", "REALM", "PROJECT", "STDIN", "MANAGER", "MAP", "SCOPE",
]);
/** The name of a Secret or of a key in one (existingSecret, tlsSecret, adminPasswordKey), not a credential. */
function namesASecret(words: readonly string[]): boolean {
  const last = words[words.length - 1];
  const before = words[words.length - 2];
  if (words[0] === "EXISTING") return true;
  if (last === "KEY" && before !== undefined && ["PASSWORD", "PASSWD", "TOKEN", "USERNAME", "USER"].includes(before)) return true;
  return last === "SECRET" && before !== undefined && ["TLS", "CERT", "CERTIFICATE", "PULL", "IMAGE", "REGISTRY"].includes(before);
}
const PUBLIC = new Set(["PUBLIC", "PUB", "PUBKEY", "PUBLICKEY"]);
/** nginx's proxy_pass, fastcgi_pass…: PASS there hands a request on to an upstream, it is no password. */
const HANDS_ON = new Set(["PROXY", "FASTCGI", "UWSGI", "GRPC", "SCGI", "MEMCACHED"]);

/** A name's words, upper case: `dbPasswordFile` and `db.password.file` are DB PASSWORD FILE. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((word) => word !== "");
}

/** Every credential name has one of these: most names (PATH, LOG_LEVEL) are spared the word split. */
const MAYBE = /pass|pwd|pw|token|secret|key|credential|auth|cookie/i;

export function looksLikeSecretName(name: string): boolean {
  if (!MAYBE.test(name)) return false;
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined || ABOUT.has(last) || (last.endsWith("S") && ABOUT.has(last.slice(0, -1))) || words.some((word) => PUBLIC.has(word)) || namesASecret(words)) return false;
  if (last === "PASS" && HANDS_ON.has(words[words.length - 2] as string)) return false;
  return words.some((word, i) => {
    if (SECRET_WORDS.has(word) || INSIDE_A_WORD.test(word)) return true;
    if (word === "KEY") return i > 0 && KEY_QUALIFIERS.has(words[i - 1] as string);
    return LAST_ONLY.has(word) && i === words.length - 1 && !(word === "AUTH" && NO_SECRET_AUTH.has(words[i - 1] as string));
  });
}

/** Keys and files that hold certificates, which are public: a Secret of only these keeps nothing secret. */
const CERTIFICATE_KEY = /(?:^|\.)(?:crt|cert|cer)$|(?:^|[.-])ca\.pem$|ca-bundle|truststore/i;

export function isCertificateKey(key: string): boolean {
  return CERTIFICATE_KEY.test(key);
}
