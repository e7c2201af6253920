/**
 * Whether a variable's name says its value is a credential (PASSWORD, API_KEY, authToken…):
 * one judgement for Dockerfile ENV/ARG and for container env and ConfigMap keys alike.
 */

const SECRET_WORDS = new Set(["PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "SECRET", "KEY", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATE", "AUTH"]);
/** Names that hold a path, an identifier or a setting about the credential rather than the credential itself. */
const NOT_A_SECRET_SUFFIX = /_(FILE|PATH|DIR|ID|NAME|URL|URI|ENDPOINT|HOST|PORT|TTL|TIMEOUT|EXPIRY|LENGTH|SIZE|TYPE|ALGORITHM|ISSUER|AUDIENCE|VERSION|REGION|USER|USERNAME)$/i;
/** A public key is no secret. */
const PUBLIC = /(^|[^A-Z])PUBLIC([^A-Z]|$)|PUBLICKEY|PUBKEY/;

export function looksLikeSecretName(name: string): boolean {
  if (NOT_A_SECRET_SUFFIX.test(name)) return false;
  const upper = name.toUpperCase();
  if (PUBLIC.test(upper)) return false;
  if (upper.split(/[^A-Z0-9]+/).some((word) => SECRET_WORDS.has(word))) return true;
  return /PASSWORD|PASSWD|SECRET|TOKEN|APIKEY|API_KEY|PRIVATEKEY|PRIVATE_KEY/.test(upper);
}
