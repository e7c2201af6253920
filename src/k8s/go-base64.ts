/**
 * Go's base64.StdEncoding as Kubernetes decodes a []byte field (encoding/json) or a key in
 * an EncryptionConfiguration: the standard alphabet, padding required, CR and LF skipped.
 */
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes, or undefined when Go would not decode the text. */
export function decodeStdBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/[\r\n]/g, "");
  if (!STD_BASE64.test(compact)) return undefined;
  return new Uint8Array(Buffer.from(compact, "base64"));
}
