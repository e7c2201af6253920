/**
 * `palisade serve` start-up failures that are the user's to fix, with the real binary: a port
 * already in use (one process, and a primary with two workers: the whole tree must exit), and
 * serving files that are empty, not PEM, or not a pair. Each: one message naming the setting
 * (config file:line, or the flag), exit 2, nothing on stdout (no caBundle of a server that
 * never started), no "internal error".
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, issueCertificate } from "../../src/adapters/webhook/certificates.js";
import { builtCli } from "../support/etcd.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-serve-startup-"));
let blocker: Server;
let port = 0;

beforeAll(async () => {
  builtCli();
  blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, "127.0.0.1", done));
  port = (blocker.address() as { port: number }).port;
  const ca = await createCertificateAuthority("startup-ca");
  for (const name of ["a", "b"]) {
    const issued = await issueCertificate(ca, { commonName: name, dnsNames: ["localhost"], usage: "server" });
    writeFileSync(join(dir, `${name}.crt`), issued.certPem);
    writeFileSync(join(dir, `${name}.key`), issued.keyPem);
  }
  writeFileSync(join(dir, "junk.crt"), "not a certificate\n");
}, 240_000);
afterAll(() => {
  blocker?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A config whose server.port is on line 5, column 9. */
function config(name: string, server: string): string {
  const file = join(dir, name);
  writeFileSync(file, `apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  address: 127.0.0.1\n  port: ${port}\n${server}policies:\n  podSecurity: {mode: enforce}\n`);
  return file;
}

/** Runs serve in its own process group; resolves when the primary exits, with whether any process of the group is left. */
function serve(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; leftovers: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli(), "serve", ...args], { detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    // A server that wrongly keeps running is stopped here, and the test then fails on its status.
    const guard = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 30_000);
    child.once("close", (status) => {
      clearTimeout(guard);
      // Workers exit with their primary; give them a moment, then look for any survivor.
      setTimeout(() => {
        let leftovers = true;
        try {
          process.kill(-child.pid!, 0);
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          leftovers = false;
        }
        resolve({ status, stdout, stderr, leftovers });
      }, 500);
    });
  });
}

describe("palisade serve: port in use", () => {
  const inUse = (file: string, line = `${file}:5:9: server.port ${port}`) =>
    `palisade: ${line}: 127.0.0.1:${port} is already in use by another process; nothing was started\n` +
    `  hint: stop what listens there (ss -ltnp 'sport = :${port}' shows it) or set another server.port (or pass --port)\n`;

  it("one process: exit 2, no caBundle printed", async () => {
    const file = config("w1.yaml", "  workers: 1\n");
    const run = await serve(["--config", file, "--self-signed", "localhost"]);
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr, leftovers: run.leftovers }).toEqual({ status: 2, stdout: "", stderr: inUse(file), leftovers: false });
  });

  it("a primary with two workers: one message, exit 2, and every worker gone", async () => {
    const file = config("w2.yaml", "  workers: 2\n");
    const run = await serve(["--config", file, "--self-signed", "localhost"]);
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr, leftovers: run.leftovers }).toEqual({ status: 2, stdout: "", stderr: inUse(file), leftovers: false });
  });

  it("--port names the flag", async () => {
    const file = config("flag.yaml", "  workers: 1\n");
    const run = await serve(["--config", file, "--self-signed", "localhost", "--port", String(port)]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `palisade: --port ${port}: 127.0.0.1:${port} is already in use by another process; nothing was started\n  hint: stop what listens there (ss -ltnp 'sport = :${port}' shows it) or pass another --port\n`,
    );
  });
});

describe("palisade serve: serving files checked before start", () => {
  const cases: [string, string, string, string][] = [
    ["keyFile /dev/null", "  certFile: a.crt\n  keyFile: /dev/null\n", "7:12: server.keyFile /dev/null: the file is empty", "point server.keyFile at the PEM private key of server.certFile (tls.key of the same Secret)"],
    ["a key of another certificate", "  certFile: a.crt\n  keyFile: b.key\n", `7:12: server.keyFile ${join(dir, "b.key")}: not the private key of the certificate in ${join(dir, "a.crt")}`, "use the key and certificate of one pair (tls.key and tls.crt of the same Secret)"],
    ["a certificate that is not PEM", "  certFile: junk.crt\n  keyFile: a.key\n", `6:13: server.certFile ${join(dir, "junk.crt")}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)`, "point server.certFile at the PEM certificate (tls.crt of a kubernetes.io/tls Secret), the server's first, then its chain"],
  ];
  it.each(cases)("%s: exit 2 with the setting's file:line and a hint", async (name, server, message, hint) => {
    const file = config(`${name.replace(/\W/g, "-")}.yaml`, server);
    const run = await serve(["--config", file, "--port", "0"]);
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 2, stdout: "", stderr: `palisade: ${file}:${message}\n  hint: ${hint}\n` });
  });
});
