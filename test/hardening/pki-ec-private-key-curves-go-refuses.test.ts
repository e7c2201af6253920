/**
 * Elliptic-curve private keys that OpenSSL (and so Node) loads but Go's crypto/x509 refuses, so
 * that the component given them does not start: a curve written as explicit parameters instead of
 * a name, and a named curve Go does not know (secp256k1). Go reads P-224, P-256, P-384 and P-521.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readContents } from "../../src/hardening/pki/contents.js";

const ecKey = (namedCurve: string, paramEncoding: "named" | "explicit", type: "sec1" | "pkcs8") =>
  generateKeyPairSync("ec", { namedCurve, paramEncoding }).privateKey.export({ type, format: "pem" }).toString();
const problems = (text: string) => readContents(text).problems.map((p) => p.message);

describe("EC private keys Go refuses", () => {
  it("refuses a P-256 key whose curve is given by explicit parameters, in SEC 1 and PKCS #8", () => {
    const explicit = "its curve is given by explicit parameters or not at all, not by name, which Go cannot load (x509: failed to parse EC private key)";
    expect(problems(ecKey("prime256v1", "explicit", "sec1"))).toEqual([`the EC PRIVATE KEY block at line 1 is a key Go's crypto/x509 refuses: ${explicit}`]);
    expect(problems(ecKey("prime256v1", "explicit", "pkcs8"))).toEqual([`the PRIVATE KEY block at line 1 is a key Go's crypto/x509 refuses: ${explicit}`]);
  });

  it("refuses secp256k1, and still reads the key for its other findings", () => {
    const text = ecKey("secp256k1", "named", "sec1");
    expect(problems(text)).toEqual(["the EC PRIVATE KEY block at line 1 is a key Go's crypto/x509 refuses: its elliptic curve is not one Go knows (x509: unknown elliptic curve; Go reads P-224, P-256, P-384 and P-521)"]);
    expect(readContents(text).keys).toHaveLength(1);
  });

  it("takes named P-256, P-384 and P-521 keys in both forms", () => {
    for (const curve of ["prime256v1", "secp384r1", "secp521r1"]) {
      expect(problems(ecKey(curve, "named", "sec1"))).toEqual([]);
      expect(problems(ecKey(curve, "named", "pkcs8"))).toEqual([]);
    }
  });
});
