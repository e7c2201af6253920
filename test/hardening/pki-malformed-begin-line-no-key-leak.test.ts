/**
 * A private key whose lines were joined into one (written with `echo $KEY`, unquoted, so the shell
 * turns newlines into spaces) has BEGIN and END on a single line; read as PEM, its "type" is
 * everything between the first "-----BEGIN " and the last "-----": the key's base64. Go's
 * pem.Decode finds no block in it either, so it is reported as damaged, but the message must
 * never carry that type, since it is the key itself.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CERTIFICATE_NOW } from "../support/test-certificates.js";
import { auditPki } from "../../src/hardening/pki/audit.js";
import { appendCertsFromPem } from "../../src/hardening/pki/cert-pool.js";
import { blockLabel, describeDamage, pemBlocks } from "../../src/hardening/pki/pem.js";

const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
/** What `echo $KEY > file` writes: the lines joined by single spaces. */
const oneLine = `${key.trim().split("\n").join(" ")}\n`;
/** Every 12-character run of the key's base64: none may appear in any output. */
const base64 = key.split("\n").filter((l) => !l.startsWith("-----")).join("");
const leaks = (text: string) => Array.from({ length: base64.length - 11 }, (_, i) => base64.slice(i, i + 12)).filter((piece) => text.includes(piece));

describe("a key joined into one line is reported without its base64", () => {
  it("pki/unreadable says the block is cut off, naming no type taken from the data", () => {
    const audit = auditPki([{ file: "/pki/sa.key", text: oneLine, mode: 0o600 }], CERTIFICATE_NOW);
    expect(audit.findings.map((f) => f.message)).toEqual(["sa.key: the PRIVATE KEY (BEGIN line malformed, not shown) block at line 1 is cut off: it has no END line of its own"]);
    expect(leaks(JSON.stringify(audit))).toEqual([]);
  });

  it("a CA bundle read as a pool skips it without printing it", () => {
    const reading = appendCertsFromPem(oneLine, () => undefined);
    expect(reading.skipped.map((s) => s.message)).toEqual(["the PRIVATE KEY (BEGIN line malformed, not shown) block is cut off: it has no END line of its own"]);
    expect(leaks(JSON.stringify(reading))).toEqual([]);
  });

  it("a BEGIN line with the key's first base64 line glued to its label is not printed either", () => {
    const [begin, first, ...rest] = key.split("\n");
    const glued = `${(begin as string).slice(0, -5)}${first as string}-----\n${rest.join("\n")}`;
    const [block] = pemBlocks(glued);
    expect(leaks(`${blockLabel(block!)} ${describeDamage(block!) ?? ""}`)).toEqual([]);
  });

  it("prints ordinary labels as they are", () => {
    expect(describeDamage(pemBlocks("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n")[0]!)).toBe("the RSA PRIVATE KEY block at line 1 is cut off: it has no -----END RSA PRIVATE KEY----- line");
    expect(blockLabel({ type: "ENCRYPTED PRIVATE KEY" })).toBe("ENCRYPTED PRIVATE KEY");
    expect(blockLabel({ type: "X509 CRL" })).toBe("X509 CRL");
  });
});
