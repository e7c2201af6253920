import type { Command } from "commander";
import { Option } from "commander";
import type { EtcdClient } from "../adapters/etcd-client.js";
import { kubernetesYaml } from "../k8s/yaml-out.js";
import { UserError } from "../errors.js";
import type { EncryptionStatus, RotationOutcome, StoredValueCodec } from "../encryption/rotation.js";
import { normalizePrefix } from "../encryption/rotation-keys.js";
import type { EncryptionConfiguration, KmsFactory } from "../encryption/index.js";
import { EXIT, isInteractive, outputOption, writeStdout } from "./common.js";
import { columns } from "../report/columns.js";

/**
 * The etcd client, gRPC and the transformers load only when an etcd command runs, so
 * every other command starts without them.
 */
async function adapters() {
  const [client, codec, rotate, statusThread, tlsWarning] = await Promise.all([
    import("../adapters/etcd-client.js"),
    import("../adapters/etcd-codec.js"),
    import("../adapters/etcd-rotate.js"),
    import("../adapters/etcd-status-thread.js"),
    import("../adapters/etcd-tls-warning.js"),
  ]);
  return { ...client, ...codec, ...rotate, ...statusThread, ...tlsWarning };
}

/**
 * The KMS plugin clients (v2, and v1beta1 for data a deprecated v1 plugin wrote) only when
 * the config names a KMS provider: loading them costs time that configs without KMS never need.
 */
async function kmsFactoryFor(config: EncryptionConfiguration): Promise<KmsFactory & { close(): void }> {
  const usesKms = config.resources.some((rule) => rule.providers.some((p) => p.type === "kms"));
  if (!usesKms) return { close() {} };
  const { grpcKmsFactory } = await import("../encryption/kms-grpc-client.js");
  return grpcKmsFactory();
}

interface EtcdFlags {
  endpoints: string;
  cacert?: string;
  cert?: string;
  key?: string;
  config: string;
  prefix: string;
  pageSize?: number;
  output: "text" | "json" | "yaml";
}

function parsePageSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UserError(`--page-size ${JSON.stringify(value)} is not a number from 1 to 10000`);
  return n;
}

/** etcd's own default for --max-request-bytes (embed.DefaultMaxRequestBytes, 1.5 MiB). */
const ETCD_DEFAULT_MAX_REQUEST_BYTES = 1_572_864;

function parseMaxRequestBytes(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UserError(`--max-request-bytes ${JSON.stringify(value)} is not a whole number of bytes`, { hint: `give etcd's own --max-request-bytes (its default is ${ETCD_DEFAULT_MAX_REQUEST_BYTES})` });
  return n;
}

function withEtcdFlags(command: Command): Command {
  return command
    .requiredOption("--endpoints <urls>", "etcd client URLs, comma-separated (kube-apiserver's --etcd-servers)")
    .option("--cacert <file>", "CA bundle for https endpoints (--etcd-cafile)")
    .option("--cert <file>", "client certificate (--etcd-certfile)")
    .option("--key <file>", "client key (--etcd-keyfile)")
    .requiredOption("--config <file>", "EncryptionConfiguration (kube-apiserver's --encryption-provider-config)")
    .option("--prefix <prefix>", "etcd key prefix (kube-apiserver's --etcd-prefix)", "/registry")
    // No commander default: the adapter's DEFAULT_PAGE_SIZE (10000, see why there) applies.
    .addOption(new Option("--page-size <n>", "keys read per etcd request (default 10000)").argParser(parsePageSize))
    .addOption(outputOption(["text", "json", "yaml"], "text"));
}

/** Opens etcd and the KMS plugins the config names, runs `work`, and always closes both. */
async function withStore<T>(
  flags: EtcdFlags,
  work: (client: EtcdClient, codec: StoredValueCodec, lib: Awaited<ReturnType<typeof adapters>>, config: EncryptionConfiguration) => Promise<T>,
): Promise<T> {
  const lib = await adapters();
  const { codecForConfiguration, connectEtcd, etcdUnavailable, loadEncryptionConfigFile } = lib;
  const config = await loadEncryptionConfigFile(flags.config);
  const endpoints = flags.endpoints.split(",");
  // grpc-js sends an IP endpoint's address as the TLS server name, and Node warns about it on every run.
  lib.quietIpServerNameWarning(endpoints.map((e) => e.trim()));
  const kms = await kmsFactoryFor(config);
  const client = await connectEtcd({ endpoints, cacert: flags.cacert, cert: flags.cert, key: flags.key }).catch((err: unknown) => {
    kms.close();
    throw err;
  });
  try {
    return await work(client, codecForConfiguration(config, kms), lib, config);
  } catch (err) {
    // A failing decrypting thread is Palisade's defect: reported as an internal error, not as etcd being unreachable.
    throw err instanceof lib.StatusThreadError ? err : etcdUnavailable(err, endpoints);
  } finally {
    kms.close();
    client.close();
  }
}

