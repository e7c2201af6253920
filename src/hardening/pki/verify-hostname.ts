/**
 * Go's crypto/x509 Certificate.VerifyHostname (verify.go), which crypto/tls runs on the server's
 * certificate before building any chain, a pinned certificate's chain of one included: an IP
 * address (brackets allowed around it) is matched only against IP subjectAltNames; any other
 * name, case-insensitively (ASCII only), against DNS subjectAltNames, with a wildcard only as
 * a whole leftmost label and a trailing dot ignored, both only when the name and the pattern
 * are valid hostnames; anything else must match exactly. The CommonName is never consulted
 * (Go 1.15 dropped that fallback).
 */
import type * as Net from "node:net";
import type * as Ipaddr from "ipaddr.js";
import { lazyModule } from "../../lazy-module.js";

const net = lazyModule<typeof Net>("node:net");
const ipaddr = lazyModule<typeof Ipaddr>("ipaddr.js");

export interface HostNames {
  dns: readonly string[];
  /** 4 bytes (IPv4) or 16 (IPv6), as encoded in the certificate. */
  ips: readonly Uint8Array[];
}

/** Go's net.ParseIP, as 16 bytes: dotted decimal without leading zeros, or IPv6 without a zone. */
function parseIp(text: string): Uint8Array | undefined {
  if (text.includes("%")) return undefined;
  const version = net().isIP(text);
  if (version === 4) return to16(Uint8Array.from(text.split(".").map(Number)));
  if (version === 6) return Uint8Array.from(ipaddr().IPv6.parse(text).toByteArray());
  return undefined;
}

/** Go's IP.To16: an IPv4 address as its IPv4-mapped IPv6 form, so that IP.Equal finds the two forms equal. */
function to16(ip: Uint8Array): Uint8Array {
  if (ip.length !== 4) return ip;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(ip, 12);
  return out;
}

function sameIp(a: Uint8Array, b: Uint8Array): boolean {
  const [x, y] = [to16(a), to16(b)];
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}

function lowerAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Go's validHostname: labels of letters, digits, '_' and non-leading '-'; a pattern may open with a whole '*' label (but not be one); an input may end in a dot. */
function validHostname(host: string, isPattern: boolean): boolean {
  const name = isPattern ? host : host.replace(/\.$/, "");
  // A bare wildcard is no valid name in current verify.go, which the kubectl and client-go of today are built with (go1.19 still let "*" match any one label).
  if (name === "" || name === "*") return false;
  return name.split(".").every((label, i) => label !== "" && ((isPattern && i === 0 && label === "*") || /^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(label)));
}

function matchExactly(a: string, b: string): boolean {
  if (a === "" || a === "." || b === "" || b === ".") return false;
  return lowerAscii(a) === lowerAscii(b);
}

function matchHostnames(pattern: string, host: string): boolean {
  const patternParts = lowerAscii(pattern).split(".");
  const hostParts = lowerAscii(host.replace(/\.$/, "")).split(".");
  if (pattern === "" || hostParts.join(".") === "" || patternParts.length !== hostParts.length) return false;
  return patternParts.every((part, i) => (i === 0 && part === "*") || part === hostParts[i]);
}

/** Whether Go's VerifyHostname accepts a certificate with these subjectAltNames for `host`. */
export function verifyHostname(names: HostNames, host: string): boolean {
  const candidateIp = host.length >= 3 && host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const ip = parseIp(candidateIp);
  if (ip) return names.ips.some((candidate) => sameIp(ip, candidate));
  const candidate = lowerAscii(host);
  const validCandidate = validHostname(candidate, false);
  return names.dns.some((pattern) => (validCandidate && validHostname(pattern, true) ? matchHostnames(pattern, candidate) : matchExactly(pattern, candidate)));
}
