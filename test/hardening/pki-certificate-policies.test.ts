/**
 * Certificate policy validation in the client-certificate chain, as Go's crypto/x509 runs it when
 * kube-apiserver verifies a client certificate (verify.go policiesValid, on every candidate chain
 * since Go 1.22, with VerifyOptions naming no policy: user-initial-policy-set {anyPolicy}, nothing
 * required or inhibited at the start), and how Go's parser reads the four policy extensions
 * (parser.go processExtensions, parseCertificatePoliciesExtension). Certificates are generated
 * with @peculiar/x509; extension values Go and @peculiar/x509 read differently are written as DER.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { spawnSync } from "node:child_process";
import { webcrypto } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AsnConvert } from "@peculiar/asn1-schema";
import { PolicyMapping, PolicyMappings } from "@peculiar/asn1-x509";
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

const ANY_POLICY = "2.5.29.32.0";
const GOLD = "1.3.6.1.4.1.55555.10.1";
const SILVER = "1.3.6.1.4.1.55555.10.2";

const raw = (oid: string, critical: boolean, hex: string) => new x509.Extension(oid, critical, Buffer.from(hex, "hex"));
const policies = (...oids: string[]) => new x509.CertificatePolicyExtension(oids, false);
/** policyConstraints with [0] requireExplicitPolicy and/or [1] inhibitPolicyMapping, small values only. */
function policyConstraints(fields: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number }, critical = true): x509.Extension {
  const int = (tag: string, value: number | undefined) => (value === undefined ? "" : `${tag}01${value.toString(16).padStart(2, "0")}`);
  const body = int("80", fields.requireExplicitPolicy) + int("81", fields.inhibitPolicyMapping);
  return raw("2.5.29.36", critical, `30${(body.length / 2).toString(16).padStart(2, "0")}${body}`);
}
const inhibitAnyPolicy = (skipCerts: number, critical = true) => raw("2.5.29.54", critical, `0201${skipCerts.toString(16).padStart(2, "0")}`);
function mapping(issuerDomainPolicy: string, subjectDomainPolicy: string): PolicyMapping {
  // Assigned, not passed: the constructor's declared parameter type is PolicyMappings' by mistake.
  return Object.assign(new PolicyMapping(), { issuerDomainPolicy, subjectDomainPolicy });
}
const policyMappings = (...pairs: Array<[string, string]>) => new x509.Extension("2.5.29.33", true, AsnConvert.serialize(new PolicyMappings(pairs.map(([from, to]) => mapping(from, to)))));

const root = (subject = "CN=root", ...extensions: x509.Extension[]) => makeCertificate({ subject, ca: true, extensions });
const intermediate = (signer: Made, subject: string, ...extensions: x509.Extension[]) => makeCertificate({ subject, ca: true, signer, extensions });
const client = (signer: Made, ...extensions: x509.Extension[]) => makeCertificate({ subject: "CN=alice, O=dev", eku: CLIENT_AUTH, signer, extensions });

function facts(made: Made): CertificateFacts {
  return certificateFromDer(Buffer.from(made.cert.rawData)) as CertificateFacts;
}

function reason(leaf: Made, roots: Made[], intermediates: Made[] = []): string {
  const result = verifyClientChain(facts(leaf), roots.map(facts), intermediates.map(facts), NOW);
  return "reason" in result ? result.reason : "accepted";
}

