/**
 * The name syntax Go's crypto/x509 checks before it compares a name with a name constraint
 * (verify.go: parseRFC2821Mailbox; parser.go: domainNameValid, isValidIPMask; constraints.go:
 * parseURIs). Pure string and byte work, so the matching in name-constraints.ts reads as Go's.
 */
import type * as Net from "node:net";
import { lazyModule } from "../../lazy-module.js";

const net = lazyModule<typeof Net>("node:net");

/**
 * Go's domainNameValid: no trailing period, no empty label, only printable ASCII (33 to 126).
 * An empty name passes, as it does in Go. A constraint may start with one period (".example.com").
 */
export function domainNameValid(name: string, constraint: boolean): boolean {
  if (name === "") return true;
  if (name.endsWith(".")) return false;
  const body = constraint && name.startsWith(".") ? name.slice(1) : name;
  return body.split(".").every((label) => label.length > 0 && [...label].every((c) => c.charCodeAt(0) >= 33 && c.charCodeAt(0) <= 126));
}

/** Go's isIA5String: every character is 7-bit ASCII; anything else fails the certificate's parsing. */
export function isIa5(value: string): boolean {
  return [...value].every((c) => c.charCodeAt(0) < 0x80);
}

/** Go's isValidIPMask: ones, then zeros (a constraint's mask that is not a prefix fails the certificate's parsing). */
export function isValidIpMask(mask: Uint8Array): boolean {
  let seenZero = false;
  for (const byte of mask) {
    if (seenZero ? byte !== 0 : ![0x00, 0x80, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc, 0xfe, 0xff].includes(byte)) return false;
    if (byte !== 0xff) seenZero = true;
  }
  return true;
}

export interface Mailbox {
  /** The local part, unescaped, compared exactly. */
  local: string;
  domain: string;
}

/** Characters RFC 2822 allows in an atom (and '.', checked separately). */
const ATOM_TEXT = /^[0-9A-Za-z!#$%&'*+\-/=?^_`{|}~.]$/;

/** Characters Go takes inside a quoted local part without a backslash. */
function isQuotedText(code: number): boolean {
  return code === 11 || code === 12 || code === 32 || code === 33 || code === 127 || (code >= 1 && code <= 8) || (code >= 14 && code <= 31) || (code >= 35 && code <= 91) || (code >= 93 && code <= 126);
}

/** Go's parseRFC2821Mailbox: an rfc822Name split at its '@', or undefined when Go cannot parse it. */
export function parseMailbox(text: string): Mailbox | undefined {
  if (text === "") return undefined;
  let local = "";
  let at = 0;
  if (text[0] === '"') {
    at = 1;
    for (;;) {
      if (at >= text.length) return undefined;
      const c = text.charCodeAt(at++);
      if (c === 0x22) break;
      if (c === 0x5c) {
        const next = text.charCodeAt(at);
        if (at >= text.length || !(next === 11 || next === 12 || (next >= 1 && next <= 9) || (next >= 14 && next <= 127))) return undefined;
        local += text[at++];
      } else if (isQuotedText(c)) local += String.fromCharCode(c);
      else return undefined;
    }
  } else {
    while (at < text.length) {
      if (text[at] === "\\") {
        // Go takes whatever follows a backslash outside quotes as part of the local part.
        if (++at >= text.length) return undefined;
        local += text[at++];
      } else if (ATOM_TEXT.test(text[at] as string)) local += text[at++];
      else break;
    }
    if (local === "" || local.startsWith(".") || local.endsWith(".") || local.includes("..")) return undefined;
  }
  if (text[at] !== "@") return undefined;
  const domain = text.slice(at + 1);
  return domainNameValid(domain, false) ? { local, domain } : undefined;
}

/**
 * The host of a URI as Go's url.Parse gives it (URL.Host, port included), or undefined when
 * the URI has no authority ("urn:x", "mailto:x" have none).
 */
export function uriHost(uri: string): string | undefined {
  const beforeFragment = uri.split("#")[0] as string;
  const beforeQuery = beforeFragment.split("?")[0] as string;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(beforeQuery);
  const rest = scheme ? beforeQuery.slice(scheme[0].length) : beforeQuery;
  if (!rest.startsWith("//")) return undefined;
  const authority = rest.slice(2).split("/")[0] as string;
  return authority.slice(authority.lastIndexOf("@") + 1);
}

/**
 * The host a URI name is matched by (Go's parseURIs), or why Go refuses to match it: a URI
 * without a host, or whose host is an IP address, cannot satisfy any URI constraint.
 */
export function uriConstraintHost(uri: string): { host: string } | { problem: string } {
  const raw = uriHost(uri) ?? "";
  if (raw === "") return { problem: `URI with empty host (${JSON.stringify(uri)}) cannot be matched against constraints` };
  let host = raw.toLowerCase();
  if (host.includes(":") && !host.endsWith("]")) {
    const split = splitHostPort(raw);
    if (split === undefined) return { problem: `cannot parse URI host ${JSON.stringify(raw)}` };
    host = split;
  }
  if (net().isIP(host) !== 0 || (host.startsWith("[") && host.endsWith("]"))) return { problem: `URI with IP (${JSON.stringify(uri)}) cannot be matched against constraints` };
  return { host };
}

/** Go's net.SplitHostPort, the host half, or undefined when it fails (too many colons, no port separator). */
function splitHostPort(hostPort: string): string | undefined {
  const colon = hostPort.lastIndexOf(":");
  if (colon < 0) return undefined;
  const host = hostPort.slice(0, colon);
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    return close === host.length - 1 ? host.slice(1, -1) : undefined;
  }
  return host.includes(":") || host.includes("[") || host.includes("]") ? undefined : host;
}
