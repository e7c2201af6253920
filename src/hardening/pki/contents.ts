/**
 * What one file of a PKI directory holds: its certificates and private keys, and every
 * reason a Kubernetes component could not load it (not PEM at all, a block cut off or
 * corrupt, DER that does not parse). Problems are said in words, never with the file's bytes.
 */
import { certificateFromDer, privateKeyOf, type CertificateFacts, type PrivateKeyFacts } from "../x509.js";
import { goEcPrivateKeyRefusal } from "./ec-private-key-curve.js";
import { blockLabel, describeDamage, isEncryptedKey, isPrivateKey, pemBlocks } from "./pem.js";

export interface LocatedCertificate {
  /** The certificate's place among the file's CERTIFICATE blocks (chain files hold several). */
  index: number;
  line: number;
  facts: CertificateFacts;
}

export interface ContentProblem {
  line: number;
  /** What the damaged data was meant to be, for the finding's object. */
  kind: "Certificate" | "PrivateKey" | "File";
  message: string;
}

export interface FileContents {
  certificates: LocatedCertificate[];
  keys: PrivateKeyFacts[];
  problems: ContentProblem[];
}

export function readContents(text: string): FileContents {
  const contents: FileContents = { certificates: [], keys: [], problems: [] };
  if (text.trim() === "") {
    contents.problems.push({ line: 1, kind: "File", message: "is empty: it holds no certificate or key" });
    return contents;
  }
  const blocks = pemBlocks(text);
  if (blocks.length === 0) {
    contents.problems.push({ line: 1, kind: "File", message: notPem(text) });
    return contents;
  }
  let index = 0;
  for (const block of blocks) {
    const isCertificate = block.type === "CERTIFICATE";
    const isKey = isPrivateKey(block);
    if (!isCertificate && !isKey) continue;
    const kind = isCertificate ? "Certificate" : "PrivateKey";
    const damage = describeDamage(block);
    if (isCertificate) {
      const at = index++;
      if (damage) contents.problems.push({ line: block.line, kind, message: damage });
      else {
        const facts = certificateFromDer(block.der as Buffer);
        if (facts) contents.certificates.push({ index: at, line: block.line, facts });
        else contents.problems.push({ line: block.line, kind, message: `the CERTIFICATE block at line ${block.line} does not parse as an X.509 certificate (its DER is malformed)` });
      }
      continue;
    }
    if (damage) {
      contents.problems.push({ line: block.line, kind, message: damage });
      continue;
    }
    // An encrypted key is left alone: it may be kept so on purpose, and its size is unknown.
    if (isEncryptedKey(block)) continue;
    const key = privateKeyOf(block);
    // Node (OpenSSL) loads curves Go does not: say so, and still judge the key (its strength, its permissions).
    const goRefusal = key?.keyType === "ec" ? goEcPrivateKeyRefusal(block.type, block.der as Buffer) : undefined;
    if (goRefusal) contents.problems.push({ line: block.line, kind, message: `the ${blockLabel(block)} block at line ${block.line} is a key Go's crypto/x509 refuses: ${goRefusal}` });
    if (key) contents.keys.push(key);
    else contents.problems.push({ line: block.line, kind, message: `the ${blockLabel(block)} block at line ${block.line} is not a private key Kubernetes components can load (PKCS #1, PKCS #8 or SEC 1 DER)` });
  }
  return contents;
}

/** Why a file without a single PEM block cannot be loaded. */
function notPem(text: string): string {
  // Read as latin1, the text holds the file's bytes one to one.
  const der = Buffer.from(text, "latin1");
  if (der[0] === 0x30 && certificateFromDer(der)) return "is a DER (binary) certificate, not PEM: Kubernetes components load only PEM";
  if (isBinary(text)) return "is binary data, not PEM, and no DER certificate either";
  return "holds no PEM block (no -----BEGIN line)";
}

/** Whether the text holds C0 control bytes other than tab, newline and carriage return, which no PEM file does. */
function isBinary(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return true;
  }
  return false;
}
