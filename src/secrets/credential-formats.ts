/**
 * Credentials whose format gives them away wherever they appear: issuers put a fixed
 * prefix on their tokens precisely so that scanners can find them with few false alarms.
 * One entry per format; the first that matches names what was found (never the text).
 */

interface CredentialFormat {
  /** What was found, as a finding says it: "an AWS access key ID". */
  what: string;
  pattern: RegExp;
}

const FORMATS: readonly CredentialFormat[] = [
  { what: "a private key (PEM)", pattern: /-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----/ },
  { what: "an AWS access key ID", pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Z0-9])/ },
  { what: "a GitHub token", pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/ },
  { what: "a GitLab personal access token", pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/ },
  { what: "a Slack token", pattern: /(?<![A-Za-z0-9-])xox[baprs]-[A-Za-z0-9-]{10,}/ },
  { what: "a Slack webhook URL", pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}/ },
  { what: "a Google API key", pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/ },
  { what: "a Stripe live secret key", pattern: /(?<![A-Za-z0-9_])[sr]k_live_[0-9a-zA-Z]{24,}/ },
  { what: "an npm access token", pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/ },
  // user:password@ in a URL, unless the password is a variable the container expands ($(VAR), ${VAR}).
  { what: "a URL with a password in it", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@$]*:(?!\$[({])[^\s/@]+@[^\s/@]/ },
];

/** What kind of credential `text` holds, or undefined. */
export function credentialIn(text: string): string | undefined {
  // Every format above has a character no ordinary word has, or a prefix of its own: most values are spared the regexes.
  if (!/[-_:@]|A(?:KIA|SIA|BIA|CCA|Iza)/.test(text)) return undefined;
  return FORMATS.find((format) => format.pattern.test(text))?.what;
}
