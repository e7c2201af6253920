/**
 * Critical extensions in the client-certificate chain, as Go's crypto/x509 treats them when
 * kube-apiserver verifies a client certificate: parser.go processExtensions records each critical
 * extension it does not handle in UnhandledCriticalExtensions (and refuses to parse a certificate
 * whose subjectKeyIdentifier, authorityKeyIdentifier or authorityInfoAccess is critical, or
 * which repeats an extension); verify.go isValid refuses a certificate with an unhandled one,
 * whether it is the presented certificate, an intermediate or the root. Certificates are
 * generated here with @peculiar/x509, the extension values written as DER.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { AsnConvert } from "@peculiar/asn1-schema";
import { GeneralName, GeneralNames, GeneralSubtree, GeneralSubtrees, Name, NameConstraints } from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { CERTIFICATE_NOW, makeCertificate, type MadeCertificate } from "../support/test-certificates.js";
import { authenticateClientCertificate } from "../../src/access/authn/x509.js";
import { auditPki } from "../../src/hardening/pki/audit.js";
import { readClientCaBundle } from "../../src/hardening/pki/client-ca.js";
import { verifyClientChain } from "../../src/hardening/pki/client-chain.js";
import { certificateFromDer, type CertificateFacts } from "../../src/hardening/x509.js";

const NOW = CERTIFICATE_NOW;
const CLIENT_AUTH = [x509.ExtendedKeyUsage.clientAuth];
type Made = MadeCertificate;

/** A private OID no one handles, with a NULL value. */
const PRIVATE_OID = "1.3.6.1.4.1.55555.1";
const privateExtension = (critical: boolean) => new x509.Extension(PRIVATE_OID, critical, new Uint8Array([0x05, 0x00]));
const raw = (oid: string, critical: boolean, hex: string) => new x509.Extension(oid, critical, Buffer.from(hex, "hex"));
const directoryOnlyNames = () => AsnConvert.serialize(new GeneralNames([new GeneralName({ directoryName: new Name([]) })]));

const root = (subject: string, ...extensions: x509.Extension[]) => makeCertificate({ subject, ca: true, extensions });
const intermediateOf = (signer: Made, subject: string, ...extensions: x509.Extension[]) => makeCertificate({ subject, ca: true, signer, extensions });
const client = (signer: Made, ...extensions: x509.Extension[]) => makeCertificate({ subject: "CN=alice, O=dev", eku: CLIENT_AUTH, signer, extensions });
const admin = (signer: Made, ...extensions: x509.Extension[]) => makeCertificate({ subject: "CN=kubernetes-admin, O=system:masters", eku: CLIENT_AUTH, signer, extensions });

function facts(made: Made): CertificateFacts {
  return certificateFromDer(Buffer.from(made.cert.rawData)) as CertificateFacts;
}

function reason(leaf: Made, roots: Made[], intermediates: Made[] = []): string {
  const result = verifyClientChain(facts(leaf), roots.map(facts), intermediates.map(facts), NOW);
  return "reason" in result ? result.reason : "accepted";
}

