import { describe, expect, it } from "vitest";
import { NOT_A_CSR_BLOCK, readCsrRequest, type CsrFacts } from "../../../src/hardening/csr/request.js";
import { signatureProblem } from "../../../src/hardening/csr/signature.js";
import { base64, derOf, makeRequest, pemOf, withBadSignature } from "./support.js";

function factsOf(value: unknown): CsrFacts {
  const reading = readCsrRequest(value);
  if (!("facts" in reading)) throw new Error(`unreadable: ${reading.problem}`);
  return reading.facts;
}

describe("reading spec.request as the API server does", () => {
  it.each(["rsa", "ecdsa"] as const)("reads the subject and SANs of a %s request, whose signature verifies", async (key) => {
    const pem = await makeRequest({ subject: "CN=first, CN=system:node:n1, O=system:nodes, O=team", key, dns: ["n1.example"], ips: ["10.0.0.1"], emails: ["a@example.com"], uris: ["spiffe://example/n1"] });
    const facts = factsOf(base64(pem));
    // Go keeps the last CN and every O, in order.
    expect(facts.commonName).toBe("system:node:n1");
    expect(facts.organizations).toEqual(["system:nodes", "team"]);
    expect(facts.dnsNames).toEqual(["n1.example"]);
    expect(facts.ipAddresses).toEqual(["10.0.0.1"]);
    expect(facts.emailAddresses).toEqual(["a@example.com"]);
    expect(facts.uris).toEqual(["spiffe://example/n1"]);
    expect(signatureProblem(facts.signedParts)).toBeUndefined();
  });

  it("takes base64 with line breaks, as a YAML block scalar keeps them", async () => {
    const pem = await makeRequest({ subject: "CN=wrapped" });
    const wrapped = (base64(pem).match(/.{1,76}/g) ?? []).join("\n");
    expect(factsOf(wrapped).commonName).toBe("wrapped");
  });

  it.each([
    ["rsa", "crypto/rsa: verification error"],
    ["ecdsa", "x509: ECDSA verification failure"],
  ] as const)("says a %s signature that does not verify fails with Go's error", async (key, error) => {
    const pem = await makeRequest({ subject: "CN=tampered", key });
    expect(signatureProblem(factsOf(base64(withBadSignature(pem))).signedParts)).toBe(error);
  });

  it("refuses a key of another type than the algorithm, MD5 and MD2 as Go does", async () => {
    const rsa = factsOf(base64(await makeRequest({ subject: "CN=a", key: "rsa" }))).signedParts;
    const ecdsa = factsOf(base64(await makeRequest({ subject: "CN=a", key: "ecdsa" }))).signedParts;
    expect(signatureProblem({ ...rsa, publicKey: ecdsa.publicKey })).toBe("x509: signature algorithm specifies an RSA public key, but have public key of type *ecdsa.PublicKey");
    expect(signatureProblem({ ...rsa, algorithm: "1.2.840.113549.1.1.4" })).toBe("x509: cannot verify signature: insecure algorithm MD5-RSA");
    expect(signatureProblem({ ...rsa, algorithm: "1.2.840.113549.1.1.2" })).toBe("x509: cannot verify signature: algorithm unimplemented");
    // SHA-1 stays allowed for requests (CheckSignature passes allowSHA1): only the digest differs, so the SHA-256 signature fails as a bad one.
    expect(signatureProblem({ ...rsa, algorithm: "1.2.840.113549.1.1.5" })).toBe("crypto/rsa: verification error");
  });

  it("says why a value is not a request, in ParseCSR's words where they are Go's", async () => {
    const certificateBlock = pemOf(derOf(await makeRequest({ subject: "CN=x" })), "CERTIFICATE");
    expect(readCsrRequest(base64(certificateBlock))).toMatchObject({ problem: NOT_A_CSR_BLOCK, stage: "pem" });
    expect(readCsrRequest(base64("no PEM here"))).toMatchObject({ problem: NOT_A_CSR_BLOCK, stage: "pem" });
    expect(readCsrRequest(undefined)).toMatchObject({ problem: NOT_A_CSR_BLOCK, stage: "pem" });
    expect(readCsrRequest("-----BEGIN CERTIFICATE REQUEST-----")).toMatchObject({ stage: "base64" });
    expect(readCsrRequest(42)).toMatchObject({ stage: "type" });
    const garbage = pemOf(Buffer.from("30030201ff", "hex"));
    expect(readCsrRequest(base64(garbage))).toMatchObject({ stage: "parse" });
  });

  it("reads a request with thousands of SANs, which Go reads (asn1js alone stops at 10,000 ASN.1 nodes)", async () => {
    const dns = Array.from({ length: 12_000 }, (_, i) => `n${i}.example.com`);
    const facts = factsOf(base64(await makeRequest({ subject: "CN=system:node:n1, O=system:nodes", key: "ecdsa", dns })));
    expect(facts.dnsNames.length).toBe(12_000);
    expect(signatureProblem(facts.signedParts)).toBeUndefined();
  });

  it("says where base64 breaks, as encoding/json does, and names a value that is not a string", () => {
    expect(readCsrRequest("QUJD\nRE!F")).toEqual({ problem: "illegal base64 data at input byte 7", stage: "base64" });
    expect(readCsrRequest("QUJ")).toMatchObject({ problem: expect.stringMatching(/^illegal base64 data: /), stage: "base64" });
    expect(readCsrRequest(42)).toEqual({ problem: "json: cannot unmarshal number into Go struct field CertificateSigningRequestSpec.spec.request of type []uint8", stage: "type" });
  });

  it("skips a damaged block and reads the next, as Go's pem.Decode does", async () => {
    const pem = await makeRequest({ subject: "CN=second" });
    const damaged = "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n";
    expect(factsOf(base64(damaged + pem)).commonName).toBe("second");
  });
});
