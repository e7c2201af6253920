import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, type CertificateAuthority } from "../../src/adapters/webhook/certificates.js";
import { auditPki } from "../../src/hardening/pki/audit.js";
import { readContents } from "../../src/hardening/pki/contents.js";
import { keyExposure } from "../../src/hardening/pki/key-mode.js";
import { pemBlocks } from "../../src/hardening/pki/pem.js";

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await createCertificateAuthority("kubernetes", new Date(), 3650);
});

const derOf = (pem: string) => Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, ""), "base64");
/** The certificate cut in the middle of its base64, as a copy interrupted half-way leaves it. */
const cutOff = (pem: string) => pem.slice(0, Math.floor(pem.length / 2));
const unreadable = (file: string, text: string, mode = 0o644) => auditPki([{ file: `/pki/${file}`, text, mode }], new Date()).findings.filter((f) => f.ruleId === "pki/unreadable");

describe("PEM blocks as Go's encoding/pem reads them", () => {
  it("gives each block its type, BEGIN line and bytes", () => {
    const text = `# comment\n${ca.certPem}${ca.keyPem}`;
    const blocks = pemBlocks(text);
    expect(blocks.map((b) => [b.type, b.line, b.damage])).toEqual([
      ["CERTIFICATE", 2, undefined],
      ["PRIVATE KEY", 2 + ca.certPem.trimEnd().split("\n").length, undefined],
    ]);
    expect(blocks[0]!.der).toEqual(derOf(ca.certPem));
  });

  it("marks a block without its END line as cut off, and reads the block after it", () => {
    const blocks = pemBlocks(cutOff(ca.certPem) + "\n" + ca.certPem);
    expect(blocks.map((b) => b.damage)).toEqual(["truncated", undefined]);
    expect(blocks[1]!.line).toBe(cutOff(ca.certPem).split("\n").length + 1);
  });

  it("marks a block whose base64 does not decode as corrupt (a flipped character, bad padding)", () => {
    const lines = ca.certPem.split("\n");
    lines[2] = `${lines[2]!.slice(0, 5)}@${lines[2]!.slice(6)}`;
    expect(pemBlocks(lines.join("\n"))[0]!.damage).toBe("corrupt");
    expect(pemBlocks("-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n")[0]!.damage).toBe("corrupt");
    const crlf = pemBlocks("-----BEGIN CERTIFICATE-----\r\nAAAA\r\n-----END CERTIFICATE-----\r\n")[0]!;
    expect([crlf.damage, crlf.der]).toEqual([undefined, Buffer.from([0, 0, 0])]);
  });

  it("reads an OpenSSL legacy key's headers", () => {
    const block = pemBlocks("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n")[0]!;
    expect(block.headers).toEqual({ "Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00" });
    expect(block.der).toEqual(Buffer.from([0, 0, 0]));
  });
});

describe("what a PKI file holds", () => {
  it("reads certificates with their index and line, and every private key", () => {
    const contents = readContents(ca.certPem + ca.certPem + ca.keyPem);
    expect(contents.certificates.map((c) => [c.index, c.line, c.facts.commonName])).toEqual([
      [0, 1, "kubernetes"],
      [1, ca.certPem.trimEnd().split("\n").length + 1, "kubernetes"],
    ]);
    expect(contents.keys.map((k) => k.keyType)).toEqual(["ec"]);
    expect(contents.problems).toEqual([]);
  });

  it("says what is wrong with a file that no component could load, never its bytes", () => {
    const binary = randomBytes(2000);
    binary[0] = 0x01;
    const problems = (text: string) => readContents(text).problems.map((p) => `${p.kind}@${p.line}: ${p.message}`);
    expect(problems(binary.toString("latin1"))).toEqual(["File@1: is binary data, not PEM, and no DER certificate either"]);
    expect(problems(derOf(ca.certPem).toString("latin1"))).toEqual(["File@1: is a DER (binary) certificate, not PEM: Kubernetes components load only PEM"]);
    expect(problems("")).toEqual(["File@1: is empty: it holds no certificate or key"]);
    expect(problems("just some notes\n")).toEqual(["File@1: holds no PEM block (no -----BEGIN line)"]);
    expect(problems(cutOff(ca.certPem))).toEqual(["Certificate@1: the CERTIFICATE block at line 1 is cut off: it has no -----END CERTIFICATE----- line"]);
    expect(problems("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")).toEqual(["Certificate@1: the CERTIFICATE block at line 1 does not parse as an X.509 certificate (its DER is malformed)"]);
    expect(problems(`${ca.certPem}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`)).toEqual([
      `PrivateKey@${ca.certPem.trimEnd().split("\n").length + 1}: the PRIVATE KEY block at line ${ca.certPem.trimEnd().split("\n").length + 1} is not a private key Kubernetes components can load (PKCS #1, PKCS #8 or SEC 1 DER)`,
    ]);
    expect(problems(cutOff(ca.keyPem))).toEqual(["PrivateKey@1: the PRIVATE KEY block at line 1 is cut off: it has no -----END PRIVATE KEY----- line"]);
  });

  it("reads a certificate whose base64 is one long line, as Go does", () => {
    const oneLine = `-----BEGIN CERTIFICATE-----\n${derOf(ca.certPem).toString("base64")}\n-----END CERTIFICATE-----\n`;
    expect(readContents(oneLine)).toMatchObject({ problems: [], certificates: [{ index: 0, line: 1, facts: { commonName: "kubernetes" } }] });
  });

  it("leaves encrypted keys and other blocks (public keys, requests) alone", () => {
    expect(readContents("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")).toEqual({ certificates: [], keys: [], problems: [] });
    expect(readContents("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")).toEqual({ certificates: [], keys: [], problems: [] });
  });
});

