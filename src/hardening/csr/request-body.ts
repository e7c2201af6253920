/**
 * Whether a manifest is too large for kube-apiserver to read at all. Every write request body
 * is read through a limit, MaxRequestBodyBytes (k8s.io/apiserver pkg/server/config.go: 3 MiB,
 * twice etcd's recommended 1.5 MiB request; kube-apiserver has no flag for it), and a body of
 * one byte more is refused before it is decoded (pkg/endpoints/handlers limitedReadBody:
 * 413, "Request entity too large: limit is 3145728"). No validation of a CSR limits
 * spec.request on its own (pkg/apis/certificates/validation has no size check for it), so
 * this limit is the one a huge request meets.
 *
 * The body measured is the smallest one kubectl sends for a manifest: `kubectl create -f`
 * writes the object as compact JSON followed by a newline (unstructuredJSONScheme encodes
 * with encoding/json's Encoder), where a []byte field such as spec.request is its base64
 * text. Client-side `kubectl apply` sends more (the object again in an annotation).
 */
import type { K8sObject } from "../../k8s/types.js";
import type { CsrReading } from "./request.js";

export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** encoding/json's Encoder ends every value with a newline. */
const ENCODER_NEWLINE = 1;

/**
 * The bytes encoding/json writes for one UTF-16 code unit of a string (a surrogate pair's
 * two units make one 4-byte character: 2 each). It escapes HTML's <, > and & and the
 * JavaScript line separators as \uXXXX, control characters as \n, \t... (\b and \f too since Go
 * 1.22, which builds current kubectl) or \u00XX.
 */
function encodedUnitBytes(unit: number): number {
  if (unit < 0x20) return unit === 0x08 || unit === 0x09 || unit === 0x0a || unit === 0x0c || unit === 0x0d ? 2 : 6;
  if (unit === 0x22 || unit === 0x5c) return 2;
  if (unit === 0x3c || unit === 0x3e || unit === 0x26) return 6;
  if (unit < 0x80) return 1;
  if (unit < 0x800) return 2;
  if (unit === 0x2028 || unit === 0x2029) return 6;
  // A surrogate half: 2 of a pair's 4 bytes (a lone one becomes \ufffd, 6: rare enough to round down).
  if (unit >= 0xd800 && unit <= 0xdfff) return 2;
  return 3;
}

/** A character that takes more than one byte: anything outside printable ASCII, or one encoding/json escapes. */
const WIDE_CHARACTER = /[^\x20-\x7e]|["\\<>&]/;

/**
 * Counts JSON bytes against a budget and stops as soon as it runs out, so that a manifest
 * of any size costs at most the limit's worth of work and no copy of its text.
 */
class BodyMeter {
  remaining: number;
  constructor(budget: number) {
    this.remaining = budget;
  }

  /** False once the budget is spent. */
  add(bytes: number): boolean {
    this.remaining -= bytes;
    return this.remaining >= 0;
  }

  string(text: string): boolean {
    // Every code unit is at least one byte: a string longer than the budget needs no scan.
    if (!this.add(text.length + 2)) return false;
    // Most text (base64, names) is one byte a character: the regular expression says so fastest.
    if (!WIDE_CHARACTER.test(text)) return true;
    let extra = 0;
    for (let i = 0; i < text.length; i++) {
      extra += encodedUnitBytes(text.charCodeAt(i)) - 1;
      if (extra > this.remaining) return this.add(extra);
    }
    return this.add(extra);
  }

  value(value: unknown): boolean {
    if (typeof value === "string") return this.string(value);
    if (typeof value === "number") return this.add(String(value).length);
    if (typeof value === "boolean") return this.add(value ? 4 : 5);
    if (value === null || value === undefined) return this.add(4);
    if (Array.isArray(value)) {
      if (!this.add(2 + Math.max(0, value.length - 1))) return false;
      return value.every((item) => this.value(item));
    }
    if (typeof value === "object") {
      const entries = Object.entries(value);
      if (!this.add(2 + Math.max(0, entries.length - 1) + entries.length)) return false;
      return entries.every(([key, item]) => this.string(key) && this.value(item));
    }
    return true;
  }
}

/** Whether kubectl's request body for this object is over kube-apiserver's limit. */
export function exceedsRequestBodyLimit(object: K8sObject, limit = MAX_REQUEST_BODY_BYTES): boolean {
  return !new BodyMeter(limit - ENCODER_NEWLINE).value(object);
}

/**
 * What reading the request of an object over the limit gives: the refusal, how large the
 * request is (never its text), and what to do, which depends on whether the request is what
 * makes the object large.
 */
export function tooLargeToSend(request: unknown): CsrReading {
  const refusal = `the object is over ${MAX_REQUEST_BODY_BYTES} bytes (3 MiB) as JSON, the most kube-apiserver reads of a request body, and it answers 413 "Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}"`;
  const length = typeof request === "string" ? request.length : 0;
  const advice =
    length * 2 > MAX_REQUEST_BODY_BYTES
      ? `spec.request alone is ${length} characters: put the base64 of the PEM request alone in spec.request (base64 -w0 < request.csr), a few kilobytes`
      : "spec.request is not what makes it large: shrink the rest of the object (annotations, labels)";
  return { problem: `${refusal}; ${advice}`, stage: "too-large" };
}
