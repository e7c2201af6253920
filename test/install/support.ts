/**
 * What the install tests share: the objects `palisade install -o json` prints, and HTTPS
 * requests to a real `palisade serve` as the kubelet (no certificate, nothing verified) or
 * kube-apiserver (its client certificate) sends them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { createCertificateAuthority, issueCertificate, type CertificateAuthority, type Issued } from "../../src/adapters/webhook/certificates.js";

export type Obj = { kind: string; apiVersion: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const findObject = (objects: Obj[], kind: string, name?: string): Obj => {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ""} in the install output`);
  return found;
};

export function send(port: number, path: string, options: { body?: unknown; client?: Issued } = {}): Promise<{ status: number; text: string }> {
  const text = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        method: text === undefined ? "GET" : "POST",
        rejectUnauthorized: false,
        agent: false,
        ...(options.client ? { cert: options.client.certPem, key: options.client.keyPem } : {}),
        headers: text === undefined ? {} : { "Content-Type": "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

/** The serving certificate as cert-manager would put it in palisade-webhook-tls, written into `dir`; returns its CA. */
export async function writeServingCertificate(dir: string): Promise<CertificateAuthority> {
  mkdirSync(dir, { recursive: true });
  const servingCa = await createCertificateAuthority("serving-ca");
  const serving = await issueCertificate(servingCa, { commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: "server" });
  writeFileSync(join(dir, "tls.crt"), serving.certPem);
  writeFileSync(join(dir, "tls.key"), serving.keyPem);
  return servingCa;
}

/**
 * The warning install prints when kube-apiserver is wired to /authenticate or /authorize
 * without --webhook-url (src/install/webhook-reachability.ts): one line.
 */
export const WEBHOOK_URL_WARNING = /^palisade install: warning: no --webhook-url: [^\n]*\n/m;

/** stderr less that one warning, for tests about everything else install prints. */
export function withoutWebhookUrlWarning(stderr: string): string {
  return stderr.replace(WEBHOOK_URL_WARNING, "");
}
