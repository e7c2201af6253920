import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchLocalEtcd, type LocalEtcd } from "../../src/adapters/etcd-launch.js";
import { builtCli, runCli } from "../support/etcd.js";

/**
 * `palisade etcd status` against an etcd that serves only TLS and requires client
 * certificates, as a kube-apiserver's etcd does. The CA and certificates are generated
 * with openssl at test time (no key material in the repo).
 */

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

function makePki(dir: string): Record<"ca" | "serverCert" | "serverKey" | "clientCert" | "clientKey", string> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(dir, ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=palisade-test-ca", "-days", "1", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]);
  const issue = (name: string, subject: string, ext: string): void => {
    openssl(dir, ["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`, "-days", "1", "-extfile", `${name}.ext`]);
  };
  issue("server", "/CN=etcd", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
  issue("client", "/CN=kube-apiserver-etcd-client", "extendedKeyUsage=clientAuth\n");
  return {
    ca: join(dir, "ca.crt"),
    serverCert: join(dir, "server.crt"),
    serverKey: join(dir, "server.key"),
    clientCert: join(dir, "client.crt"),
    clientKey: join(dir, "client.key"),
  };
}

describe("etcd status over TLS with client certificates", () => {
  let dir: string;
  let etcd: LocalEtcd;
  let pki: ReturnType<typeof makePki>;
  let config: string;

  beforeAll(() => void builtCli(), 240_000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "palisade-tls-"));
    pki = makePki(dir);
    etcd = await launchLocalEtcd({ tls: { caFile: pki.ca, certFile: pki.serverCert, keyFile: pki.serverKey, clientCertFile: pki.clientCert, clientKeyFile: pki.clientKey } });
    config = join(dir, "config.yaml");
    writeFileSync(
      config,
      `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - secretbox: { keys: [{ name: sb, secret: ${randomBytes(32).toString("base64")} }] }\n      - identity: {}\n`,
    );
    await etcd.client.put("/registry/secrets/prod/db-password").value('{"kind":"Secret","data":{"password":"hunter2"}}');
  });

  afterAll(async () => {
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reads through --cacert/--cert/--key and reports the plaintext Secret by name", async () => {
    expect(etcd.endpoint.startsWith("https://")).toBe(true);
    const run = await runCli(["etcd", "status", "--endpoints", etcd.endpoint, "--cacert", pki.ca, "--cert", pki.clientCert, "--key", pki.clientKey, "--config", config, "-o", "json"]);
    // grpc-js may print a Node deprecation warning for an IP-address TLS server name; no palisade errors.
    expect(run.stderr).not.toContain("palisade:");
    expect(run.status).toBe(1);
    const status = JSON.parse(run.stdout) as { plaintextSecrets: string[] };
    expect(status.plaintextSecrets).toEqual(["prod/db-password"]);
    expect(run.stdout).not.toContain("hunter2");
  });

  it("refuses incomplete TLS flags before dialing", async () => {
    const noCa = await runCli(["etcd", "status", "--endpoints", etcd.endpoint, "--config", config]);
    expect(noCa.status).toBe(2);
    expect(noCa.stderr).toMatch(/https endpoints need --cacert/);
    const certOnly = await runCli(["etcd", "status", "--endpoints", etcd.endpoint, "--cacert", pki.ca, "--cert", pki.clientCert, "--config", config]);
    expect(certOnly.status).toBe(2);
    expect(certOnly.stderr).toMatch(/--cert and --key go together/);
  });

  it("without a client certificate etcd refuses, and the CLI says so in one line", async () => {
    const run = await runCli(["etcd", "status", "--endpoints", etcd.endpoint, "--cacert", pki.ca, "--config", config]);
    expect(run.status).toBe(2);
    const lines = run.stderr.split("\n").filter((line) => !/DeprecationWarning|--trace-deprecation/.test(line) && line !== "");
    expect(lines[0]).toMatch(/^palisade: etcd request failed \(https:\/\/127\.0\.0\.1:\d+\): .*UNAVAILABLE/);
    expect(lines[1]).toMatch(/^ {2}hint: check --endpoints/);
    expect(lines).toHaveLength(2);
  });
});
