/**
 * The value types of projectcalico.org/v3 rules that may be a number or a string
 * (api/pkg/lib/numorstring): ports (a number, a "min:max" range or a named port) and
 * protocols (a number or a name). Parsing, canonical encoding and validation follow
 * upstream's behaviour as pinned by its tests.
 */

export type CalicoPort = { kind: "range"; min: number; max: number } | { kind: "named"; name: string };

/** A protocol as decoded: digit strings that fit in a byte become numbers, anything else stays text. */
export type CalicoProtocol = { kind: "number"; value: number } | { kind: "name"; value: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const NAMED_PORT = /^[a-zA-Z0-9_.-]{1,128}$/;
const DIGITS = /^\d+$/;
const RANGE = /^(\d+):(\d+)$/;
const MAX_PORT = 65535;

function parseUint(text: string, max: number): number | undefined {
  if (!DIGITS.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value <= max ? value : undefined;
}

/** Whether `name` is a valid named port (as `PortFromString` and the portName validator accept). */
export function isValidPortName(name: string): boolean {
  return NAMED_PORT.test(name);
}

/** A port from its string form: "80", "6040:6050" or a name such as "http". */
export function portFromString(text: string): Parsed<CalicoPort> {
  if (DIGITS.test(text)) {
    const port = parseUint(text, MAX_PORT);
    return port === undefined ? { ok: false, error: `invalid port ${JSON.stringify(text)}: a port number is 0..65535` } : { ok: true, value: { kind: "range", min: port, max: port } };
  }
  const range = RANGE.exec(text);
  if (range) {
    const min = parseUint(range[1] as string, MAX_PORT);
    const max = parseUint(range[2] as string, MAX_PORT);
    if (min === undefined || max === undefined) return { ok: false, error: `invalid port range ${JSON.stringify(text)}: both ends must be 0..65535` };
    if (min > max) return { ok: false, error: `invalid port range ${JSON.stringify(text)}: the minimum (${min}) is greater than the maximum (${max})` };
    return { ok: true, value: { kind: "range", min, max } };
  }
  if (!isValidPortName(text)) {
    return { ok: false, error: `invalid port ${JSON.stringify(text)}: expected a number, a range "min:max" or a named port of letters, digits, '.', '_' and '-'` };
  }
  return { ok: true, value: { kind: "named", name: text } };
}

/** A port as it appears in YAML/JSON: a number, or a string parsed by portFromString. */
export function portFromValue(value: unknown): Parsed<CalicoPort> {
  if (typeof value === "string") return portFromString(value);
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > MAX_PORT) return { ok: false, error: `invalid port ${value}: a port number is an integer 0..65535` };
    return { ok: true, value: { kind: "range", min: value, max: value } };
  }
  return { ok: false, error: `invalid port ${JSON.stringify(value)}: expected a number or a string` };
}

/** The JSON encoding: a single port as a bare number, a range as "min:max", a name as itself. */
export function portToJSON(port: CalicoPort): number | string {
  if (port.kind === "named") return port.name;
  return port.min === port.max ? port.min : `${port.min}:${port.max}`;
}

export function portToString(port: CalicoPort): string {
  return String(portToJSON(port));
}

/** Canonical protocol names, in upstream's spelling. */
export const PROTOCOL_NAMES = ["UDP", "TCP", "ICMP", "ICMPv6", "SCTP", "UDPLite", "any"] as const;

/** IANA numbers of the named protocols (`any` has none). */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { TCP: 6, UDP: 17, ICMP: 1, ICMPv6: 58, SCTP: 132, UDPLite: 136 };

/** Decoding as the API does: a JSON number, or a string that is a number when it fits a byte. */
export function protocolFromValue(value: unknown): Parsed<CalicoProtocol> {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > 255) return { ok: false, error: `invalid protocol ${value}: a protocol number is an integer 0..255` };
    return { ok: true, value: { kind: "number", value } };
  }
  if (typeof value === "string") {
    const number = parseUint(value, 255);
    return { ok: true, value: number === undefined ? { kind: "name", value } : { kind: "number", value: number } };
  }
  return { ok: false, error: `invalid protocol ${JSON.stringify(value)}: expected a name such as TCP or a number` };
}

/** `ProtocolFromString`: known names are matched case-insensitively and canonicalised. */
export function protocolFromString(text: string): CalicoProtocol {
  const known = PROTOCOL_NAMES.find((name) => name.toLowerCase() === text.toLowerCase());
  return { kind: "name", value: known ?? text };
}

export function protocolToJSON(protocol: CalicoProtocol): number | string {
  return protocol.value;
}

/** Only TCP, UDP and SCTP (6, 17, 132) carry ports in Calico; UDPLite does not. */
export function protocolSupportsPorts(protocol: CalicoProtocol): boolean {
  if (protocol.kind === "number") return protocol.value === 6 || protocol.value === 17 || protocol.value === 132;
  return ["TCP", "UDP", "SCTP", "tcp", "udp", "sctp"].includes(protocol.value);
}

/**
 * Why a decoded protocol is not acceptable in a v3 rule, or undefined: numbers 1..255, or
 * a name spelled exactly as upstream's validator expects (names are case-sensitive).
 */
export function validateRuleProtocol(protocol: CalicoProtocol): string | undefined {
  if (protocol.kind === "number") return protocol.value === 0 ? "protocol number invalid: use 1..255" : undefined;
  if (/^(TCP|UDP|ICMP|ICMPv6|SCTP|UDPLite)$/.test(protocol.value)) return undefined;
  const canonical = protocolFromString(protocol.value).value;
  const hint = canonical !== protocol.value && canonical !== "any" ? ` (names are case-sensitive: write ${canonical})` : " (expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1..255)";
  return `protocol name ${JSON.stringify(protocol.value)} invalid${hint}`;
}

/** The IP protocol number a validated rule protocol stands for. */
export function protocolNumber(protocol: CalicoProtocol): number | undefined {
  return protocol.kind === "number" ? protocol.value : PROTOCOL_NUMBERS[protocol.value];
}
