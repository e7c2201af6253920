/**
 * The rules the Gateway API CRDs set across a listener's fields, and across a resource's
 * listeners (apis/v1 GatewaySpec.Listeners and ListenerSetSpec.Listeners: their CEL rules,
 * and ListenerTLSConfig's): what the protocol allows of tls and hostname, the TLS mode, and
 * that no two listeners of one resource share port, protocol and hostname.
 *
 * The CEL compares protocols as written ("HTTPS", not "https"): a lower-case core protocol
 * escapes these rules, as it escapes them in the API server (gateway-api issue 3184).
 */
import { isRecord, type FieldPath } from "../../k8s/types.js";

export type AddProblem = (path: FieldPath, message: string) => void;

const TLS_FORBIDDEN = new Set(["HTTP", "TCP", "UDP"]);
const NO_HOSTNAME = new Set(["TCP", "UDP"]);
const TLS_MODES = ["Terminate", "Passthrough"];

const quoted = (value: unknown) => JSON.stringify(value) ?? String(value);

/**
 * Listeners of one resource that share port, protocol and hostname (or lack of one) with an
 * earlier listener, each mapped to the index of the first of its kind: the CEL rule
 * "Combination of port, protocol and hostname must be unique for each listener" refuses the
 * resource for any. Listeners whose fields the schema already refuses for their type are left out.
 */
export function indistinctListeners(listeners: unknown): Map<number, number> {
  const repeats = new Map<number, number>();
  if (!Array.isArray(listeners)) return repeats;
  const first = new Map<string, number>();
  listeners.forEach((listener, l) => {
    const key = combination(listener);
    if (key === undefined) return;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, l);
    else repeats.set(l, earlier);
  });
  return repeats;
}

/** Whether the API server refuses the resource because listeners `a` and `b` share port, protocol and hostname. */
export function refusedAsIndistinct(listeners: readonly unknown[], a: number, b: number): boolean {
  const key = combination(listeners[a]);
  return a !== b && key !== undefined && key === combination(listeners[b]);
}

/** The CEL's key: an absent hostname differs from every present one (has() is compared, not the value alone). */
function combination(listener: unknown): string | undefined {
  if (!isRecord(listener)) return undefined;
  const { port, protocol, hostname } = listener;
  if (typeof port !== "number" || !Number.isInteger(port) || typeof protocol !== "string") return undefined;
  if (hostname !== undefined && typeof hostname !== "string") return undefined;
  return JSON.stringify([port, protocol, hostname === undefined ? null : hostname]);
}

/** The uniqueness refusal, at each listener that repeats an earlier one's combination. */
export function indistinctProblems(listeners: readonly unknown[], add: AddProblem): void {
  for (const [l, first] of indistinctListeners(listeners)) {
    const listener = listeners[l] as Record<string, unknown>;
    const hostname = listener.hostname === undefined ? "no hostname" : `hostname ${quoted(listener.hostname)}`;
    const why = NO_HOSTNAME.has(listener.protocol as string) ? ` (${String(listener.protocol)} listeners have no hostname, so each needs a port of its own)` : "";
    add(
      ["spec", "listeners", l],
      `Duplicate value: port ${String(listener.port)}, protocol ${quoted(listener.protocol)} and ${hostname} are also those of listener ${first}: Combination of port, protocol and hostname must be unique for each listener${why}`,
    );
  }
}

/** What a listener's protocol requires or forbids of its tls and hostname, and ListenerTLSConfig's own rules. */
export function protocolProblems(listener: Record<string, unknown>, path: FieldPath, add: AddProblem): void {
  const protocol = listener.protocol;
  if (typeof protocol !== "string") return;
  if (NO_HOSTNAME.has(protocol) && listener.hostname !== undefined && listener.hostname !== "") {
    add([...path, "hostname"], `Forbidden: hostname must not be specified for protocols ['TCP', 'UDP'] (this listener is ${protocol}, which has no hostname to match)`);
  }
  const tls = listener.tls;
  if (tls === undefined) {
    if (protocol === "TLS") add([...path, "tls"], "Required value: tls mode must be set for protocol TLS (Passthrough hands the connection to a TLSRoute's backends; Terminate needs certificateRefs)");
    return;
  }
  if (TLS_FORBIDDEN.has(protocol)) {
    // The fix is to remove tls: its own contents no longer matter.
    add([...path, "tls"], `Forbidden: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP'] (this listener is ${protocol})`);
    return;
  }
  if (!isRecord(tls)) return add([...path, "tls"], `Invalid value: must be a mapping, not ${Array.isArray(tls) ? "a list" : quoted(tls)}`);
  tlsConfigProblems(tls, protocol, [...path, "tls"], add);
}

function tlsConfigProblems(tls: Record<string, unknown>, protocol: string, path: FieldPath, add: AddProblem): void {
  // The CRD defaults an absent mode to Terminate before its CEL rules see it.
  const mode = tls.mode ?? "Terminate";
  if (!TLS_MODES.includes(mode as string)) {
    add([...path, "mode"], `Unsupported value: ${quoted(mode)}: supported values: "Terminate", "Passthrough"`);
    return;
  }
  if (protocol === "HTTPS" && mode !== "Terminate") add([...path, "mode"], `Invalid value: ${quoted(mode)}: tls mode must be Terminate for protocol HTTPS (an HTTPS listener decrypts to route by HTTP; TLS passthrough is a TLS listener's)`);
  const refs = tls.certificateRefs;
  if (refs !== undefined && !Array.isArray(refs)) add([...path, "certificateRefs"], `Invalid value: must be a list, not ${quoted(refs)}`);
  if (Array.isArray(refs)) {
    if (refs.length > 64) add([...path, "certificateRefs"], `Too many: ${refs.length} entries, the most allowed is 64`);
    refs.forEach((ref, r) => {
      if (!isRecord(ref)) add([...path, "certificateRefs", r], `Invalid value: must be a mapping, not ${Array.isArray(ref) ? "a list" : quoted(ref)}`);
      else if (ref.name === undefined) add([...path, "certificateRefs", r, "name"], "Required value");
      else if (typeof ref.name !== "string" || ref.name === "") add([...path, "certificateRefs", r, "name"], `Invalid value: ${quoted(ref.name)}: must be a non-empty string`);
    });
  }
  const options = tls.options;
  if (options !== undefined && !isRecord(options)) add([...path, "options"], `Invalid value: must be a mapping, not ${Array.isArray(options) ? "a list" : quoted(options)}`);
  if (isRecord(options) && Object.keys(options).length > 16) add([...path, "options"], `Too many: ${Object.keys(options).length} options, the most allowed is 16`);
  const hasRefs = Array.isArray(refs) && refs.length > 0;
  const hasOptions = isRecord(options) && Object.keys(options).length > 0;
  if (mode === "Terminate" && !hasRefs && !hasOptions) {
    const defaulted = tls.mode === undefined ? " (mode defaults to Terminate)" : "";
    add([...path, "certificateRefs"], `Required value: certificateRefs or options must be specified when mode is Terminate${defaulted}`);
  }
}
