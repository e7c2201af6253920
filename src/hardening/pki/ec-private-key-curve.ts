/**
 * The curve of an elliptic-curve private key as Go's crypto/x509 reads it, which Kubernetes
 * components and etcd load keys with (tls.X509KeyPair, keyutil.ParsePrivateKeyPEM): only a named
 * curve among P-224, P-256, P-384 and P-521 (namedCurveFromOID). A key whose curve is given by
 * explicit parameters (openssl ecparam -param_enc explicit), or is another named curve (secp256k1),
 * is refused, though OpenSSL, and so Node, loads it.
 * - SEC 1 (EC PRIVATE KEY): ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING,
 *   parameters [0] EXPLICIT OBJECT IDENTIFIER OPTIONAL, publicKey [1] OPTIONAL };
 * - PKCS #8 (PRIVATE KEY): the curve is the AlgorithmIdentifier's parameters when they name one,
 *   which Go takes in place of any the inner ECPrivateKey carries; otherwise the inner one's.
 */
import { GO_NAMED_CURVES } from "./certificate-identity.js";
import { DerReader, TAG } from "./der-reader.js";

const SEC1_PARAMETERS_TAG = 0xa0;

/** Why Go cannot load this elliptic-curve private key (its DER, of the PEM type given), or undefined when it can. */
export function goEcPrivateKeyRefusal(type: string, der: Buffer): string | undefined {
  const curve = type === "EC PRIVATE KEY" ? sec1Curve(der) : pkcs8Curve(der);
  if (curve === undefined) return "its curve is given by explicit parameters or not at all, not by name, which Go cannot load (x509: failed to parse EC private key)";
  if (!GO_NAMED_CURVES.has(curve)) return "its elliptic curve is not one Go knows (x509: unknown elliptic curve; Go reads P-224, P-256, P-384 and P-521)";
  return undefined;
}

/** The named curve's OID contents in hex; undefined when the parameters are not an OID or are absent. */
function sec1Curve(der: Buffer): string | undefined {
  const key = new DerReader(der).read(TAG.SEQUENCE);
  if (!key) return undefined;
  const reader = new DerReader(key);
  if (!reader.read(TAG.INTEGER) || !reader.read(TAG.OCTET_STRING)) return undefined;
  const parameters = reader.read(SEC1_PARAMETERS_TAG);
  const oid = parameters && new DerReader(parameters).read(TAG.OBJECT_IDENTIFIER);
  return oid && Buffer.from(oid).toString("hex");
}

function pkcs8Curve(der: Buffer): string | undefined {
  const info = new DerReader(der).read(TAG.SEQUENCE);
  if (!info) return undefined;
  const reader = new DerReader(info);
  const algorithm = reader.read(TAG.INTEGER) && reader.read(TAG.SEQUENCE);
  if (!algorithm) return undefined;
  const fields = new DerReader(algorithm);
  const oid = fields.read(TAG.OBJECT_IDENTIFIER) && fields.read(TAG.OBJECT_IDENTIFIER);
  if (oid) return Buffer.from(oid).toString("hex");
  // Parameters that are not a named curve: Go falls back on the inner ECPrivateKey's own.
  const inner = reader.read(TAG.OCTET_STRING);
  return inner && sec1Curve(Buffer.from(inner));
}
