/**
 * `palisade etcd status --endpoints https://127.0.0.1:PORT` (kubeadm's --etcd-servers form)
 * leaves stderr clean: grpc-js sends the IP as the TLS server name and Node would print
 * "[DEP0123] DeprecationWarning: Setting the TLS ServerName to an IP address ..." on every
 * run. Node warns once per process, and this test process's own etcd client already made it
 * warn, so the CLI runs in a child process: the sources bundled by esbuild (dist/ may be
 * stale), against a real TLS etcd with client certificates. Exactly DEP0123 is dropped; other
 * warnings still reach stderr.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchLocalEtcd, type LocalEtcd } from "../../src/adapters/etcd-launch.js";
import { isHttpsIpEndpoint, quietIpServerNameWarning } from "../../src/adapters/etcd-tls-warning.js";
import { repoRoot } from "../support/conformance.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-dep0123-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

/** A CA, an etcd serving certificate for IP:127.0.0.1 and a client certificate, made at test time. */
function makePki() {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=palisade-test-ca", "-days", "1", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]);
  const issue = (name: string, subject: string, ext: string): void => {
    openssl(["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`, "-days", "1", "-extfile", `${name}.ext`]);
  };
  issue("server", "/CN=etcd", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
  issue("client", "/CN=kube-apiserver-etcd-client", "extendedKeyUsage=clientAuth\n");
  return { ca: join(dir, "ca.crt"), serverCert: join(dir, "server.crt"), serverKey: join(dir, "server.key"), clientCert: join(dir, "client.crt"), clientKey: join(dir, "client.key") };
}

/** The CLI from the sources as one ES module beside a node_modules link, so its packages resolve. */
async function bundleCli(): Promise<string> {
  const entry = join(dir, "entry.ts");
  writeFileSync(entry, `import { main } from ${JSON.stringify(join(repoRoot, "src/cli/main.ts"))};\nawait main(process.argv);\n`);
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  const outfile = join(dir, "cli.mjs");
  await build({ entryPoints: [entry], outfile, bundle: true, format: "esm", platform: "node", target: "node20", packages: "external", logLevel: "silent" });
  return outfile;
}

function run(cli: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, NODE_OPTIONS: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

let etcd: LocalEtcd;
let cli: string;
let pki: ReturnType<typeof makePki>;
const config = join(dir, "enc.yaml");

beforeAll(async () => {
  pki = makePki();
  [etcd, cli] = await Promise.all([
    launchLocalEtcd({ tls: { caFile: pki.ca, certFile: pki.serverCert, keyFile: pki.serverKey, clientCertFile: pki.clientCert, clientKeyFile: pki.clientKey } }),
    bundleCli(),
  ]);
  writeFileSync(config, `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - secretbox: { keys: [{ name: sb, secret: ${randomBytes(32).toString("base64")} }] }\n      - identity: {}\n`);
}, 240_000);
afterAll(async () => etcd?.stop());

describe("etcd commands against https://<IP> endpoints", () => {
  it("etcd status leaves stderr clean", async () => {
    expect(etcd.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const result = await run(cli, ["etcd", "status", "--endpoints", etcd.endpoint, "--cacert", pki.ca, "--cert", pki.clientCert, "--key", pki.clientKey, "--config", config]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("RESOURCE");
  });

  it("knows an https IP endpoint from a host name or http", () => {
    expect(isHttpsIpEndpoint("https://127.0.0.1:2379")).toBe(true);
    expect(isHttpsIpEndpoint("https://[::1]:2379")).toBe(true);
    expect(isHttpsIpEndpoint("https://etcd.example:2379")).toBe(false);
    expect(isHttpsIpEndpoint("http://127.0.0.1:2379")).toBe(false);
    expect(isHttpsIpEndpoint("not a url")).toBe(false);
  });

  it("drops exactly DEP0123, in either emitWarning form, and only once an endpoint is https://<IP>", async () => {
    const seen: string[] = [];
    const listener = (warning: Error & { code?: string }) => seen.push(warning.code ?? warning.name);
    process.on("warning", listener);
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    try {
      quietIpServerNameWarning(["https://etcd.example:2379"]);
      process.emitWarning("test: host-name endpoint", "DeprecationWarning", "DEP0123");
      await tick();
      expect(seen).toEqual(["DEP0123"]);
      quietIpServerNameWarning(["https://etcd.example:2379", "https://127.0.0.1:2379"]);
      process.emitWarning("test: positional form", "DeprecationWarning", "DEP0123");
      process.emitWarning("test: options form", { type: "DeprecationWarning", code: "DEP0123" });
      process.emitWarning("test: another warning", "DeprecationWarning", "DEP0999");
      await tick();
      expect(seen).toEqual(["DEP0123", "DEP0999"]);
    } finally {
      process.off("warning", listener);
    }
  });
});
