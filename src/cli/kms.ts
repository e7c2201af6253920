import type { Command } from "commander";
import { Option } from "commander";
import { UserError } from "../errors.js";

const KEK_FILE_HELP = `
The kek file holds one AES-256 key per line: 32 random bytes in standard base64
(e.g. \`head -c32 /dev/urandom | base64\`). Blank lines and lines starting with # are
ignored. The FIRST key encrypts, every key decrypts. To rotate, add a new first line:
the plugin reloads when the file changes or on SIGHUP, and Status reports the new
key_id, so kube-apiserver generates a new seed. Remove an old key only after
\`palisade etcd rotate\` has rewritten everything sealed under it.

Point kube-apiserver at the plugin with a kms provider:
  kms: { apiVersion: v2, name: palisade, endpoint: unix:///var/run/palisade-kms.sock }`;

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`--metrics-port ${JSON.stringify(value)} is not a TCP port`, { hint: "use a number from 1 to 65535 (0 picks a free port)" });
  }
  return port;
}

export function registerKmsCommand(program: Command): void {
  const kms = program.command("kms").description("KMS v2 plugin for kube-apiserver encryption at rest");
  kms
    .command("serve")
    .description("serve the KMS v2 gRPC API (v2.KeyManagementService) on a unix socket")
    .requiredOption("--socket <endpoint>", "unix:///path/to/kms.sock (mode 0600; abstract sockets are refused: they have no file mode to restrict callers)")
    .requiredOption("--kek-file <file>", "keyring file: one base64 32-byte key per line, the first encrypts")
    .option("--metrics-port <port>", "serve Prometheus metrics on 127.0.0.1:<port>/metrics", parsePort)
    .addOption(new Option("--log-level <level>", "log level").choices(["debug", "info", "warn", "error"]).default("info"))
    .addHelpText("after", KEK_FILE_HELP)
    .action(async (options: { socket: string; kekFile: string; metricsPort?: number; logLevel: string }) => {
      // gRPC, pino and prom-client load only for this command, so other commands start without them.
      const [{ pino }, { KmsMetrics, serveMetrics }, { startKmsPlugin }] = await Promise.all([
        import("pino"),
        import("../adapters/kms-metrics.js"),
        import("../adapters/kms-server.js"),
      ]);
      // Logs go to stderr as JSON lines; they carry ids, uids and codes, never keys or plaintexts.
      const logger = pino({ name: "palisade-kms", level: options.logLevel }, pino.destination(2));
      const metrics = new KmsMetrics();
      const plugin = await startKmsPlugin({ endpoint: options.socket, kekFile: options.kekFile, logger, metrics });
      const metricsServer = options.metricsPort === undefined ? undefined : await serveMetrics(metrics, options.metricsPort).catch(async (err: Error) => {
        await plugin.close();
        throw new UserError(`cannot serve metrics on 127.0.0.1:${options.metricsPort}: ${err.message}`, { hint: "choose another --metrics-port" });
      });
      if (metricsServer) {
        const address = metricsServer.address();
        logger.info({ metrics: typeof address === "object" && address ? `http://127.0.0.1:${address.port}/metrics` : undefined }, "metrics serving");
      }
      const onHangup = (): void => void plugin.reload("SIGHUP");
      process.on("SIGHUP", onHangup);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          logger.info({ signal }, "shutting down");
          process.off("SIGTERM", stop);
          process.off("SIGINT", stop);
          resolve();
        };
        process.on("SIGTERM", stop);
        process.on("SIGINT", stop);
      });
      process.off("SIGHUP", onHangup);
      await plugin.close();
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
      logger.flush();
    });
}
