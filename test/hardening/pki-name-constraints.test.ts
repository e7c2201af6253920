/**
 * Name constraints in the client-certificate chain, as Go's crypto/x509 applies them when
 * kube-apiserver verifies a client certificate (constraints.go checkChainConstraints, run on
 * every built chain; parser.go parseNameConstraintsExtension). Certificates are generated here
 * with @peculiar/x509; the nameConstraints extension is encoded with @peculiar/asn1-x509.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { AsnConvert } from "@peculiar/asn1-schema";
import { GeneralName, GeneralSubtree, GeneralSubtrees, Name, NameConstraints } from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { CERTIFICATE_NOW, makeCertificate, type CertificateSpec, type MadeCertificate } from "../support/test-certificates.js";
import { authenticateClientCertificate } from "../../src/access/authn/x509.js";
import { auditPki } from "../../src/hardening/pki/audit.js";
import { readClientCaBundle } from "../../src/hardening/pki/client-ca.js";
import { verifyClientChain } from "../../src/hardening/pki/client-chain.js";
import { certificateFromDer, type CertificateFacts } from "../../src/hardening/x509.js";

const NOW = CERTIFICATE_NOW;
const CLIENT_AUTH = [x509.ExtendedKeyUsage.clientAuth];
type Made = MadeCertificate;

const dns = (value: string) => new GeneralName({ dNSName: value });
const ip = (cidr: string) => new GeneralName({ iPAddress: cidr });
const email = (value: string) => new GeneralName({ rfc822Name: value });
const uri = (value: string) => new GeneralName({ uniformResourceIdentifier: value });
const directory = () => new GeneralName({ directoryName: new Name([]) });

function nameConstraintsDer(permitted: GeneralName[], excluded: GeneralName[] = []): ArrayBuffer {
  const subtrees = (names: GeneralName[]) => (names.length > 0 ? new GeneralSubtrees(names.map((base) => new GeneralSubtree({ base }))) : undefined);
  const value = new NameConstraints({});
  const permittedSubtrees = subtrees(permitted);
  const excludedSubtrees = subtrees(excluded);
  if (permittedSubtrees) value.permittedSubtrees = permittedSubtrees;
  if (excludedSubtrees) value.excludedSubtrees = excludedSubtrees;
  return AsnConvert.serialize(value);
}

const nameConstraints = (permitted: GeneralName[], excluded: GeneralName[] = [], critical = true) => new x509.Extension("2.5.29.30", critical, nameConstraintsDer(permitted, excluded));
const subjectAltNames = (...names: Array<[x509.GeneralNameType, string]>) => new x509.SubjectAlternativeNameExtension(names.map(([type, value]) => ({ type, value })));

const make = (spec: CertificateSpec) => makeCertificate(spec);
const root = (subject: string, ...extensions: x509.Extension[]) => make({ subject, ca: true, extensions });
const client = (signer: Made, ...extensions: x509.Extension[]) => make({ subject: "CN=alice, O=dev", eku: CLIENT_AUTH, signer, extensions });

function facts(made: Made): CertificateFacts {
  return certificateFromDer(Buffer.from(made.cert.rawData)) as CertificateFacts;
}

function verify(leaf: Made, roots: Made[], intermediates: Made[] = []) {
  return verifyClientChain(facts(leaf), roots.map(facts), intermediates.map(facts), NOW);
}

function accepted(leaf: Made, roots: Made[], intermediates: Made[] = []): boolean {
  return "chain" in verify(leaf, roots, intermediates);
}

function reason(leaf: Made, roots: Made[], intermediates: Made[] = []): string {
  const result = verify(leaf, roots, intermediates);
  return "reason" in result ? result.reason : "accepted";
}

describe("name constraints in the client-certificate chain (Go's checkChainConstraints)", () => {
  it("refuses a DNS SAN outside a root's permitted subtree, accepts one inside it, label-wise and case-insensitively", async () => {
    const ca = await root("CN=example-ca", nameConstraints([dns("example.com")]));
    expect(accepted(await client(ca, subjectAltNames(["dns", "api.example.com"])), [ca])).toBe(true);
    expect(accepted(await client(ca, subjectAltNames(["dns", "EXAMPLE.COM"])), [ca])).toBe(true);
    expect(reason(await client(ca, subjectAltNames(["dns", "api.example.com"], ["dns", "evil.com"])), [ca])).toMatch(/not authorized to sign for this name: DNS name "evil\.com" is not permitted by any constraint .*name constraints of "CN=example-ca"/);
    // A suffix that is not on a label boundary is not inside the subtree.
    expect(accepted(await client(ca, subjectAltNames(["dns", "notexample.com"])), [ca])).toBe(false);
  });

  it("applies an intermediate's constraints, a leading period meaning names below only", async () => {
    const ca = await root("CN=root");
    const intermediate = await make({ subject: "CN=team-ca", ca: true, signer: ca, extensions: [nameConstraints([dns(".example.com")])] });
    expect(accepted(await client(intermediate, subjectAltNames(["dns", "a.example.com"])), [ca], [intermediate])).toBe(true);
    expect(reason(await client(intermediate, subjectAltNames(["dns", "example.com"])), [ca], [intermediate])).toMatch(/DNS name "example\.com" is not permitted by any constraint/);
  });

  it("checks an intermediate's own SANs against the constraints above it, never a certificate's against its own", async () => {
    const ca = await root("CN=root", nameConstraints([dns("example.com")]), subjectAltNames(["dns", "root.elsewhere.org"]));
    const outside = await make({ subject: "CN=outside-ca", ca: true, signer: ca, extensions: [subjectAltNames(["dns", "ca.evil.com"])] });
    expect(reason(await client(outside, subjectAltNames(["dns", "a.example.com"])), [ca], [outside])).toMatch(/DNS name "ca\.evil\.com" is not permitted .*in intermediate "CN=outside-ca"/);
    // The root's own SAN is outside its own constraints: that does not matter.
    expect(accepted(await client(ca, subjectAltNames(["dns", "a.example.com"])), [ca])).toBe(true);
  });

  it("refuses an IP SAN in an excluded range and one of the other family when only IPv4 ranges are permitted", async () => {
    const excluding = await root("CN=no-private", nameConstraints([], [ip("10.0.0.0/8")]));
    expect(reason(await client(excluding, subjectAltNames(["ip", "10.1.2.3"])), [excluding])).toMatch(/IP address "10\.1\.2\.3" is excluded by constraint "10\.0\.0\.0\/8"/);
    expect(accepted(await client(excluding, subjectAltNames(["ip", "192.168.0.1"])), [excluding])).toBe(true);
    const permitting = await root("CN=lab-only", nameConstraints([ip("192.168.0.0/16")]));
    expect(accepted(await client(permitting, subjectAltNames(["ip", "192.168.4.5"])), [permitting])).toBe(true);
    expect(accepted(await client(permitting, subjectAltNames(["ip", "2001:db8::1"])), [permitting])).toBe(false);
  });

  it("matches email constraints as hosts (golang/go#81280): a bare domain is that host only, a mailbox that mailbox only", async () => {
    const host = await root("CN=mail-host", nameConstraints([email("example.com")]));
    expect(accepted(await client(host, subjectAltNames(["email", "alice@EXAMPLE.com"])), [host])).toBe(true);
    expect(reason(await client(host, subjectAltNames(["email", "alice@sub.example.com"])), [host])).toMatch(/email address "alice@sub\.example\.com" is not permitted/);
    const domain = await root("CN=mail-domain", nameConstraints([email(".example.com")]));
    expect(accepted(await client(domain, subjectAltNames(["email", "alice@sub.example.com"])), [domain])).toBe(true);
    expect(accepted(await client(domain, subjectAltNames(["email", "alice@example.com"])), [domain])).toBe(false);
    const mailbox = await root("CN=mail-box", nameConstraints([email("root@example.com")]));
    expect(accepted(await client(mailbox, subjectAltNames(["email", "root@Example.COM"])), [mailbox])).toBe(true);
    expect(accepted(await client(mailbox, subjectAltNames(["email", "Root@example.com"])), [mailbox])).toBe(false);
  });

  it("matches URI constraints against the host (golang/go#81285), and refuses a URI with no host under any constrained CA", async () => {
    const ca = await root("CN=spiffe-ca", nameConstraints([uri("cluster.local")]));
    expect(accepted(await client(ca, subjectAltNames(["url", "spiffe://cluster.local/ns/dev/sa/alice"])), [ca])).toBe(true);
    expect(reason(await client(ca, subjectAltNames(["url", "spiffe://other.cluster.local/ns/dev"])), [ca])).toMatch(/URI "spiffe:\/\/other\.cluster\.local\/ns\/dev" is not permitted/);
    const excluded = await root("CN=no-evil-uri", nameConstraints([], [uri(".evil.com")]));
    expect(reason(await client(excluded, subjectAltNames(["url", "https://a.evil.com:8443/x"])), [excluded])).toMatch(/is excluded by constraint "\.evil\.com"/);
    // Go parses every URI of the certificate before any comparison, even when only DNS names are constrained.
    const dnsOnly = await root("CN=dns-only", nameConstraints([dns("example.com")]));
    expect(reason(await client(dnsOnly, subjectAltNames(["url", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"])), [dnsOnly])).toMatch(/URI with empty host/);
  });

  it("excludes a wildcard SAN whose parent an excluded name shares, and only that", async () => {
    const ca = await root("CN=no-secret", nameConstraints([], [dns("secret.example.com")]));
    expect(reason(await client(ca, subjectAltNames(["dns", "*.EXAMPLE.com"])), [ca])).toMatch(/DNS name "\*\.EXAMPLE\.com" is excluded by constraint "secret\.example\.com"/);
    expect(accepted(await client(ca, subjectAltNames(["dns", "*.other.com"])), [ca])).toBe(true);
  });

  it("accepts a certificate without SANs under any constraint: Go never matches the CommonName", async () => {
    const ca = await root("CN=example-ca", nameConstraints([dns("example.com")], [ip("0.0.0.0/0")]));
    const cnOnly = await make({ subject: "CN=evil.com, O=dev", eku: CLIENT_AUTH, signer: ca });
    expect(accepted(cnOnly, [ca])).toBe(true);
    // A SAN of a form no constraint covers is not checked either.
    expect(accepted(await client(ca, subjectAltNames(["email", "alice@anywhere.org"])), [ca])).toBe(true);
  });

  it("refuses a CA whose critical nameConstraints hold a form Go does not support, and ignores it when not critical", async () => {
    const critical = await root("CN=dn-critical", nameConstraints([directory(), dns("example.com")]));
    expect(reason(await client(critical, subjectAltNames(["dns", "a.example.com"])), [critical])).toMatch(/trust anchor "CN=dn-critical" is refused: .*directoryName constraints, which Go does not support \(x509: unhandled critical extension\)/);
    const lenient = await root("CN=dn-lenient", new x509.Extension("2.5.29.30", false, nameConstraintsDer([directory()])));
    expect(accepted(await client(lenient, subjectAltNames(["dns", "anything.org"])), [lenient])).toBe(true);
    // The presented certificate itself is refused the same way.
    const ca = await root("CN=plain");
    expect(reason(await client(ca, nameConstraints([directory()])), [ca])).toMatch(/certificate "CN=alice, O=dev" is refused: .*unhandled critical extension/);
  });

  it("builds every chain and keeps one that passes: a constrained root does not hide an unconstrained one with the same key", async () => {
    const constrained = await root("CN=shared-root", nameConstraints([dns("example.com")]));
    const reissued = await make({ subject: "CN=shared-root", ca: true, keys: constrained.keys });
    const leaf = await client(constrained, subjectAltNames(["dns", "evil.com"]));
    expect(accepted(leaf, [constrained])).toBe(false);
    const both = verify(leaf, [constrained, reissued]);
    expect("chain" in both && both.chain.at(-1)?.certificate.raw.equals(Buffer.from(reissued.cert.rawData))).toBe(true);
  });

  it("takes a CA Go cannot parse (an IP constraint whose mask is not a prefix) as no CA at all", async () => {
    const der = Buffer.from(nameConstraintsDer([ip("10.0.0.0/8")]));
    const at = der.indexOf(Buffer.from("0a000000ff000000", "hex"));
    der.set([0xff, 0x00, 0xff, 0x00], at + 4);
    const broken = await root("CN=broken-mask", new x509.Extension("2.5.29.30", true, der));
    expect(reason(await client(broken, subjectAltNames(["dns", "a.example.com"])), [broken])).toMatch(/^certificate signed by unknown authority "CN=broken-mask"$/);
  });

  it("agrees with the authenticator model: the refused chain is an x509 error there", async () => {
    const ca = await root("CN=example-ca", nameConstraints([dns("example.com")]));
    const leaf = await client(ca, subjectAltNames(["dns", "evil.com"]));
    const report = await authenticateClientCertificate({ presented: [leaf.cert], roots: [ca.cert], now: NOW });
    expect(report.result).toMatchObject({ authenticated: false });
    expect(JSON.stringify(report.result)).toMatch(/x509: a root or intermediate certificate is not authorized to sign for this name: DNS name \\"evil\.com\\"/);
  });
});

describe("pki/system-masters under a name-constrained client CA", () => {
  it("no longer reports a system:masters certificate the constraints refuse, and still reports one without SANs", async () => {
    const ca = await root("CN=kubernetes", nameConstraints([dns("cluster.example.com")]));
    const admin = (file: string, ...extensions: x509.Extension[]) =>
      make({ subject: "CN=kubernetes-admin, O=system:masters", eku: CLIENT_AUTH, signer: ca, extensions }).then((made) => ({ file, made }));
    const certs = [
      await admin("outside.crt", subjectAltNames(["dns", "admin.evil.com"])),
      await admin("inside.crt", subjectAltNames(["dns", "admin.cluster.example.com"])),
      await admin("no-san.crt"),
    ];
    const files = [{ file: "/pki/ca.crt", text: ca.cert.toString("pem"), mode: 0o644 }, ...certs.map((c) => ({ file: `/pki/${c.file}`, text: c.made.cert.toString("pem"), mode: 0o644 }))];
    const audit = auditPki(files, NOW, { clientCa: { described: "ca.crt", roots: readClientCaBundle(ca.cert.toString("pem")) } });
    const reported = audit.findings.filter((f) => f.ruleId === "pki/system-masters").map((f) => f.position!.file);
    expect(reported.sort()).toEqual(["/pki/inside.crt", "/pki/no-san.crt"]);
  });

  it("with the client CA unknown, does not report a certificate Go refuses whatever its chain (critical directoryName constraints)", async () => {
    const ca = await root("CN=kubernetes");
    const made = (extensions: x509.Extension[]) => make({ subject: "CN=kubernetes-admin, O=system:masters", eku: CLIENT_AUTH, signer: ca, extensions });
    const refused = await made([nameConstraints([directory()])]);
    const tolerated = await made([nameConstraints([directory()], [], false)]);
    const files = [
      { file: "/pki/refused.crt", text: refused.cert.toString("pem"), mode: 0o644 },
      { file: "/pki/tolerated.crt", text: tolerated.cert.toString("pem"), mode: 0o644 },
    ];
    const reported = auditPki(files, NOW).findings.filter((f) => f.ruleId === "pki/system-masters").map((f) => f.position!.file);
    expect(reported).toEqual(["/pki/tolerated.crt"]);
  });
});
