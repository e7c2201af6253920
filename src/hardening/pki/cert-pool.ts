/**
 * A CA bundle read as Go's crypto/x509 CertPool.AppendCertsFromPEM reads it, which is how
 * kubectl and client-go load certificate-authority and certificate-authority-data: every
 * CERTIFICATE block without PEM headers whose DER parses is taken, once; every other block
 * is skipped; the bundle is usable when one certificate was taken. Go skips without a word;
 * this also says which blocks were skipped and why, so a damaged bundle is not silent.
 */
import { blockLabel, damageOf, pemBlocks, type PemBlock } from "./pem.js";

export type SkipReason = "damaged" | "not-a-certificate" | "headers" | "not-x509";

export interface SkippedBlock {
  /** 1-based place among the file's PEM blocks, damaged and non-certificate ones included. */
  index: number;
  line: number;
  reason: SkipReason;
  /** Why, in words; never the block's bytes or header values. */
  message: string;
}

export interface CertPoolReading<T> {
  /** In file order, without repeats (Go adds a certificate it already holds once). */
  certificates: T[];
  skipped: SkippedBlock[];
  /** How many PEM blocks the text holds: 0 means it is not PEM at all. */
  blocks: number;
}

/** `parse` turns DER (and the 1-based line of its BEGIN line) into the caller's certificate type and throws when it is not X.509. */
export function appendCertsFromPem<T>(text: string, parse: (der: Buffer, line: number) => T): CertPoolReading<T> {
  const blocks = pemBlocks(text);
  const reading: CertPoolReading<T> = { certificates: [], skipped: [], blocks: blocks.length };
  const seen = new Set<string>();
  blocks.forEach((block, i) => {
    const taken = take(block, parse);
    if ("reason" in taken) reading.skipped.push({ index: i + 1, line: block.line, ...taken });
    else if (!seen.has(taken.key)) {
      seen.add(taken.key);
      reading.certificates.push(taken.certificate);
    }
  });
  return reading;
}

function take<T>(block: PemBlock, parse: (der: Buffer, line: number) => T): { certificate: T; key: string } | { reason: SkipReason; message: string } {
  const damage = damageOf(block);
  if (damage || !block.der) return { reason: "damaged", message: `the ${blockLabel(block)} block ${damage ?? "cannot be decoded"}` };
  if (block.type !== "CERTIFICATE") return { reason: "not-a-certificate", message: `a ${blockLabel(block)} block, not a certificate` };
  // Headers (Proc-Type, DEK-Info) mark an encrypted or otherwise wrapped block; their values are not shown.
  const headers = Object.keys(block.headers);
  if (headers.length > 0) return { reason: "headers", message: `the CERTIFICATE block has PEM headers (${headers.join(", ")}), which Go does not accept on a certificate` };
  try {
    return { certificate: parse(block.der, block.line), key: block.der.toString("base64") };
  } catch {
    return { reason: "not-x509", message: "the CERTIFICATE block does not parse as an X.509 certificate" };
  }
}
