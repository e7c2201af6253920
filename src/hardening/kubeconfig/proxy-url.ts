/**
 * A cluster's proxy-url as client-go takes it. clientcmd's parseProxyURL (helpers.go) reads it
 * with Go's net/url Parse and refuses a value Parse rejects ("could not parse") or whose scheme
 * is not http, https or socks5 ("unsupported scheme"); validateClusterInfo (validation.go) turns
 * either into kubectl's "invalid 'proxy-url' ... for cluster ...". Anything it accepts becomes
 * the transport's proxy (http.ProxyURL), userinfo included: net/http sends it as
 * Proxy-Authorization: Basic to an http:// proxy (on the CONNECT that opens the TLS tunnel, or
 * on each plain-HTTP request) and as RFC 1929 username/password to a socks5:// proxy, both on a
 * connection that is not encrypted; only an https:// proxy gets it inside TLS.
 *
 * No reason given here quotes the value: a password written into it is a secret.
 */
import type * as Net from "node:net";
import { lazyModule } from "../../lazy-module.js";

// Loaded on the first proxy-url with a bracketed host: a scan's static imports stay free of node:net (test/cli/startup-imports.test.ts).
const net = lazyModule<typeof Net>("node:net");

/**
 * What net/url Parse makes of a value it takes: the scheme (lowercased), whether its userinfo
 * is non-empty (a credential) or present at all (url.URL User != nil, even `https://@host`),
 * the host as written (with its port), RawQuery and the fragment as written.
 */
export interface GoUrl {
  scheme: string;
  hasUserinfo: boolean;
  hasUser: boolean;
  host: string;
  rawQuery: string;
  fragment: string;
}

export type GoUrlReading = GoUrl | { refused: string };

const ALNUM = /[A-Za-z0-9]/;
/** Bytes net/url lets stand in a host unescaped (shouldEscape with encodeHost), besides letters and digits. */
const HOST_BYTES = new Set("!$&'()*+,;=:[]<>\"-_.~");
/** The characters validUserinfo accepts besides letters and digits. */
const USERINFO_CHARS = new Set("-._:~!$&'()*+,;=%@");

const hostByteOk = (c: string) => ALNUM.test(c) || HOST_BYTES.has(c);
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** net/url's unescape, for its verdict only: undefined when Go takes the text, else why not. */
function unescapeRefusal(s: string, mode: "host" | "zone" | "other"): string | undefined {
  for (let i = 0; i < s.length; ) {
    const c = s[i] as string;
    if (c === "%") {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) return "a % not followed by two hexadecimal digits";
      const triplet = s.slice(i, i + 3);
      const byte = parseInt(triplet.slice(1), 16);
      // In a host only non-ASCII bytes may be escaped, and %25 (RFC 6874's zone introducer).
      if (mode === "host" && byte < 0x80 && triplet !== "%25") return "a %-escaped ASCII character in the host";
      if (mode === "zone" && triplet !== "%25" && byte !== 0x20 && byte < 0x80 && !hostByteOk(String.fromCharCode(byte))) return "a %-escaped character the IPv6 zone may not hold";
      i += 3;
      continue;
    }
    if (mode !== "other" && c.charCodeAt(0) < 0x80 && !hostByteOk(c)) return "a character a host name may not hold";
    i++;
  }
  return undefined;
}

function validOptionalPort(colonPort: string): boolean {
  return colonPort === "" || /^:[0-9]*$/.test(colonPort);
}

