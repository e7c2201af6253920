/**
 * The serving pair is checked when read, at start-up and on every hot reload: an empty key
 * (/dev/null), a file that is not PEM, a key of another certificate. Start-up refuses them
 * (TlsFileError, which `serve` turns into a user error); a reload keeps the previous pair.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { issueCertificate } from "../../src/adapters/webhook/certificates.js";
import type { WebhookEngine } from "../../src/adapters/webhook/handler.js";
import { readTlsFiles, TlsFileError } from "../../src/adapters/webhook/tls-files.js";
import { servingCommonName, startTestServer, testPki } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-tls-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const engine: WebhookEngine = {
  validate: (r) => ({ response: { uid: r.uid, allowed: true }, records: [], exceptionsUsed: [] }),
  mutate: (r) => ({ response: { uid: r.uid, allowed: true }, records: [], exceptionsUsed: [] }),
  observe: () => undefined,
};

async function pair(cn: string) {
  const pki = await testPki();
  const issued = await issueCertificate(pki.ca, { commonName: cn, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: "server" });
  return { cert: file(`${cn}.crt`, issued.certPem), key: file(`${cn}.key`, issued.keyPem) };
}

function failure(paths: { certFile: string; keyFile: string; clientCAFile?: string }) {
  try {
    readTlsFiles(paths);
  } catch (err) {
    expect(err).toBeInstanceOf(TlsFileError);
    const { field, file: path, reason } = err as TlsFileError;
    return { field, file: path, reason };
  }
  throw new Error("expected a TlsFileError");
}

describe("serving certificate and key files", () => {
  it("names the file and what is wrong with it, never its contents", async () => {
    const good = await pair("good");
    const other = await pair("other");
    const notPem = file("not-pem.crt", "hello, not a certificate\n");
    expect(failure({ certFile: good.cert, keyFile: "/dev/null" })).toEqual({ field: "keyFile", file: "/dev/null", reason: "the file is empty" });
    expect(failure({ certFile: good.cert, keyFile: other.key })).toEqual({ field: "keyFile", file: other.key, reason: `not the private key of the certificate in ${good.cert}` });
    expect(failure({ certFile: notPem, keyFile: good.key })).toEqual({ field: "certFile", file: notPem, reason: "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)" });
    expect(failure({ certFile: good.key, keyFile: good.key })).toEqual({ field: "certFile", file: good.key, reason: "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)" });
    expect(failure({ certFile: good.cert, keyFile: good.cert })).toEqual({ field: "keyFile", file: good.cert, reason: "no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)" });
    expect(failure({ certFile: join(dir, "missing.crt"), keyFile: good.key })).toEqual({ field: "certFile", file: join(dir, "missing.crt"), reason: "the file does not exist" });
    expect(failure({ certFile: good.cert, keyFile: good.key, clientCAFile: notPem })).toMatchObject({ field: "clientCAFile" });
    expect(readTlsFiles({ certFile: good.cert, keyFile: good.key }).certPem).toContain("BEGIN CERTIFICATE");
  });

  it("startServer refuses a bad pair instead of serving failed handshakes", async () => {
    const good = await pair("good2");
    await expect(startTestServer(engine, { tls: { certFile: good.cert, keyFile: "/dev/null" } })).rejects.toBeInstanceOf(TlsFileError);
  });

  it("a hot reload onto a mismatched pair keeps serving the previous certificate", async () => {
    const pki = await testPki();
    const first = await pair("first");
    const second = await pair("second");
    const certFile = file("live.crt", "");
    const keyFile = file("live.key", "");
    writeFileSync(certFile, readFileSync(first.cert, "utf8"));
    writeFileSync(keyFile, readFileSync(first.key, "utf8"));
    const s = await startTestServer(engine, { tls: { certFile, keyFile }, certificatePollMs: 20 });
    const peerCN = () => servingCommonName(s.port, pki.ca.certPem);
    try {
      writeFileSync(certFile, readFileSync(second.cert, "utf8")); // the key is still first's: a mismatched pair
      s.running.reloadCertificates();
      await new Promise((r) => setTimeout(r, 100));
      expect(await peerCN()).toBe("first");
      expect(s.logs.join("")).toContain(`certificate reload failed; keeping the previous certificate`);
      expect(s.logs.join("")).toContain(`keyFile ${keyFile}: not the private key of the certificate in ${certFile}`);
    } finally {
      await s.close();
    }
  });
});

