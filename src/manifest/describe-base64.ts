/**
 * Why Go's base64 decoder stopped where it did, and the finding's words for it. The class
 * is worked out from the text while it is at hand; a finding carries only the class, the
 * offset and the length, never a character of the value (Secret data as often as not).
 */
import { formatFieldPath, type K8sObject } from "../k8s/types.js";
import type { NotBase64 } from "./field-check.js";

/**
 * character: one outside the standard alphabet (a space, URL-safe `-` or `_`, plain text);
 * unpadded: the last group has two or three characters and no `=`, or one `=` of two;
 * padding: an `=` where no padding can stand; trailing: text after the padding.
 */
export type NotBase64Reason = "character" | "unpadded" | "padding" | "trailing";

const DIGIT = /[A-Za-z0-9+/]/;

function isLineBreak(c: string | undefined): boolean {
  return c === "\n" || c === "\r";
}

/** The class of Go's refusal at `offset` (stdBase64ErrorOffset's answer for the text). */
export function notBase64Reason(text: string, offset: number): NotBase64Reason {
  if (offset >= text.length) return "unpadded";
  const at = text.charAt(offset);
  if (at === "=") return "padding";
  const lineBreak = isLineBreak(at);
  if (!lineBreak && !DIGIT.test(at)) return "character";
  // Go names a digit or a line break either inside an unpadded last group (it counts back
  // its digits from the end), or just after a padding: the one `=` of a pair, or a whole one.
  let before = offset - 1;
  while (before >= 0 && isLineBreak(text.charAt(before))) before--;
  if (text.charAt(before) !== "=") return "unpadded";
  return lineBreak ? "padding" : "trailing";
}

const REASONS: Readonly<Record<NotBase64Reason, string>> = {
  character: "a character outside the standard base64 alphabet",
  unpadded: "its last group of characters lacks the = padding that Go's StdEncoding requires",
  padding: "an = where no padding can stand",
  trailing: "text follows the = padding",
};

/** What the field was likely meant to hold, by where it is: plain text has a field of its own beside data. */
function hintFor(object: K8sObject, path: NotBase64["path"]): string {
  const field = path[path.length - 1];
  if (object.apiVersion === "v1" && path.length === 2) {
    if (object.kind === "Secret" && path[0] === "data") return "; plain text belongs under stringData";
    if (object.kind === "ConfigMap" && path[0] === "binaryData") return "; plain text belongs under data";
  }
  if (field === "request") return ": it holds the base64 of the PEM request (base64 -w0 < request.csr)";
  if (field === "caBundle") return ": it holds the base64 of the PEM CA certificates (base64 -w0 < ca.crt)";
  return "";
}

export function describeNotBase64(bad: NotBase64, object: K8sObject): string {
  return `${formatFieldPath(bad.path)} is not base64 as the API server decodes it ("illegal base64 data at input byte ${bad.offset}" in a value of ${bad.length} bytes: ${REASONS[bad.why]}), so it refuses this object${hintFor(object, bad.path)}`;
}
