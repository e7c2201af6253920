/**
 * The one PEM reader (pemBlocks) and the CA-bundle reading on top of it that follows Go's
 * CertPool.AppendCertsFromPEM: good bundles, a damaged block in the middle, a block cut off
 * at the end, blocks that are not certificates, CRLF files and text between blocks.
 */
import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, type CertificateAuthority } from "../../src/adapters/webhook/certificates.js";
import { appendCertsFromPem } from "../../src/hardening/pki/cert-pool.js";
import { encodePem, pemBlocks } from "../../src/hardening/pki/pem.js";
import { readPemCertificates, readPrivateKey } from "../../src/hardening/x509.js";

let a: CertificateAuthority;
let b: CertificateAuthority;
let c: CertificateAuthority;
beforeAll(async () => {
  const ca = (cn: string) => createCertificateAuthority(cn, new Date(), 365);
  [a, b, c] = await Promise.all([ca("ca-a"), ca("ca-b"), ca("ca-c")]);
});

const lineCount = (pem: string) => pem.trimEnd().split("\n").length;
const derOf = (pem: string) => Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, ""), "base64");
/** One base64 character changed to one outside the alphabet, as a bad copy leaves it. */
const corrupt = (pem: string) => {
  const lines = pem.split("\n");
  lines[2] = `${lines[2]!.slice(0, 7)}@${lines[2]!.slice(8)}`;
  return lines.join("\n");
};
/** Cut in the middle of its base64, as an interrupted copy leaves it. */
const cutOff = (pem: string) => pem.slice(0, Math.floor(pem.length / 2)) + "\n";
const pool = (text: string) => {
  const reading = appendCertsFromPem(text, (der) => new X509Certificate(der));
  return { names: reading.certificates.map((cert) => cert.subject), skipped: reading.skipped, blocks: reading.blocks };
};

describe("pemBlocks", () => {
  it("reads a good bundle: every block with its type, line and DER", () => {
    const blocks = pemBlocks(a.certPem + b.certPem + c.certPem);
    expect(blocks.map((block) => [block.type, block.line, block.damage])).toEqual([
      ["CERTIFICATE", 1, undefined],
      ["CERTIFICATE", 1 + lineCount(a.certPem), undefined],
      ["CERTIFICATE", 1 + lineCount(a.certPem) + lineCount(b.certPem), undefined],
    ]);
    expect(blocks.map((block) => block.der)).toEqual([derOf(a.certPem), derOf(b.certPem), derOf(c.certPem)]);
  });

  it("marks a damaged middle block and still reads the blocks around it", () => {
    const blocks = pemBlocks(a.certPem + corrupt(b.certPem) + c.certPem);
    expect(blocks.map((block) => block.damage)).toEqual([undefined, "corrupt", undefined]);
    expect(blocks[1]!.der).toBeUndefined();
    expect(blocks[2]!.der).toEqual(derOf(c.certPem));
  });

  it("marks a last block without its END line as cut off", () => {
    const blocks = pemBlocks(a.certPem + b.certPem + cutOff(c.certPem));
    expect(blocks.map((block) => [block.line, block.damage])).toEqual([
      [1, undefined],
      [1 + lineCount(a.certPem), undefined],
      [1 + lineCount(a.certPem) + lineCount(b.certPem), "truncated"],
    ]);
  });

  it("reads CRLF line endings as LF ones", () => {
    const crlf = (a.certPem + b.certPem).replace(/\n/g, "\r\n");
    const blocks = pemBlocks(crlf);
    expect(blocks.map((block) => [block.line, block.damage, block.der])).toEqual([
      [1, undefined, derOf(a.certPem)],
      [1 + lineCount(a.certPem), undefined, derOf(b.certPem)],
    ]);
  });

  it("ignores text between, before and after blocks, including lines that only look like PEM", () => {
    const text = `subject=CN = ca-a\nissuer: someone\n${a.certPem}\n# next one\n-----BEGIN not a BEGIN line\n  -----BEGIN CERTIFICATE----- (indented, so Go does not see it)\n${b.certPem}trailing words\n`;
    const blocks = pemBlocks(text);
    expect(blocks.map((block) => [block.type, block.line, block.damage])).toEqual([
      ["CERTIFICATE", 3, undefined],
      ["CERTIFICATE", 3 + lineCount(a.certPem) + 4, undefined],
    ]);
    expect(blocks[1]!.der).toEqual(derOf(b.certPem));
  });

  it("writes a block back with 64-character lines that reads the same", () => {
    const pem = encodePem("CERTIFICATE", derOf(a.certPem));
    expect(pem.split("\n").every((line) => line.length <= 64)).toBe(true);
    expect(pemBlocks(pem)[0]!.der).toEqual(derOf(a.certPem));
  });
});

