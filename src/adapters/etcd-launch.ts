import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";

/**
 * A throwaway single-member etcd on free loopback ports in a temp dir, for tests and
 * benchmarks (never for production data). CI installs etcd at /usr/bin/etcd; override
 * with PALISADE_ETCD. A missing binary is an error, never a silent skip.
 */
export const ETCD_BINARY = process.env.PALISADE_ETCD ?? "/usr/bin/etcd";

export interface LocalEtcd {
  endpoint: string;
  client: Etcd3;
  dataDir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** PEM files for a TLS-only member that requires client certificates. */
export interface LocalEtcdTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Client certificate and key the launcher uses for its readiness probe. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** `extraArgs`: more etcd flags, e.g. a small --max-request-bytes to make a refused write cheap to provoke. */
export async function launchLocalEtcd(options: { tls?: LocalEtcdTls; extraArgs?: readonly string[] } = {}): Promise<LocalEtcd> {
  const { tls } = options;
  if (!existsSync(ETCD_BINARY)) {
    throw new Error(`etcd not found at ${ETCD_BINARY}: install it (Debian/Ubuntu: apt-get install etcd-server) or set PALISADE_ETCD`);
  }
  const dir = mkdtempSync(join(tmpdir(), "palisade-etcd-"));
  const endpoint = `${tls ? "https" : "http"}://127.0.0.1:${await freePort()}`;
  const peer = `http://127.0.0.1:${await freePort()}`;
  const child: ChildProcess = spawn(
    ETCD_BINARY,
    [
      "--name", "palisade-local",
      "--data-dir", join(dir, "data"),
      "--listen-client-urls", endpoint,
      "--advertise-client-urls", endpoint,
      "--listen-peer-urls", peer,
      "--initial-advertise-peer-urls", peer,
      "--initial-cluster", `palisade-local=${peer}`,
      "--quota-backend-bytes", String(4 * 1024 ** 3),
      "--log-level", "error",
      ...(tls ? ["--cert-file", tls.certFile, "--key-file", tls.keyFile, "--trusted-ca-file", tls.caFile, "--client-cert-auth"] : []),
      ...(options.extraArgs ?? []),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const credentials = tls
    ? { rootCertificate: readFileSync(tls.caFile), certChain: readFileSync(tls.clientCertFile), privateKey: readFileSync(tls.clientKeyFile) }
    : undefined;
  const client = new Etcd3({ hosts: endpoint, dialTimeout: 2_000, ...(credentials ? { credentials } : {}) });
  const stop = async (): Promise<void> => {
    client.close();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`etcd exited with ${child.exitCode} before it was ready: ${stderr}`);
    }
    try {
      await client.put("/palisade-local/ready").value("1");
      await client.delete().key("/palisade-local/ready");
      break;
    } catch (err) {
      if (attempt > 400) {
        await stop();
        throw new Error(`etcd did not become ready: ${(err as Error).message}: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { endpoint, client, dataDir: dir, stop };
}
