/**
 * The serving certificate judged as kube-apiserver (a Go TLS client) will judge it: validity
 * period, expiry soon (30 days, or a third of a short lifetime), serverAuth usage, and whether
 * its subject alternative names cover the name it dials (Go's VerifyHostname: no Common Name,
 * a wildcard covers exactly one leftmost label, ASCII case folded, IPs only against IP SANs).
 * Then the running server: the expiry gauge on /metrics, and a warning when a reload brings a
 * certificate kube-apiserver would refuse. Every certificate is generated here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, issueCertificate, type CertificateAuthority, type IssueOptions } from "../../src/adapters/webhook/certificates.js";
import type { WebhookEngine } from "../../src/adapters/webhook/handler.js";
import { coversHost, judgeServingCertificate } from "../../src/adapters/webhook/serving-certificate.js";
import { startTestServer, testPki } from "./support.js";

const DAY = 86_400_000;
const SERVICE = "palisade-webhook.palisade-system.svc";
const NOW = new Date("2026-06-01T12:00:00Z");
let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await createCertificateAuthority("serving-certificate-test-ca", NOW, 3650);
}, 60_000);

async function judged(options: Partial<IssueOptions>, now = NOW, serverNames: string[] = [SERVICE]) {
  const issued = await issueCertificate(ca, { commonName: SERVICE, dnsNames: [SERVICE], usage: "server", now: NOW, ...options });
  return judgeServingCertificate(issued.certPem, now, serverNames).warnings;
}

describe("the serving certificate as kube-apiserver sees it", () => {
  it("says nothing of a valid certificate for the Service name", async () => {
    expect(await judged({})).toEqual([]);
  });

  it("warns of an expired and a not-yet-valid certificate", async () => {
    const expired = await judged({ days: 10 }, new Date(NOW.getTime() + 11 * DAY));
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatch(/^the serving certificate expired at 2026-06-11T12:00:00.000Z: kube-apiserver refuses the TLS handshake/);
    const early = await judged({}, new Date(NOW.getTime() - DAY));
    expect(early).toHaveLength(1);
    expect(early[0]).toMatch(/^the serving certificate is not valid before 2026-06-01T11:59:00.000Z/);
  });

  it("warns of expiry within 30 days, or within a third of a shorter lifetime (when cert-manager would have renewed it)", async () => {
    expect(await judged({ days: 365 }, new Date(NOW.getTime() + 300 * DAY))).toEqual([]);
    const soon = await judged({ days: 365 }, new Date(NOW.getTime() + 345 * DAY));
    expect(soon).toHaveLength(1);
    expect(soon[0]).toMatch(/expires at 2027-06-01T12:00:00.000Z, in 20 days, and has not been renewed/);
    // A one-day certificate: 20 hours left is normal, 6 hours left means it was not renewed at 8.
    expect(await judged({ days: 1 }, new Date(NOW.getTime() + 4 * 3_600_000))).toEqual([]);
    expect(await judged({ days: 1 }, new Date(NOW.getTime() + 18 * 3_600_000))).toEqual([expect.stringMatching(/in 6 hours, and has not been renewed/)]);
  });

  it("warns of a certificate for client authentication only", async () => {
    expect(await judged({ usage: "client" })).toEqual([expect.stringMatching(/extended key usage does not include serverAuth/)]);
  });

  it("warns when no subject alternative name exists (Go ignores the Common Name) or none covers the name kube-apiserver dials", async () => {
    expect(await judged({ dnsNames: [] })).toEqual([expect.stringMatching(/has no DNS or IP subject alternative names, and kube-apiserver \(Go\) ignores the Common Name/)]);
    // Issued for another namespace: the name kube-apiserver dials is not on it.
    expect(await judged({ dnsNames: ["palisade-webhook.default.svc", "palisade-webhook"] })).toEqual([
      `the serving certificate does not cover ${SERVICE} (it names palisade-webhook.default.svc, palisade-webhook): kube-apiserver dials that name, and kube-apiserver refuses the TLS handshake, and with failurePolicy Fail every request the webhook guards; reissue it with that DNS name`,
    ]);
    // Without --server-name only what needs no name is checked.
    expect(await judged({ dnsNames: ["elsewhere.example"] }, NOW, [])).toEqual([]);
  });

  it("matches host names as Go's VerifyHostname does", () => {
    const names = (dns: string[], ips: string[] = []) => ({ dns, ips });
    expect(coversHost(names([`*.palisade-system.svc`]), SERVICE)).toBe(true);
    expect(coversHost(names(["*.svc"]), SERVICE)).toBe(false); // one label per wildcard
    expect(coversHost(names(["palisade-*.palisade-system.svc"]), SERVICE)).toBe(false); // no partial wildcards
    expect(coversHost(names(["*.*.svc"]), SERVICE)).toBe(false);
    expect(coversHost(names(["Palisade-Webhook.Palisade-System.SVC"]), SERVICE)).toBe(true);
    expect(coversHost(names([SERVICE]), `${SERVICE}.`)).toBe(true); // a trailing dot on the dialled name
    expect(coversHost(names([`${SERVICE}.cluster.local`]), SERVICE)).toBe(false);
    // IPs match IP SANs only, v4 and its v4-in-v6 form alike.
    expect(coversHost(names(["127.0.0.1"]), "127.0.0.1")).toBe(false);
    expect(coversHost(names([], ["127.0.0.1"]), "::ffff:127.0.0.1")).toBe(true);
    expect(coversHost(names([], ["::1"]), "[::1]")).toBe(true);
    expect(coversHost(names([], ["10.0.0.1"]), "10.0.0.2")).toBe(false);
  });
});

describe("the running server and its serving certificate", () => {
  const dir = mkdtempSync(join(tmpdir(), "palisade-serving-cert-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const engine: WebhookEngine = {
    validate: (r) => ({ response: { uid: r.uid, allowed: true }, records: [], exceptionsUsed: [] }),
    mutate: (r) => ({ response: { uid: r.uid, allowed: true }, records: [], exceptionsUsed: [] }),
    observe: () => undefined,
  };
  const gauge = (text: string) => Number(/^palisade_webhook_serving_certificate_expiry_seconds (\S+)$/m.exec(text)?.[1]);

  it("exposes seconds until notAfter, and warns when a reload brings a certificate kube-apiserver would refuse", async () => {
    const liveCa = (await testPki()).ca;
    const first = await issueCertificate(liveCa, { commonName: "first", dnsNames: ["localhost", SERVICE], ipAddresses: ["127.0.0.1"], usage: "server", days: 20 });
    const certFile = join(dir, "tls.crt");
    const keyFile = join(dir, "tls.key");
    writeFileSync(certFile, first.certPem);
    writeFileSync(keyFile, first.keyPem);
    const s = await startTestServer(engine, { tls: { certFile, keyFile }, serverNames: [SERVICE] });
    try {
      const before = gauge((await s.post("/metrics", undefined, { method: "GET" })).text);
      expect(before).toBeGreaterThan(20 * 86_400 - 120);
      expect(before).toBeLessThanOrEqual(20 * 86_400);
      // Renewed for another namespace's Service, and already expired.
      const second = await issueCertificate(liveCa, { commonName: "second", dnsNames: ["localhost", "palisade-webhook.other.svc"], usage: "server", now: new Date(Date.now() - 3 * DAY), days: 1 });
      writeFileSync(certFile, second.certPem);
      writeFileSync(keyFile, second.keyPem);
      s.running.reloadCertificates();
      const warnings = s.logs.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40).map((line) => line.msg);
      expect(warnings).toEqual([expect.stringMatching(/^reloaded certificate: the serving certificate expired at /), expect.stringMatching(new RegExp(`^reloaded certificate: the serving certificate does not cover ${SERVICE.replace(/\./g, "\\.")} `))]);
      // Read in-process: a TLS client would now refuse the expired certificate, as kube-apiserver does.
      const after = gauge(await s.metrics.registry.metrics());
      expect(after).toBeLessThan(-86_400);
    } finally {
      await s.close();
    }
  }, 60_000);
});