function render(value: unknown, output: EtcdFlags["output"], text: () => string): string {
  if (output === "json") return `${JSON.stringify(value, null, 2)}\n`;
  if (output === "yaml") return kubernetesYaml(value);
  return text();
}

function table(rows: string[][]): string {
  return columns(rows).join("\n");
}

function names(title: string, list: string[]): string {
  return list.length === 0 ? "" : `\n${title} (${list.length}):\n${list.map((n) => `  ${n}`).join("\n")}\n`;
}

/** Why stale Secrets are stale, and what rotating them would do, by what the config writes. */
function staleAdvice(secretsWritePlaintext: boolean): string {
  return secretsWritePlaintext
    ? "Secrets not written by the first provider and key (identity is first for secrets, so `palisade etcd rotate` would store them in plaintext; put an encrypting provider first, then rotate)"
    : "Secrets not written by the first provider and key (run `palisade etcd rotate`)";
}

function statusText(status: EncryptionStatus, secretsWritePlaintext = false): string {
  const rows = [["RESOURCE", "TOTAL", "PLAINTEXT", "STALE", "UNREADABLE", "WRITTEN BY"]];
  for (const [resource, counts] of Object.entries(status.resources).sort(([a], [b]) => a.localeCompare(b))) {
    const writers = Object.entries(counts.byWriter).sort(([a], [b]) => a.localeCompare(b)).map(([w, n]) => `${w}=${n}`).join(" ");
    rows.push([resource, String(counts.total), String(counts.plaintext), String(counts.stale), String(counts.undecryptable), writers]);
  }
  return [
    `${table(rows)}\n`,
    names("Secrets stored in plaintext", status.plaintextSecrets),
    names(staleAdvice(secretsWritePlaintext), status.staleSecrets),
    names("Values the config cannot read", status.undecryptable.map((u) => `${u.key}: ${u.error}`)),
  ].join("");
}

/** `secrets: 2, configmaps: 1`, and the total. */
function byResource(counts: Record<string, number>): { total: number; list: string } {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return { total: entries.reduce((n, [, c]) => n + c, 0), list: entries.map(([r, c]) => `${r}: ${c}`).join(", ") };
}

function plaintextText(outcome: RotationOutcome, dryRun: boolean): string {
  const { total, list } = byResource(outcome.plaintext);
  if (total === 0) return "";
  if (dryRun) {
    const then = outcome.plaintextRefused ? "rotate refuses to do that without --allow-plaintext" : "--allow-plaintext lets rotate do that";
    return `${total} of them would be stored in PLAINTEXT (${list}): identity is their first provider; ${then}\n`;
  }
  if (outcome.plaintextRefused) return `left ${total} values as stored rather than write them in plaintext (${list}): identity is their first provider; pass --allow-plaintext to decrypt them\n`;
  return `${total} of them are now stored in PLAINTEXT (${list}), as --allow-plaintext asked\n`;
}

/** Refused before anything is written: identity first would decrypt what is encrypted. */
function plaintextRefusal(outcome: RotationOutcome, configFile: string): UserError {
  const { total, list } = byResource(outcome.plaintext);
  return new UserError(`--config ${configFile}: identity is the first provider, so rotating would store ${total} values in plaintext (${list}); nothing was written`, {
    hint: "to encrypt them, put an encrypting provider (kms v2, aesgcm, aescbc, secretbox) before identity; to decrypt them on purpose, pass --allow-plaintext (--dry-run shows the counts)",
  });
}

function rotateText(outcome: RotationOutcome, dryRun: boolean): string {
  const verb = dryRun ? "would rewrite" : "rewrote";
  // Said only when it happened, so that the usual summary line stays as scripts know it.
  const refused = outcome.failed.length === 0 ? "" : dryRun ? `; ${outcome.failed.length} etcd would refuse as too large` : `; ${outcome.failed.length} refused by etcd`;
  const refusedList = dryRun
    ? "Values etcd would refuse to store once encrypted (raise etcd's --max-request-bytes, and this flag with it, or shrink the object)"
    : "Values etcd refused to store (left as they were; for \"request is too large\", raise etcd's --max-request-bytes or shrink the object)";
  return [
    `${verb} ${outcome.rewritten} of ${outcome.scanned} values; ${outcome.current} already current; ${outcome.undecryptable.length} unreadable; ${outcome.conflicts.length} changed by another writer${refused}\n`,
    plaintextText(outcome, dryRun),
    names("Changed by another writer during rotation (their value was kept; run again to check it)", outcome.conflicts),
    names("Values the config cannot read (left untouched)", outcome.undecryptable.map((u) => `${u.key}: ${u.error}`)),
    names(refusedList, outcome.failed.map((f) => `${f.key}: ${f.error}`)),
  ].join("");
}

