/**
 * Kubernetes CEL's isCIDR(), which the CRDs' `networks` items must pass: Go's
 * netip.ParsePrefix (dotted-quad IPv4 without leading zeros, a prefix length without leading
 * zeros or sign, no IPv6 zone, host bits allowed) minus what the CEL library refuses besides,
 * an IPv4-mapped IPv6 address (parseCIDR in k8s.io/apiserver/pkg/cel/library/cidr.go).
 */
import { parseCidr, parseIp } from "../cidr.js";

/** ::ffff:0:0/96, the IPv4-mapped IPv6 addresses. */
const IPV4_MAPPED = 0xffffn;

export function isCelCidr(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!/^(0|[1-9]\d*)$/.test(bits) || address.includes("%")) return false;
  const ip = parseIp(address);
  if (!ip || parseCidr(text) === undefined) return false;
  return !(ip.family === 6 && ip.value >> 32n === IPV4_MAPPED);
}