const INVALID = /^no valid chains built: 1 candidate chains with invalid policies \(/;

describe("requireExplicitPolicy (Go's policiesValid)", () => {
  it("refuses a leaf without policies under an intermediate that requires an explicit one, and accepts one with a policy the intermediate asserts", async () => {
    const ca = await root();
    const strict = await intermediate(ca, "CN=policy-ca", policies(GOLD), policyConstraints({ requireExplicitPolicy: 0 }));
    expect(reason(await client(strict), [ca], [strict])).toBe(
      'no valid chains built: 1 candidate chains with invalid policies (certificate "CN=alice, O=dev" asserts no certificate policy, and intermediate "CN=policy-ca" requires an explicit policy (requireExplicitPolicy))',
    );
    expect(reason(await client(strict, policies(GOLD)), [ca], [strict])).toBe("accepted");
    expect(reason(await client(strict, policies(SILVER)), [ca], [strict])).toMatch(/none of the policies certificate "CN=alice, O=dev" asserts \(1\.3\.6\.1\.4\.1\.55555\.10\.2\) is one the certificates above it allow, and intermediate "CN=policy-ca" requires/);
    // An intermediate asserting anyPolicy lets any policy of the leaf through; the leaf's own anyPolicy too.
    const open = await intermediate(ca, "CN=open-ca", policies(ANY_POLICY), policyConstraints({ requireExplicitPolicy: 0 }));
    expect(reason(await client(open, policies(SILVER)), [ca], [open])).toBe("accepted");
    expect(reason(await client(open, policies(ANY_POLICY)), [ca], [open])).toBe("accepted");
    // The requirement is not met by the intermediate alone when it asserts nothing itself.
    const bare = await intermediate(ca, "CN=bare-ca", policyConstraints({ requireExplicitPolicy: 0 }));
    expect(reason(await client(bare, policies(GOLD)), [ca], [bare])).toMatch(/intermediate "CN=bare-ca" asserts no certificate policy, and intermediate "CN=bare-ca" requires an explicit policy/);
  });

  it("never reads the trust anchor's constraints, and accepts any policy when nothing requires one", async () => {
    const strictRoot = await root("CN=strict-root", policies(GOLD), policyConstraints({ requireExplicitPolicy: 0 }));
    expect(reason(await client(strictRoot), [strictRoot])).toBe("accepted");
    const plain = await root();
    const lax = await intermediate(plain, "CN=lax-ca", policies(GOLD));
    expect(reason(await client(lax, policies(SILVER)), [plain], [lax])).toBe("accepted");
    expect(reason(await client(lax), [plain], [lax])).toBe("accepted");
  });

  it("counts requireExplicitPolicy down one per certificate below, the leaf included, skipping self-issued intermediates", async () => {
    const ca = await root();
    const one = await intermediate(ca, "CN=one", policies(GOLD), policyConstraints({ requireExplicitPolicy: 1 }));
    expect(reason(await client(one), [ca], [one])).toMatch(INVALID);
    const two = await intermediate(ca, "CN=two", policies(GOLD), policyConstraints({ requireExplicitPolicy: 2 }));
    expect(reason(await client(two), [ca], [two])).toBe("accepted");
    // Under a second intermediate with another name, the leaf is the second certificate below: required.
    const below = await intermediate(two, "CN=below");
    expect(reason(await client(below), [ca], [two, below])).toMatch(/\(intermediate "CN=below" asserts no certificate policy, and intermediate "CN=two" requires an explicit policy/);
    // A self-issued intermediate (same name as its issuer, a new key) is not counted.
    const rollover = await intermediate(two, "CN=two");
    expect(reason(await client(rollover), [ca], [two, rollover])).toBe("accepted");
  });

  it("takes the leaf's own requireExplicitPolicy of 0, and ignores its other constraints and mappings", async () => {
    const ca = await root();
    const lax = await intermediate(ca, "CN=lax-ca", policies(GOLD));
    expect(reason(await client(lax, policies(SILVER), policyConstraints({ requireExplicitPolicy: 0 })), [ca], [lax])).toMatch(/and certificate "CN=alice, O=dev" requires an explicit policy/);
    expect(reason(await client(lax, policies(GOLD), policyConstraints({ requireExplicitPolicy: 0 })), [ca], [lax])).toBe("accepted");
    expect(reason(await client(lax, policies(GOLD), policyMappings([GOLD, ANY_POLICY]), inhibitAnyPolicy(0)), [ca], [lax])).toBe("accepted");
  });
});

describe("inhibitAnyPolicy and policy mappings (Go's policiesValid)", () => {
  it("stops a leaf's anyPolicy from counting once inhibitAnyPolicy runs out, but not a named policy", async () => {
    const ca = await root();
    const inhibiting = await intermediate(ca, "CN=inhibiting-ca", policies(ANY_POLICY), policyConstraints({ requireExplicitPolicy: 0 }), inhibitAnyPolicy(0));
    expect(reason(await client(inhibiting, policies(ANY_POLICY)), [ca], [inhibiting])).toMatch(/its anyPolicy no longer counts, as intermediate "CN=inhibiting-ca" inhibits it \(inhibitAnyPolicy\)/);
    expect(reason(await client(inhibiting, policies(GOLD)), [ca], [inhibiting])).toBe("accepted");
    const allowing = await intermediate(ca, "CN=allowing-ca", policies(ANY_POLICY), policyConstraints({ requireExplicitPolicy: 0 }), inhibitAnyPolicy(1));
    expect(reason(await client(allowing, policies(ANY_POLICY)), [ca], [allowing])).toBe("accepted");
  });

  it("follows an intermediate's mapping: the mapped policy is what the leaf must assert", async () => {
    const ca = await root();
    const mapping = await intermediate(ca, "CN=mapping-ca", policies(GOLD), policyMappings([GOLD, SILVER]), policyConstraints({ requireExplicitPolicy: 0 }));
    expect(reason(await client(mapping, policies(SILVER)), [ca], [mapping])).toBe("accepted");
    expect(reason(await client(mapping, policies(GOLD)), [ca], [mapping])).toMatch(INVALID);
    // Through anyPolicy: an issuer policy the intermediate does not assert is mapped all the same.
    const anyMapping = await intermediate(ca, "CN=any-mapping-ca", policies(ANY_POLICY), policyMappings([GOLD, SILVER]), policyConstraints({ requireExplicitPolicy: 0 }));
    expect(reason(await client(anyMapping, policies(SILVER)), [ca], [anyMapping])).toBe("accepted");
  });

  it("refuses a mapping to or from anyPolicy outright, when the intermediate has policies", async () => {
    const ca = await root();
    const toAny = await intermediate(ca, "CN=to-any-ca", policies(GOLD), policyMappings([GOLD, ANY_POLICY]));
    expect(reason(await client(toAny, policies(GOLD)), [ca], [toAny])).toBe(
      'no valid chains built: 1 candidate chains with invalid policies (intermediate "CN=to-any-ca" maps 1.3.6.1.4.1.55555.10.1 to anyPolicy in its policyMappings, and Go refuses a mapping to or from anyPolicy)',
    );
    const fromAny = await intermediate(ca, "CN=from-any-ca", policies(ANY_POLICY), policyMappings([ANY_POLICY, GOLD]));
    expect(reason(await client(fromAny), [ca], [fromAny])).toMatch(/maps anyPolicy to 1\.3\.6\.1\.4\.1\.55555\.10\.1/);
    // Go looks at mappings only while the chain still has a policy graph.
    const noPolicies = await intermediate(ca, "CN=no-policies-ca", policyMappings([GOLD, ANY_POLICY]));
    expect(reason(await client(noPolicies), [ca], [noPolicies])).toBe("accepted");
  });

  it("deletes mapped policies once an intermediate above inhibits policy mapping, and allows the mapping one level further down", async () => {
    const ca = await root();
    const chainWith = async (inhibitPolicyMapping: number) => {
      const top = await intermediate(ca, `CN=top-${inhibitPolicyMapping}`, policies(ANY_POLICY), policyConstraints({ requireExplicitPolicy: 0, inhibitPolicyMapping }));
      const mapper = await intermediate(top, `CN=mapper-${inhibitPolicyMapping}`, policies(GOLD), policyMappings([GOLD, SILVER]));
      return reason(await client(mapper, policies(SILVER)), [ca], [top, mapper]);
    };
    expect(await chainWith(0)).toMatch(/intermediate "CN=mapper-0" maps away all its policies \(1\.3\.6\.1\.4\.1\.55555\.10\.1\) while intermediate "CN=top-0" inhibits policy mapping/);
    expect(await chainWith(1)).toBe("accepted");
    // An intermediate's own inhibitPolicyMapping does not stop its own mappings.
    const self = await intermediate(ca, "CN=self-inhibiting", policies(GOLD), policyMappings([GOLD, SILVER]), policyConstraints({ requireExplicitPolicy: 0, inhibitPolicyMapping: 0 }));
    expect(reason(await client(self, policies(SILVER)), [ca], [self])).toBe("accepted");
  });
});

describe("what Go's parser makes of the policy extensions", () => {
  it("handles critical policyConstraints, policyMappings and inhibitAnyPolicy on an intermediate: no longer an unhandled critical extension", async () => {
    const ca = await root();
    const critical = await intermediate(ca, "CN=critical-ca", new x509.CertificatePolicyExtension([GOLD], true), policyMappings([GOLD, SILVER]), policyConstraints({ inhibitPolicyMapping: 3 }, true), inhibitAnyPolicy(5, true));
    expect(critical.cert.extensions.filter((e) => e.critical).map((e) => e.type)).toEqual(expect.arrayContaining(["2.5.29.32", "2.5.29.33", "2.5.29.36", "2.5.29.54"]));
    expect(reason(await client(critical, policies(SILVER)), [ca], [critical])).toBe("accepted");
  });

  it("refuses to parse a certificate whose policy extension it cannot read, leaf or CA", async () => {
    const ca = await root();
    const cases: Array<[x509.Extension, RegExp]> = [
      [raw("2.5.29.36", true, "3004800200" + "01"), /its policyConstraints extension has a requireExplicitPolicy that is not a minimal integer .*\(x509: invalid policy constraints extension\)/],
      [raw("2.5.29.36", false, "0500"), /its policyConstraints extension is not a SEQUENCE/],
      [raw("2.5.29.54", true, "0500"), /its inhibitAnyPolicy extension is not a minimal INTEGER .*\(x509: invalid inhibit any policy extension\)/],
      [raw("2.5.29.54", true, "0209010000000000000000"), /its inhibitAnyPolicy extension is not a minimal INTEGER of 64 bits at most/],
      [raw("2.5.29.33", true, "30053003060155"), /its policyMappings extension is not a SEQUENCE of pairs of OIDs/],
      // Two PolicyInformation entries for the same OID, 2.5.29.33.
      [raw("2.5.29.32", false, "300e" + "30050603551d21".repeat(2)), /its certificatePolicies extension names the policy 2\.5\.29\.33 twice \(x509: invalid certificate policies\)/],
    ];
    for (const [extension, expected] of cases) {
      expect(reason(await client(ca, extension), [ca])).toMatch(new RegExp(`^certificate "CN=alice, O=dev" cannot be parsed by Go: ${expected.source}`));
      const broken = await intermediate(ca, "CN=broken-ca", extension);
      expect(reason(await client(broken), [ca], [broken])).toMatch(/^certificate signed by unknown authority "CN=broken-ca"$/);
    }
  });

  it("reads what Go reads and no more: trailing fields, an empty list, a negative value parse", async () => {
    const ca = await root();
    const lenient = [
      raw("2.5.29.36", true, "3000"), // no field at all
      raw("2.5.29.36", true, "30068101018001ff"), // [1] before [0]: the [0] is never read
      raw("2.5.29.36", true, "30038001ff"), // requireExplicitPolicy -1 constrains nothing
      raw("2.5.29.54", true, "020101" + "0500"), // bytes after the INTEGER
      raw("2.5.29.33", true, "3000"),
    ];
    for (const extension of lenient) {
      const ca2 = await intermediate(ca, "CN=lenient-ca", extension);
      expect(reason(await client(ca2), [ca], [ca2])).toBe("accepted");
    }
    // An empty certificatePolicies is no policy: with an explicit policy required, refused as such.
    const empty = await intermediate(ca, "CN=empty-policies", policies(GOLD), policyConstraints({ requireExplicitPolicy: 0 }));
    expect(reason(await client(empty, raw("2.5.29.32", false, "3000")), [ca], [empty])).toMatch(/certificate "CN=alice, O=dev" asserts no certificate policy/);
  });

  it("ignores policy qualifiers, even ones a stricter reader refuses, in a leaf and in a CA", async () => {
    const ca = await root();
    // PolicyInformation { GOLD, qualifiers: an OID where a SEQUENCE belongs }: @peculiar/x509 cannot read it, Go never looks.
    const gold = Buffer.from(new x509.CertificatePolicyExtension([GOLD]).value).subarray(4); // 06 len oid
    const information = Buffer.concat([gold, Buffer.from("060155", "hex")]);
    const oddPolicies = raw(PLACEHOLDER, false, Buffer.concat([Buffer.from([0x30, information.length + 2, 0x30, information.length]), information]).toString("hex"));
    const strict = await intermediate(ca, "CN=policy-ca", policies(GOLD), policyConstraints({ requireExplicitPolicy: 0 }));
    const leaf = await resigned(await client(strict, oddPolicies), strict, "2.5.29.32");
    expect(() => new x509.X509Certificate(leaf).extensions).toThrow();
    expect(verifyClientChain(certificateFromDer(leaf) as CertificateFacts, [facts(ca)], [facts(strict)], NOW)).toHaveProperty("chain");
    // The same policies on the CA: it still signs, and its GOLD is what the leaf needs.
    const made = await intermediate(ca, "CN=odd-ca", oddPolicies, policyConstraints({ requireExplicitPolicy: 0 }));
    const odd = certificateFromDer(await resigned(made, ca, "2.5.29.32")) as CertificateFacts;
    const verify = async (...extensions: x509.Extension[]) => verifyClientChain(facts(await client(made, ...extensions)), [facts(ca)], [odd], NOW);
    expect(await verify(policies(GOLD))).toHaveProperty("chain");
    expect(await verify(policies(SILVER))).toHaveProperty("reason");
  });
});

describe("policy validation in the authenticator model and pki/system-masters", () => {
  it("gives the refusal as an x509 error, and does not report a system:masters certificate no chain of valid policies leads to", async () => {
    const ca = await root("CN=kubernetes");
    const strict = await intermediate(ca, "CN=policy-ca", policies(GOLD), policyConstraints({ requireExplicitPolicy: 0 }));
    const leaf = await client(strict);
    const report = await authenticateClientCertificate({ presented: [leaf.cert, strict.cert], roots: [ca.cert], now: NOW });
    expect(report.result).toMatchObject({ authenticated: false });
    expect(JSON.stringify(report.result)).toMatch(/x509: no valid chains built: 1 candidate chains with invalid policies/);
    const admin = (signer: Made, ...extensions: x509.Extension[]) => makeCertificate({ subject: "CN=kubernetes-admin, O=system:masters", eku: CLIENT_AUTH, signer, extensions });
    const pem = (file: string, made: Made) => ({ file, text: made.cert.toString("pem"), mode: 0o644 });
    const files = [pem("/pki/ca.crt", ca), pem("/pki/policy-ca.crt", strict), pem("/pki/none.crt", await admin(strict)), pem("/pki/gold.crt", await admin(strict, policies(GOLD)))];
    const reported = auditPki(files, NOW, { clientCa: { described: "ca.crt", roots: readClientCaBundle(ca.cert.toString("pem")) } })
      .findings.filter((f) => f.ruleId === "pki/system-masters")
      .map((f) => f.position!.file);
    expect(reported).toEqual(["/pki/gold.crt"]);
  });
});

const HAS_OPENSSL = spawnSync("openssl", ["version"], { encoding: "utf8" }).status === 0;

/**
 * OpenSSL's verdict with Go's inputs: policy checking on (plain `openssl verify` does none), the
 * user-initial-policy-set {anyPolicy} (without -policy OpenSSL's is empty, which Go's is not),
 * no explicit policy required at the start (so no -explicit_policy).
 */
function openssl(leaf: Made, roots: Made[], intermediates: Made[]): "accepted" | "refused" {
  const dir = mkdtempSync(join(tmpdir(), "palisade-policies-"));
  try {
    const write = (name: string, certs: Made[]) => {
      writeFileSync(join(dir, name), certs.map((c) => c.cert.toString("pem")).join("\n"));
      return join(dir, name);
    };
    const untrusted = intermediates.length > 0 ? ["-untrusted", write("untrusted.pem", intermediates)] : [];
    const run = spawnSync("openssl", ["verify", "-policy_check", "-policy", ANY_POLICY, "-CAfile", write("roots.pem", roots), ...untrusted, write("leaf.pem", [leaf])], { encoding: "utf8" });
    return run.status === 0 ? "accepted" : "refused";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!HAS_OPENSSL)("a second opinion: openssl verify -policy_check -policy anyPolicy", () => {
  it("agrees with the model on explicit policy, the trust anchor, inhibitAnyPolicy, mappings and their inhibition", async () => {
    const ca = await root();
    const strict = await intermediate(ca, "CN=strict", policies(GOLD), policyConstraints({ requireExplicitPolicy: 0 }));
    const strictRoot = await root("CN=strict-root", policies(GOLD), policyConstraints({ requireExplicitPolicy: 0 }));
    const one = await intermediate(ca, "CN=one", policies(GOLD), policyConstraints({ requireExplicitPolicy: 1 }));
    const two = await intermediate(ca, "CN=two", policies(GOLD), policyConstraints({ requireExplicitPolicy: 2 }));
    const below = await intermediate(two, "CN=below");
    const inhibiting = await intermediate(ca, "CN=inhibiting", policies(ANY_POLICY), policyConstraints({ requireExplicitPolicy: 0 }), inhibitAnyPolicy(0));
    const mapping = await intermediate(ca, "CN=mapping", policies(GOLD), policyMappings([GOLD, SILVER]), policyConstraints({ requireExplicitPolicy: 0 }));
    const toAny = await intermediate(ca, "CN=to-any", policies(GOLD), policyMappings([GOLD, ANY_POLICY]));
    const noPolicies = await intermediate(ca, "CN=no-policies", policyMappings([GOLD, ANY_POLICY]));
    const top = (inhibitPolicyMapping: number) => intermediate(ca, `CN=top-${inhibitPolicyMapping}`, policies(ANY_POLICY), policyConstraints({ requireExplicitPolicy: 0, inhibitPolicyMapping }));
    const [top0, top1] = [await top(0), await top(1)];
    const [mapper0, mapper1] = [await intermediate(top0, "CN=mapper-0", policies(GOLD), policyMappings([GOLD, SILVER])), await intermediate(top1, "CN=mapper-1", policies(GOLD), policyMappings([GOLD, SILVER]))];
    const cases: Array<[string, Made, Made[], Made[], "accepted" | "refused"]> = [
      ["no policy under requireExplicitPolicy 0", await client(strict), [ca], [strict], "refused"],
      ["the asserted policy", await client(strict, policies(GOLD)), [ca], [strict], "accepted"],
      ["requireExplicitPolicy on the trust anchor", await client(strictRoot), [strictRoot], [], "accepted"],
      ["requireExplicitPolicy 1", await client(one), [ca], [one], "refused"],
      ["requireExplicitPolicy 2", await client(two), [ca], [two], "accepted"],
      ["requireExplicitPolicy 2, two below", await client(below), [ca], [two, below], "refused"],
      ["inhibited anyPolicy", await client(inhibiting, policies(ANY_POLICY)), [ca], [inhibiting], "refused"],
      ["a named policy under inhibited anyPolicy", await client(inhibiting, policies(GOLD)), [ca], [inhibiting], "accepted"],
      ["the mapped policy", await client(mapping, policies(SILVER)), [ca], [mapping], "accepted"],
      ["the policy mapped away", await client(mapping, policies(GOLD)), [ca], [mapping], "refused"],
      ["a mapping to anyPolicy", await client(toAny, policies(GOLD)), [ca], [toAny], "refused"],
      ["a mapping to anyPolicy without policies", await client(noPolicies), [ca], [noPolicies], "accepted"],
      ["mapping inhibited", await client(mapper0, policies(SILVER)), [ca], [top0, mapper0], "refused"],
      ["mapping allowed one level down", await client(mapper1, policies(SILVER)), [ca], [top1, mapper1], "accepted"],
    ];
    for (const [name, leaf, roots, intermediates, expected] of cases) {
      const model = reason(leaf, roots, intermediates) === "accepted" ? "accepted" : "refused";
      expect({ name, model, openssl: openssl(leaf, roots, intermediates) }).toEqual({ name, model: expected, openssl: expected });
    }
  });
});

/** A placeholder extension OID whose DER is as long as the policy extensions' (2.5.29.x). */
const PLACEHOLDER = "2.5.29.99";

/**
 * The certificate with its PLACEHOLDER extension moved to `oid`, signed again by `signer` (ECDSA
 * P-256, SHA-256): how to make an extension value that @peculiar/x509 refuses to generate.
 */
async function resigned(made: Made, signer: Made, oid: string): Promise<Buffer> {
  const der = Buffer.from(made.cert.rawData);
  const tbs = element(der, headerLength(der, 0));
  const sigAlgorithm = element(der, headerLength(der, 0) + tbs.length);
  const from = Buffer.from("0603551d63", "hex");
  const to = Buffer.from(`0603551d${Number(oid.split(".").at(-1)).toString(16).padStart(2, "0")}`, "hex");
  const at = tbs.indexOf(from);
  if (at < 0 || to.length !== from.length) throw new Error("placeholder extension not found");
  const patched = Buffer.concat([tbs.subarray(0, at), to, tbs.subarray(at + from.length)]);
  const signature = Buffer.from(await webcrypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signer.keys.privateKey, patched));
  return sequence(Buffer.concat([patched, sigAlgorithm, bitString(ecdsaDer(signature))]));
}

function headerLength(der: Buffer, at: number): number {
  const first = der[at + 1]!;
  return 2 + (first & 0x80 ? first & 0x7f : 0);
}

/** The whole DER element starting at `at`. */
function element(der: Buffer, at: number): Buffer {
  const first = der[at + 1]!;
  let length = first & 0x80 ? 0 : first;
  for (let i = 0; i < (first & 0x80 ? first & 0x7f : 0); i++) length = length * 256 + der[at + 2 + i]!;
  return der.subarray(at, at + headerLength(der, at) + length);
}

function lengthOctets(length: number): Buffer {
  if (length < 128) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const sequence = (contents: Buffer) => Buffer.concat([Buffer.from([0x30]), lengthOctets(contents.length), contents]);
const bitString = (contents: Buffer) => Buffer.concat([Buffer.from([0x03]), lengthOctets(contents.length + 1), Buffer.from([0]), contents]);
function integer(unsigned: Buffer): Buffer {
  let bytes = unsigned;
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) === 0) bytes = bytes.subarray(1);
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02]), lengthOctets(bytes.length), bytes]);
}
const ecdsaDer = (p1363: Buffer) => sequence(Buffer.concat([integer(p1363.subarray(0, 32)), integer(p1363.subarray(32))]));