describe("pki/unreadable", () => {
  it("reports a binary .crt and a cut-off one, naming the file and the problem, never the bytes", () => {
    const binary = randomBytes(2000);
    binary[0] = 0x02;
    const [bin] = unreadable("front-proxy-ca.crt", binary.toString("latin1"));
    expect(bin).toMatchObject({ message: "front-proxy-ca.crt: is binary data, not PEM, and no DER certificate either", object: { kind: "File", name: "front-proxy-ca.crt" }, position: { file: "/pki/front-proxy-ca.crt", line: 1 }, severity: "medium" });
    const cut = cutOff(ca.certPem);
    const [truncated] = unreadable("front-proxy-client.crt", cut);
    expect(truncated).toMatchObject({ message: "front-proxy-client.crt: the CERTIFICATE block at line 1 is cut off: it has no -----END CERTIFICATE----- line", object: { kind: "Certificate" } });
    expect(JSON.stringify(truncated)).not.toContain(cut.split("\n")[1]!.slice(0, 20));
  });

  it("reports every problem of a file in one finding, at the first one's line", () => {
    const text = `${ca.certPem}${cutOff(ca.keyPem)}`;
    const findings = unreadable("apiserver.pem", `-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n${text}`);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      position: { line: 1 },
      object: { kind: "File" },
      message: `apiserver.pem: the CERTIFICATE block at line 1 does not parse as an X.509 certificate (its DER is malformed); the PRIVATE KEY block at line ${3 + ca.certPem.trimEnd().split("\n").length + 1} is cut off: it has no -----END PRIVATE KEY----- line`,
    });
  });

  it("reports a link that leads nowhere, as the shell hands it over", () => {
    const audit = auditPki([{ file: "/pki/ca.crt", text: "", mode: 0, unopenable: "is a symbolic link to gone.crt, which does not exist" }], new Date());
    expect(audit.findings.map((f) => [f.ruleId, f.message])).toEqual([["pki/unreadable", "ca.crt is a symbolic link to gone.crt, which does not exist"]]);
  });

  it("still judges the certificates a file holds beside a damaged block", () => {
    const audit = auditPki([{ file: "/pki/bundle.crt", text: ca.certPem + cutOff(ca.certPem), mode: 0o644 }], new Date());
    expect(audit.certificates.map((c) => c.commonName)).toEqual(["kubernetes"]);
    expect(audit.findings.map((f) => f.ruleId)).toEqual(["pki/unreadable"]);
  });
});

describe("private key modes, by the bits they have", () => {
  it("says read for read bits, replace for write bits, nothing for execute bits or 0600", () => {
    expect(keyExposure(0o644)).toBe("its group and everyone may read");
    expect(keyExposure(0o640)).toBe("its group may read");
    expect(keyExposure(0o604)).toBe("everyone may read");
    expect(keyExposure(0o660)).toBe("its group may read and replace");
    expect(keyExposure(0o666)).toBe("its group and everyone may read and replace");
    expect(keyExposure(0o646)).toBe("its group and everyone may read, and everyone may replace");
    expect(keyExposure(0o622)).toBe("its group and everyone may replace, though not read");
    expect(keyExposure(0o600)).toBeUndefined();
    expect(keyExposure(0o711)).toBeUndefined();
  });

  it("words the finding by the mode: a 0644 key is readable, not replaceable", () => {
    const findings = auditPki([{ file: "/pki/apiserver.key", text: ca.keyPem, mode: 0o644 }], new Date()).findings;
    expect(findings.map((f) => f.message)).toEqual(["apiserver.key holds a private key that its group and everyone may read (mode 0644)"]);
    expect(auditPki([{ file: "/pki/apiserver.key", text: ca.keyPem, mode: 0o711 }], new Date()).findings).toEqual([]);
  });
});

describe("a certificate and its key, as tls.X509KeyPair pairs them", () => {
  it("reports X.key that is not the key of X.crt beside it, and a combined file whose key is not its certificate's", async () => {
    const other = await createCertificateAuthority("kubernetes", new Date(), 3650);
    const file = (name: string, text: string) => ({ file: `/pki/${name}`, text, mode: 0o600 });
    const findings = auditPki([file("ca.crt", ca.certPem), file("ca.key", other.keyPem), file("kubelet-client-current.pem", ca.certPem + other.keyPem), file("front-proxy-ca.crt", other.certPem), file("front-proxy-ca.key", other.keyPem)], new Date()).findings;
    expect(findings.map((f) => [f.ruleId, f.message])).toEqual([
      ["pki/key-mismatch", "private key ca.key does not match its certificate ca.crt (kubernetes): a component given the pair refuses to start (tls: private key does not match public key)"],
      ["pki/key-mismatch", "private key kubelet-client-current.pem does not match the certificate in the same file (kubernetes): a component given the pair refuses to start (tls: private key does not match public key)"],
    ]);
  });
});