/** net/url parseHost, as Go 1.24.8 / 1.25.2 and later read it (a bracketed host must be an IPv6 address). */
function hostRefusal(host: string): string | undefined {
  const open = host.lastIndexOf("[");
  if (open > 0) return "a [ inside the host";
  if (open === 0) {
    const close = host.lastIndexOf("]");
    if (close < 0) return "a [ without its ] in the host";
    if (!validOptionalPort(host.slice(close + 1))) return "a port that is not a number";
    const hostname = host.slice(1, close);
    const zone = hostname.indexOf("%25");
    const refusal = zone >= 0 ? (unescapeRefusal(hostname.slice(0, zone), "host") ?? unescapeRefusal(hostname.slice(zone), "zone")) : unescapeRefusal(hostname, "host");
    if (refusal) return refusal;
    const address = zone >= 0 ? `${hostname.slice(0, zone)}%${decodeURIComponentSafe(hostname.slice(zone + 3))}` : hostname;
    // netip.ParseAddr, then Is4 refused: only an IPv6 address may stand in brackets.
    return net().isIPv6(address) ? undefined : "something other than an IPv6 address in brackets";
  }
  const colon = host.lastIndexOf(":");
  if (colon >= 0 && !validOptionalPort(host.slice(colon))) return "a port that is not a number";
  return unescapeRefusal(host, "host");
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Whether net/url Parse takes the value, and then its scheme (lowercased, as Go keeps it) and whether it has a non-empty userinfo. */
export function readGoUrl(raw: string): GoUrlReading {
  const hash = raw.indexOf("#");
  const beforeFragment = hash >= 0 ? raw.slice(0, hash) : raw;
  const fragment = hash >= 0 ? raw.slice(hash + 1) : "";
  // Only the part before # is checked for control characters; the fragment only for its escapes.
  if ([...beforeFragment].some((c) => c.charCodeAt(0) < 0x20 || c === "\x7f")) return { refused: "a control character" };
  let scheme = "";
  let rest = beforeFragment;
  if (beforeFragment !== "*") {
    const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(beforeFragment);
    if (beforeFragment.startsWith(":")) return { refused: "no scheme before the first colon (missing protocol scheme)" };
    if (match) {
      scheme = (match[1] as string).toLowerCase();
      rest = beforeFragment.slice(match[0].length);
    }
  }
  const question = rest.indexOf("?");
  // Everything after the first ? (a lone trailing one is ForceQuery, RawQuery empty all the same).
  const rawQuery = question >= 0 ? rest.slice(question + 1) : "";
  if (question >= 0) rest = rest.slice(0, question);
  const read: GoUrl = { scheme, hasUserinfo: false, hasUser: false, host: "", rawQuery, fragment };
  if (!rest.startsWith("/")) {
    // With a scheme, a rootless rest is opaque and never looked into.
    if (scheme !== "") return fragmentVerdict(fragment, read);
    if ((rest.split("/", 1)[0] as string).includes(":")) return { refused: "a colon in the first path segment (first path segment in URL cannot contain colon)" };
  }
  if ((scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash >= 0 ? rest.slice(2, slash) : rest.slice(2);
    rest = slash >= 0 ? rest.slice(slash) : "";
    const at = authority.lastIndexOf("@");
    read.host = at >= 0 ? authority.slice(at + 1) : authority;
    const host = hostRefusal(read.host);
    if (host) return { refused: host };
    if (at >= 0) {
      read.hasUser = true;
      const userinfo = authority.slice(0, at);
      if ([...userinfo].some((c) => !ALNUM.test(c) && !USERINFO_CHARS.has(c))) return { refused: "a character userinfo may not hold (net/url: invalid userinfo)" };
      // Go unescapes the user and the password apart; no %-triplet can span the colon between them, so one pass says the same.
      if (unescapeRefusal(userinfo, "other")) return { refused: "a malformed %-escape in the userinfo" };
      // An empty userinfo (http://@proxy) sends an empty Basic credential: nothing to leak.
      read.hasUserinfo = userinfo !== "";
    }
  }
  if (unescapeRefusal(rest, "other")) return { refused: "a % not followed by two hexadecimal digits in the path" };
  return fragmentVerdict(fragment, read);
}

function fragmentVerdict(fragment: string, reading: GoUrl): GoUrlReading {
  return unescapeRefusal(fragment, "other") ? { refused: "a % not followed by two hexadecimal digits in the fragment" } : reading;
}

/** The schemes clientcmd's parseProxyURL takes. */
const PROXY_SCHEMES = new Set(["http", "https", "socks5"]);

/** Why kubectl refuses a cluster's proxy-url, in its words (without the value), or undefined when it takes it. */
export function proxyUrlRefusal(proxyUrl: string): string | undefined {
  const reading = readGoUrl(proxyUrl);
  if ("refused" in reading) return `could not parse: Go's net/url finds ${reading.refused}`;
  return PROXY_SCHEMES.has(reading.scheme) ? undefined : `unsupported scheme ${JSON.stringify(reading.scheme)}, must be http, https, or socks5`;
}

/** The scheme of a proxy-url kubectl takes and that carries userinfo sent unencrypted (http, socks5), or undefined. */
export function proxyCredentialsInClear(proxyUrl: string): "http" | "socks5" | undefined {
  const reading = readGoUrl(proxyUrl);
  if ("refused" in reading || !reading.hasUserinfo) return undefined;
  return reading.scheme === "http" || reading.scheme === "socks5" ? reading.scheme : undefined;
}
