/**
 * IP addresses and CIDR blocks as the API server's Service validation reads them:
 * k8s.io/utils/net ParseIPSloppy and ParseCIDRSloppy, Go 1.16's net.ParseIP and net.ParseCIDR
 * kept for compatibility. They take what newer parsers refuse (an IPv4 octet with leading
 * zeros, read as decimal; an IPv4-mapped IPv6 address) and refuse what some take (a zone,
 * shorthand IPv4 such as "10.1"), so neither ipaddr.js nor src/network/cidr.ts answers the same.
 *
 * An address comes back as Go holds it, 16 bytes, an IPv4 one in its IPv4-mapped form.
 */

const IPV4_LEN = 4;
const IPV6_LEN = 16;
/** dtoi's and xtoi's bound: a longer run of digits is not a number to them. */
const BIG = 0xffffff;

/** ParseIPSloppy: the first '.' or ':' decides the family. */
export function parseGoIP(text: string): Uint8Array | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ".") return parseIPv4(text);
    if (c === ":") return parseIPv6(text);
  }
  return undefined;
}

/** ParseCIDRSloppy's verdict: an address (IPv4 tried first), '/', a decimal prefix length that fits it. */
export function isGoCIDR(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const mask = text.slice(slash + 1);
  let bits = IPV4_LEN * 8;
  let ip = parseIPv4(address);
  if (ip === undefined) {
    bits = IPV6_LEN * 8;
    ip = parseIPv6(address);
  }
  const prefix = decimalPrefix(mask);
  return ip !== undefined && prefix !== undefined && prefix.length === mask.length && prefix.value <= bits;
}

/** net.IP.To4() != nil: an IPv4 address, written so or IPv4-mapped. */
export function isIPv4(ip: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

/** The leading decimal digits of `text` (dtoi), or undefined when there are none or too many. */
function decimalPrefix(text: string): { value: number; length: number } | undefined {
  let value = 0;
  let length = 0;
  for (; length < text.length; length++) {
    const code = text.charCodeAt(length);
    if (code < 48 || code > 57) break;
    value = value * 10 + (code - 48);
    if (value >= BIG) return undefined;
  }
  return length === 0 ? undefined : { value, length };
}

/** The leading hexadecimal digits of `text` (xtoi), or undefined when there are none or too many. */
function hexPrefix(text: string): { value: number; length: number } | undefined {
  let value = 0;
  let length = 0;
  for (; length < text.length; length++) {
    const digit = parseInt(text[length] as string, 16);
    if (Number.isNaN(digit)) break;
    value = value * 16 + digit;
    if (value >= BIG) return undefined;
  }
  return length === 0 ? undefined : { value, length };
}

function parseIPv4(text: string): Uint8Array | undefined {
  const ip = new Uint8Array(IPV6_LEN);
  ip[10] = 0xff;
  ip[11] = 0xff;
  let rest = text;
  for (let i = 0; i < IPV4_LEN; i++) {
    if (rest.length === 0) return undefined;
    if (i > 0) {
      if (rest[0] !== ".") return undefined;
      rest = rest.slice(1);
    }
    // Leading zeros are read as decimal: the sloppy parser's reason to exist.
    const octet = decimalPrefix(rest);
    if (octet === undefined || octet.value > 0xff) return undefined;
    rest = rest.slice(octet.length);
    ip[12 + i] = octet.value;
  }
  return rest.length === 0 ? ip : undefined;
}

function parseIPv6(text: string): Uint8Array | undefined {
  const ip = new Uint8Array(IPV6_LEN);
  let ellipsis = -1;
  let rest = text;
  if (rest.startsWith("::")) {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest.length === 0) return ip;
  }
  let i = 0;
  while (i < IPV6_LEN) {
    const group = hexPrefix(rest);
    if (group === undefined || group.value > 0xffff) return undefined;
    if (rest[group.length] === ".") {
      // A trailing IPv4 address, in the last four bytes or before an ellipsis' zeros.
      if ((ellipsis < 0 && i !== IPV6_LEN - IPV4_LEN) || i + IPV4_LEN > IPV6_LEN) return undefined;
      const ip4 = parseIPv4(rest);
      if (ip4 === undefined) return undefined;
      ip.set(ip4.subarray(12), i);
      rest = "";
      i += IPV4_LEN;
      break;
    }
    ip[i] = group.value >> 8;
    ip[i + 1] = group.value & 0xff;
    i += 2;
    rest = rest.slice(group.length);
    if (rest.length === 0) break;
    if (rest[0] !== ":" || rest.length === 1) return undefined;
    rest = rest.slice(1);
    if (rest[0] === ":") {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      rest = rest.slice(1);
      if (rest.length === 0) break;
    }
  }
  if (rest.length !== 0) return undefined;
  if (i < IPV6_LEN) {
    if (ellipsis < 0) return undefined;
    const shift = IPV6_LEN - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + shift] = ip[j] as number;
    for (let j = ellipsis + shift - 1; j >= ellipsis; j--) ip[j] = 0;
  } else if (ellipsis >= 0) {
    // An ellipsis stands for at least one group of zeros.
    return undefined;
  }
  return ip;
}