describe("appendCertsFromPem, as Go's CertPool.AppendCertsFromPEM", () => {
  it("takes every certificate of a good bundle, in order", () => {
    expect(pool(a.certPem + b.certPem + c.certPem)).toEqual({ names: ["CN=ca-a", "CN=ca-b", "CN=ca-c"], skipped: [], blocks: 3 });
  });

  it("skips a damaged middle block, naming its place and line, never its bytes", () => {
    const damaged = corrupt(b.certPem);
    const reading = pool(a.certPem + damaged + c.certPem);
    expect(reading.names).toEqual(["CN=ca-a", "CN=ca-c"]);
    expect(reading.skipped).toEqual([{ index: 2, line: 1 + lineCount(a.certPem), reason: "damaged", message: "the CERTIFICATE block is corrupt: its base64 does not decode" }]);
    expect(JSON.stringify(reading.skipped)).not.toContain(damaged.split("\n")[2]!.slice(0, 16));
  });

  it("skips a block cut off in the middle or at the end", () => {
    const middle = pool(a.certPem + cutOff(b.certPem) + c.certPem);
    expect(middle.names).toEqual(["CN=ca-a", "CN=ca-c"]);
    expect(middle.skipped.map((s) => [s.index, s.reason])).toEqual([[2, "damaged"]]);
    const last = pool(a.certPem + b.certPem + cutOff(c.certPem));
    expect(last.names).toEqual(["CN=ca-a", "CN=ca-b"]);
    expect(last.skipped).toEqual([{ index: 3, line: 1 + lineCount(a.certPem) + lineCount(b.certPem), reason: "damaged", message: "the CERTIFICATE block is cut off: it has no -----END CERTIFICATE----- line" }]);
  });

  it("skips blocks that are not certificates: keys, CRLs, requests, headers, DER that is not X.509", () => {
    const der = derOf(b.certPem).toString("base64");
    const blocks = [
      a.keyPem,
      "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
      `-----BEGIN TRUSTED CERTIFICATE-----\n${der}\n-----END TRUSTED CERTIFICATE-----\n`,
      `-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n${der}\n-----END CERTIFICATE-----\n`,
      "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
      c.certPem,
    ];
    const reading = pool(blocks.join(""));
    expect(reading.names).toEqual(["CN=ca-c"]);
    expect(reading.skipped.map((s) => [s.index, s.reason, s.message])).toEqual([
      [1, "not-a-certificate", "a PRIVATE KEY block, not a certificate"],
      [2, "not-a-certificate", "a X509 CRL block, not a certificate"],
      [3, "not-a-certificate", "a TRUSTED CERTIFICATE block, not a certificate"],
      [4, "headers", "the CERTIFICATE block has PEM headers (Proc-Type, DEK-Info), which Go does not accept on a certificate"],
      [5, "not-x509", "the CERTIFICATE block does not parse as an X.509 certificate"],
    ]);
    // The key's own base64 is never part of a message.
    expect(JSON.stringify(reading.skipped)).not.toContain(a.keyPem.split("\n")[1]!.slice(0, 16));
  });

  it("reads a CRLF bundle, and text between blocks, as Go does", () => {
    expect(pool((a.certPem + b.certPem).replace(/\n/g, "\r\n")).names).toEqual(["CN=ca-a", "CN=ca-b"]);
    expect(pool(`Bag Attributes\n    friendlyName: ca-a\n${a.certPem}\n\ngarbage, then more\n${b.certPem}\x00 end`).names).toEqual(["CN=ca-a", "CN=ca-b"]);
  });

  it("takes a certificate given twice once, without calling it skipped", () => {
    expect(pool(a.certPem + a.certPem)).toEqual({ names: ["CN=ca-a"], skipped: [], blocks: 2 });
  });

  it("says when the text holds no PEM block at all", () => {
    expect(pool("not a bundle\n")).toEqual({ names: [], skipped: [], blocks: 0 });
    expect(pool("")).toEqual({ names: [], skipped: [], blocks: 0 });
  });
});

describe("hardening/x509 on the shared reader", () => {
  it("reads the certificate after a block cut off before it", () => {
    const readings = readPemCertificates(cutOff(a.certPem) + b.certPem);
    expect(readings.map((r) => ("problem" in r ? r.problem : r.commonName))).toEqual(["ca-b"]);
  });

  it("reads a private key whose base64 is one long line, and none from an encrypted one", () => {
    const oneLine = `-----BEGIN PRIVATE KEY-----\n${derOf(a.keyPem).toString("base64")}\n-----END PRIVATE KEY-----\n`;
    expect(readPrivateKey(oneLine)?.keyType).toBe("ec");
    expect(readPrivateKey("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")).toBeUndefined();
    expect(readPrivateKey(a.certPem)).toBeUndefined();
  });
});