describe("critical extensions in the client-certificate chain (Go's UnhandledCriticalExtensions)", () => {
  it("refuses a presented certificate with a critical unknown extension, and accepts it when the extension is not critical", async () => {
    const ca = await root("CN=ca");
    expect(reason(await client(ca, privateExtension(true)), [ca])).toBe(`certificate "CN=alice, O=dev" is refused: its critical extension ${PRIVATE_OID} is one Go does not handle (x509: unhandled critical extension)`);
    expect(reason(await client(ca, privateExtension(false)), [ca])).toBe("accepted");
  });

  it("accepts the critical extensions Go handles: keyUsage, basicConstraints, extKeyUsage with unknown usages, policies, CRL distribution points, a SAN with names", async () => {
    const ca = await root("CN=ca");
    const leaf = await client(
      ca,
      new x509.CertificatePolicyExtension(["2.5.29.32.0"], true),
      new x509.CRLDistributionPointsExtension(["http://crl.example.com/ca.crl"], true),
      new x509.SubjectAlternativeNameExtension([{ type: "dns", value: "alice.example.com" }], true),
      raw("2.5.29.36", true, "3003810100"), // policyConstraints: inhibitPolicyMapping 0
      raw("2.5.29.54", true, "020100"), // inhibitAnyPolicy 0
    );
    // makeCertificate marks basicConstraints and keyUsage critical on every certificate.
    expect(leaf.cert.extensions.filter((e) => e.critical).map((e) => e.type)).toEqual(expect.arrayContaining(["2.5.29.19", "2.5.29.15"]));
    expect(reason(leaf, [ca])).toBe("accepted");
    const unknownUsage = await makeCertificate({ subject: "CN=alice", signer: ca, extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, "1.3.6.1.4.1.55555.2"], true)] });
    expect(reason(unknownUsage, [ca])).toBe("accepted");
  });

  it("refuses an extension under 2.5.29 that Go does not interpret, and a critical SAN without a DNS name, email, IP or URI", async () => {
    const ca = await root("CN=ca");
    const issuerAltName = raw("2.5.29.18", true, Buffer.from(directoryOnlyNames()).toString("hex"));
    expect(reason(await client(ca, issuerAltName), [ca])).toMatch(/its critical extension issuerAltName \(2\.5\.29\.18\) is one Go does not handle \(x509: unhandled critical extension\)$/);
    // Only the exact four-arc OIDs are keyUsage and the like: an arc below keyUsage is unknown.
    expect(reason(await client(ca, raw("2.5.29.15.1", true, "0500")), [ca])).toMatch(/its critical extension 2\.5\.29\.15\.1 is one Go does not handle/);
    const directoryOnly = new x509.Extension("2.5.29.17", true, directoryOnlyNames());
    expect(reason(await client(ca, directoryOnly), [ca])).toMatch(/its critical subjectAltName extension holds no DNS name, email address, IP address or URI, the only forms Go reads \(x509: unhandled critical extension\)$/);
    expect(reason(await client(ca, new x509.Extension("2.5.29.17", false, directoryOnlyNames())), [ca])).toBe("accepted");
  });

  it("refuses a chain through an intermediate, or to a root, that carries a critical unknown extension", async () => {
    const ca = await root("CN=ca");
    const marked = await intermediateOf(ca, "CN=marked-intermediate", privateExtension(true));
    const plain = await intermediateOf(ca, "CN=plain-intermediate", privateExtension(false));
    expect(reason(await client(marked), [ca], [marked])).toBe(`certificate "CN=marked-intermediate" is refused: its critical extension ${PRIVATE_OID} is one Go does not handle (x509: unhandled critical extension)`);
    expect(reason(await client(plain), [ca], [plain])).toBe("accepted");
    const markedRoot = await root("CN=marked-root", privateExtension(true));
    expect(reason(await client(markedRoot), [markedRoot])).toBe(`trust anchor "CN=marked-root" is refused: its critical extension ${PRIVATE_OID} is one Go does not handle (x509: unhandled critical extension)`);
    // A root in the bundle presented as itself goes through isValid too.
    expect(reason(markedRoot, [markedRoot])).toMatch(/^certificate "CN=marked-root" is refused: .*unhandled critical extension/);
    const plainRoot = await root("CN=plain-root", privateExtension(false));
    expect(reason(await client(plainRoot), [plainRoot])).toBe("accepted");
  });

  it("reads no extension of a version 1 certificate, as Go's parser reads extensions of version 3 only", async () => {
    const marked = await makeCertificate({ subject: "CN=old-root", ca: true, eku: CLIENT_AUTH, extensions: [privateExtension(true)] });
    // Rewrite the TBSCertificate's version (a0 03 02 01 02) to v1; the signature no longer matters, the root being its own chain.
    const der = Buffer.from(marked.cert.rawData);
    const at = der.indexOf(Buffer.from("a003020102", "hex"));
    const v1 = Buffer.from(der);
    v1[at + 4] = 0;
    const asFacts = (bytes: Buffer) => certificateFromDer(bytes) as CertificateFacts;
    expect("chain" in verifyClientChain(asFacts(der), [asFacts(der)], [], NOW)).toBe(false);
    expect(verifyClientChain(asFacts(v1), [asFacts(v1)], [], NOW)).toHaveProperty("chain");
  });

  it("keeps the nameConstraints message, and lists every unhandled extension", async () => {
    const ca = await root("CN=ca");
    const permitted = new GeneralSubtrees([new GeneralSubtree({ base: new GeneralName({ directoryName: new Name([]) }) })]);
    const nameConstraints = new x509.Extension("2.5.29.30", true, AsnConvert.serialize(new NameConstraints({ permittedSubtrees: permitted })));
    expect(reason(await client(ca, nameConstraints, privateExtension(true)), [ca])).toBe(
      `certificate "CN=alice, O=dev" is refused: its critical nameConstraints extension holds directoryName constraints, which Go does not support; its critical extension ${PRIVATE_OID} is one Go does not handle (x509: unhandled critical extension)`,
    );
  });

  it("takes a certificate whose subjectKeyIdentifier, authorityKeyIdentifier or authorityInfoAccess is critical, or that repeats an extension, as one Go cannot parse", async () => {
    const ca = await root("CN=ca");
    const ski = raw("2.5.29.14", true, "04020102");
    const aki = raw("2.5.29.35", true, "300480020102");
    // authorityInfoAccess: one OCSP responder, http://o.
    const aiaValue = "30163014" + "06082b06010505073001" + "8608687474703a2f2f6f";
    const aia = raw("1.3.6.1.5.5.7.1.1", true, aiaValue);
    expect(reason(await client(ca, ski), [ca])).toBe(`certificate "CN=alice, O=dev" cannot be parsed by Go: its subjectKeyIdentifier extension is marked critical, which RFC 5280 forbids`);
    expect(reason(await client(ca, aki), [ca])).toMatch(/cannot be parsed by Go: its authorityKeyIdentifier extension is marked critical/);
    expect(reason(await client(ca, aia), [ca])).toMatch(/cannot be parsed by Go: its authorityInfoAccess extension is marked critical/);
    expect(reason(await client(ca, raw("2.5.29.14", false, "04020102"), raw("1.3.6.1.5.5.7.1.1", false, aiaValue)), [ca])).toBe("accepted");
    expect(reason(await client(ca, privateExtension(false), privateExtension(false)), [ca])).toBe(`certificate "CN=alice, O=dev" cannot be parsed by Go: it contains the extension ${PRIVATE_OID} twice`);
    // A CA Go cannot parse is no CA at all.
    const unparsableRoot = await root("CN=unparsable-root", ski);
    expect(reason(await client(unparsableRoot), [unparsableRoot])).toMatch(/^certificate signed by unknown authority "CN=unparsable-root"$/);
  });

  it("agrees with the authenticator model: an unhandled critical extension anywhere in the chain is an x509 error there", async () => {
    const ca = await root("CN=ca");
    const authenticate = async (leaf: Made, roots: Made[], intermediates: Made[] = []) => (await authenticateClientCertificate({ presented: [leaf.cert, ...intermediates.map((m) => m.cert)], roots: roots.map((m) => m.cert), now: NOW })).result;
    expect(await authenticate(await client(ca, privateExtension(false)), [ca])).toMatchObject({ authenticated: true });
    expect(JSON.stringify(await authenticate(await client(ca, privateExtension(true)), [ca]))).toMatch(/x509: certificate \\"CN=alice, O=dev\\" is refused: .*\(x509: unhandled critical extension\)/);
    const marked = await intermediateOf(ca, "CN=marked-intermediate", privateExtension(true));
    expect(await authenticate(await client(marked), [ca], [marked])).toMatchObject({ authenticated: false });
    const markedRoot = await root("CN=marked-root", privateExtension(true));
    expect(JSON.stringify(await authenticate(await client(markedRoot), [markedRoot]))).toMatch(/trust anchor \\"CN=marked-root\\" is refused/);
  });
});

