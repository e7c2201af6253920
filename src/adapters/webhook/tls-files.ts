/**
 * Reading and checking the serving certificate, its key and the client CA before they are
 * used: a file that is empty, not PEM, or a key that belongs to another certificate would
 * otherwise start a server whose every handshake fails, or fail deep inside OpenSSL. The
 * same check guards hot reload, which keeps the previous pair when the new one is bad.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { isEncryptedKey, pemBlocks } from "../../hardening/pki/pem.js";

export type TlsField = "certFile" | "keyFile" | "clientCAFile";

/** Which file is wrong and why, in words; never the file's contents. */
export class TlsFileError extends Error {
  constructor(
    readonly field: TlsField,
    readonly file: string,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`${field} ${file}: ${reason}`);
    this.name = "TlsFileError";
  }
}

export interface TlsFilePaths {
  certFile: string;
  keyFile: string;
  clientCAFile?: string;
}

export interface CheckedTls {
  certPem: string;
  keyPem: string;
  clientCaPem?: string;
}

const PEM_HINT: Record<TlsField, string> = {
  certFile: "point server.certFile at the PEM certificate (tls.crt of a kubernetes.io/tls Secret), the server's first, then its chain",
  keyFile: "point server.keyFile at the PEM private key of server.certFile (tls.key of the same Secret)",
  clientCAFile: "point server.clientCAFile at the PEM bundle of the CA that signs the API server's client certificate",
};

function read(field: TlsField, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "the file does not exist" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "a directory, not a file" : `cannot be read (${code ?? (err as Error).message})`;
    throw new TlsFileError(field, file, reason, `paths in the configuration are relative to it; ${PEM_HINT[field]}`);
  }
  if (text.trim() === "") throw new TlsFileError(field, file, "the file is empty", PEM_HINT[field]);
  return text;
}

function certificate(field: TlsField, file: string, pem: string): X509Certificate {
  if (!pemBlocks(pem).some((block) => block.type === "CERTIFICATE")) throw new TlsFileError(field, file, "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)", PEM_HINT[field]);
  try {
    return new X509Certificate(pem);
  } catch {
    throw new TlsFileError(field, file, "the PEM certificate cannot be parsed", PEM_HINT[field]);
  }
}

/** The key blocks node's TLS server loads; the PEM itself is still parsed by node:crypto, as the server parses it. */
const KEY_TYPES = new Set(["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]);

function privateKey(file: string, pem: string): KeyObject {
  const block = pemBlocks(pem).find((b) => KEY_TYPES.has(b.type));
  if (!block) throw new TlsFileError("keyFile", file, "no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)", PEM_HINT.keyFile);
  if (isEncryptedKey(block)) throw new TlsFileError("keyFile", file, "the private key is encrypted with a passphrase", "store the key unencrypted, readable by the server only (mode 0600)");
  try {
    return createPrivateKey(pem);
  } catch {
    throw new TlsFileError("keyFile", file, "the PEM private key cannot be parsed", PEM_HINT.keyFile);
  }
}

/** Read the files and check them: each parses, and the key is the certificate's. Throws TlsFileError. */
export function readTlsFiles(paths: TlsFilePaths): CheckedTls {
  const certPem = read("certFile", paths.certFile);
  const cert = certificate("certFile", paths.certFile, certPem);
  const keyPem = read("keyFile", paths.keyFile);
  const key = privateKey(paths.keyFile, keyPem);
  if (!cert.checkPrivateKey(key)) {
    throw new TlsFileError("keyFile", paths.keyFile, `not the private key of the certificate in ${paths.certFile}`, "use the key and certificate of one pair (tls.key and tls.crt of the same Secret)");
  }
  const checked: CheckedTls = { certPem, keyPem };
  if (paths.clientCAFile !== undefined) {
    const caPem = read("clientCAFile", paths.clientCAFile);
    certificate("clientCAFile", paths.clientCAFile, caPem);
    checked.clientCaPem = caPem;
  }
  return checked;
}