/** A one-line progress bar on stderr, drawn only on a terminal and at most ~10 times a second. */
function progressBar(total: number): { update(outcome: Readonly<RotationOutcome>): void; done(): void } {
  if (!isInteractive()) return { update() {}, done() {} };
  let last = 0;
  const draw = (done: number): void => {
    const width = 30;
    const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
    process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`);
  };
  return {
    update(outcome) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      draw(outcome.scanned + outcome.skippedKeys);
    },
    done() {
      draw(total);
      process.stderr.write("\n");
    },
  };
}

export function registerEtcdCommand(program: Command): void {
  const etcd = program.command("etcd").description("encryption at rest in a real etcd: status and safe rotation");

  withEtcdFlags(etcd.command("status"))
    .description("count values per resource by provider and key; list plaintext and stale Secrets by name (never their data)")
    .addHelpText("after", "\nExit codes: 0 no Secret in plaintext and every value readable, 1 otherwise, 2 usage or input errors.")
    .action(async (flags: EtcdFlags) => {
      const prefix = normalizePrefix(flags.prefix);
      let secretsWritePlaintext = false;
      const status = await withStore(flags, (client, codec, lib, config) => {
        secretsWritePlaintext = codec.writesPlaintext?.({ group: "", resource: "secrets", objectPath: "" }) ?? false;
        return lib.encryptionStatus({ client, codec, prefix, pageSize: flags.pageSize, thread: lib.startStatusThread(config, prefix) });
      });
      await writeStdout(render(status, flags.output, () => statusText(status, secretsWritePlaintext)));
      if (status.plaintextSecrets.length > 0 || status.undecryptable.length > 0) process.exitCode = EXIT.findings;
    });

  withEtcdFlags(etcd.command("rotate"))
    .description("rewrite every value not written by the first provider and key, one compare-and-swap transaction per value")
    .option("--dry-run", "count what would be rewritten, write nothing")
    .addOption(new Option("--max-request-bytes <bytes>", `with --dry-run: etcd's --max-request-bytes, to name values whose encrypted write etcd would refuse (default ${ETCD_DEFAULT_MAX_REQUEST_BYTES}, etcd's default)`).argParser(parseMaxRequestBytes))
    .option("--allow-plaintext", "rewrite values whose first provider is identity, storing them decrypted (refused without it)")
    .addHelpText(
      "after",
      "\nSafe to interrupt and rerun: each value is replaced atomically, only if nobody wrote it since it was read,\n" +
        "and values already current are skipped. Values the config cannot read are reported and left untouched.\n" +
        "With identity as a resource's first provider, rotating would store its values in plaintext: refused\n" +
        "(exit 2, nothing written) unless --allow-plaintext asks for that decryption.\n" +
        "Values etcd refuses to store (e.g. over its --max-request-bytes once encrypted) are listed by key and left as they were;\n" +
        "--dry-run encrypts each value in memory and names those in advance.\n" +
        "Exit codes: 0 done, 1 some values could not be read or written (or were left rather than decrypted), 2 usage or input errors.",
    )
    .action(async (flags: EtcdFlags & { dryRun?: boolean; allowPlaintext?: boolean; maxRequestBytes?: number }) => {
      const prefix = normalizePrefix(flags.prefix);
      const dryRun = flags.dryRun === true;
      if (!dryRun && flags.maxRequestBytes !== undefined) {
        throw new UserError("--max-request-bytes applies to --dry-run only", { hint: "a rotation learns etcd's own limit from its answer and lists the values it refused; drop the flag, or add --dry-run" });
      }
      const maxRequestBytes = dryRun ? (flags.maxRequestBytes ?? ETCD_DEFAULT_MAX_REQUEST_BYTES) : undefined;
      const allowPlaintext = flags.allowPlaintext === true;
      const outcome = await withStore(flags, async (client, codec, lib, config) => {
        // Identity first somewhere: count first, so that a refusal leaves every value as it was.
        if (!dryRun && !allowPlaintext && config.resources.some((rule) => rule.providers[0]?.type === "identity")) {
          const planned = await lib.rotateStoredValues({ client, codec, prefix, pageSize: flags.pageSize, dryRun: true });
          if (Object.keys(planned.plaintext).length > 0) throw plaintextRefusal(planned, flags.config);
        }
        const bar = progressBar(isInteractive() ? await lib.countPrefix(client, prefix) : 0);
        try {
          return await lib.rotateStoredValues({ client, codec, prefix, pageSize: flags.pageSize, dryRun, maxRequestBytes, allowPlaintext, onProgress: (o) => bar.update(o) });
        } finally {
          bar.done();
        }
      });
      await writeStdout(render({ dryRun, ...outcome }, flags.output, () => rotateText(outcome, dryRun)));
      // Values left because they would have been decrypted (written meanwhile) count as not done.
      const leftPlaintext = !dryRun && outcome.plaintextRefused && Object.keys(outcome.plaintext).length > 0;
      if (outcome.undecryptable.length > 0 || outcome.failed.length > 0 || leftPlaintext) process.exitCode = EXIT.findings;
    });
}