describe("pki/system-masters and critical extensions", () => {
  const pem = (file: string, made: Made) => ({ file, text: made.cert.toString("pem"), mode: 0o644 });
  const reported = (files: ReturnType<typeof pem>[], clientCa?: Made) =>
    auditPki(files, NOW, clientCa ? { clientCa: { described: "ca.crt", roots: readClientCaBundle(clientCa.cert.toString("pem")) } } : {})
      .findings.filter((f) => f.ruleId === "pki/system-masters")
      .map((f) => f.position!.file)
      .sort();

  it("with the client CA unknown, does not report a system:masters certificate carrying a critical unknown extension", async () => {
    const ca = await root("CN=kubernetes");
    const files = [pem("/pki/refused.crt", await admin(ca, privateExtension(true))), pem("/pki/tolerated.crt", await admin(ca, privateExtension(false)))];
    expect(reported(files)).toEqual(["/pki/tolerated.crt"]);
  });

  it("does not report one that chains to the client CA only through an intermediate, or to a root, with a critical unknown extension", async () => {
    const ca = await root("CN=kubernetes");
    const marked = await intermediateOf(ca, "CN=marked-intermediate", privateExtension(true));
    const plain = await intermediateOf(ca, "CN=plain-intermediate", privateExtension(false));
    const throughIntermediates = [pem("/pki/ca.crt", ca), pem("/pki/marked.crt", marked), pem("/pki/plain.crt", plain), pem("/pki/via-marked.crt", await admin(marked)), pem("/pki/via-plain.crt", await admin(plain))];
    expect(reported(throughIntermediates, ca)).toEqual(["/pki/via-plain.crt"]);
    const markedRoot = await root("CN=kubernetes", privateExtension(true));
    expect(reported([pem("/pki/ca.crt", markedRoot), pem("/pki/admin.crt", await admin(markedRoot))], markedRoot)).toEqual([]);
    const plainRoot = await root("CN=kubernetes", privateExtension(false));
    expect(reported([pem("/pki/ca.crt", plainRoot), pem("/pki/admin.crt", await admin(plainRoot))], plainRoot)).toEqual(["/pki/admin.crt"]);
  });
});
