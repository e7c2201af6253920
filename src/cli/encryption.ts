import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";
import { checkEncryptionConfigurationText, configError, encryptionFindings, ENCRYPTION_RULES } from "../encryption/index.js";
import { parseEncryptionConfiguration, readStored, transformersFor, writeStored } from "../encryption/index.js";
import { grpcKmsFactory } from "../encryption/kms-grpc-client.js";
import { looksLikeStoredObject } from "../encryption/rotation.js";
import { checkStoredResource, resourceOfEtcdKey } from "../encryption/stored-resource.js";
import { isSeverity, type Severity } from "../findings/types.js";
import { renderReport, REPORT_FORMATS } from "../report/render.js";
import { atOrAbove } from "../report/summary.js";
import type { ScanResult } from "../scan/run.js";
import type { EncryptionConfiguration } from "../encryption/index.js";
import { EXIT, failOnOption, outputOption, writeStdout } from "./common.js";
import { writeStdoutBytes } from "./stdout.js";

const RESOURCE_HINT = "a resource's plural name in lower case, with its group unless it is core: secrets, configmaps, deployments.apps";

interface CheckFlags {
  output: string;
  failOn: Severity | "none";
  automaticReload?: boolean;
  color?: boolean;
}

interface TransformFlags {
  config: string;
  etcdKey: string;
  /** Absent: the resource the etcd key names, else secrets. */
  resource?: string;
  prefix: string;
  verbose?: boolean;
}

async function readText(file: string, what: string, hint: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, { hint });
  }
}

/** `encryption check FILE`: is the file one kube-apiserver accepts, and how safe is it? */
async function check(file: string, flags: CheckFlags): Promise<number> {
  if (!isSeverity(flags.failOn) && flags.failOn !== "none") throw new UserError(`--fail-on ${flags.failOn}: unknown severity`);
  const text = file === "-" ? Buffer.from(await readStdinBytes()).toString("utf8") : await readText(file, "encryption config", "pass kube-apiserver's --encryption-provider-config file");
  if (file === "-") file = "<stdin>";
  const checked = checkEncryptionConfigurationText(text, file, { automaticReload: flags.automaticReload === true });
  // Not a document at all: that is bad input (exit 2), not a finding about a config.
  if (checked.unreadable) throw configError(checked.problems);
  const object = { apiVersion: "apiserver.config.k8s.io/v1", kind: "EncryptionConfiguration", name: file };
  const findings = encryptionFindings(checked, object);
  const result: ScanResult = {
    findings,
    problems: [],
    stats: { files: 1, documents: 1, objects: 1, skippedNonKubernetes: 0, skippedFiles: 0 },
    rules: [...ENCRYPTION_RULES],
    scanned: [{ object, file }],
  };
  await writeStdout(renderReport(result, flags));
  return atOrAbove(findings, flags.failOn).length > 0 ? EXIT.findings : EXIT.clean;
}


async function readStdinBytes(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * `encryption encrypt|decrypt`: one etcd value through the resource's provider chain,
 * stdin to stdout, bytes untouched (values are binary: protobuf, ciphertext).
 */
async function transform(direction: "encrypt" | "decrypt", flags: TransformFlags): Promise<number> {
  if (flags.etcdKey === "") throw new UserError("--etcd-key is empty", { hint: "the value's etcd key, e.g. /registry/secrets/default/db-password" });
  if (flags.resource !== undefined) checkResourceFlag(flags.resource);
  const text = await readText(flags.config, "encryption config", "pass kube-apiserver's --encryption-provider-config file");
  const { config } = parseEncryptionConfiguration(text, flags.config);
  const resource = resourceFor(flags, config);
  const kms = grpcKmsFactory();
  try {
    const chain = transformersFor(config, kms).forResource(resource);
    const input = await readStdinBytes();
    if (direction === "encrypt") {
      const stored = await writeStored(chain, flags.etcdKey, input);
      if (chain.writesPlaintext) process.stderr.write(`warning: ${plaintextReason(chain.resource, chain.matchedRule, flags.config)}\n`);
      await writeStdoutBytes(stored);
      return EXIT.clean;
    }
    // Upstream's "no matching prefix found" would blame the config; an empty pipe is usually `etcdctl get` of a missing key.
    if (input.length === 0) {
      throw new UserError("standard input was empty: no etcd value to decrypt", { hint: "check the command that feeds it: etcdctl get prints nothing for a key that does not exist" });
    }
    const read = await readStored(chain, flags.etcdKey, input);
    if (flags.verbose) {
      const key = read.keyName === undefined ? "" : ` ${read.provider === "kms" ? "name" : "key"}=${read.keyName}`;
      process.stderr.write(`provider=${read.provider}${read.kmsApiVersion ? `/${read.kmsApiVersion}` : ""}${key} stale=${read.stale}\n`);
    }
    if (read.provider === "aescbc" && !looksLikeStoredObject(read.plaintext)) {
      // No MAC: a wrong key under the right name yields noise with valid padding now and then.
      process.stderr.write(
        `warning: aescbc key ${JSON.stringify(read.keyName ?? "")} decrypted the value to bytes that are no stored object (not protobuf, CBOR, JSON or YAML); ` +
          "the key under that name is probably not the one that encrypted it (aescbc cannot tell a wrong key)\n",
      );
    }
    await writeStdoutBytes(read.plaintext);
    return EXIT.clean;
  } finally {
    kms.close();
  }
}

/**
 * The resource whose provider list applies: the one kube-apiserver stores under
 * --etcd-key (it never uses another list for that key), or --resource when the key names
 * no known resource; secrets when neither says. A --resource kube-apiserver never looks up,
 * or one the key contradicts, is a usage error rather than another resource's providers.
 */
function resourceFor(flags: TransformFlags, config: EncryptionConfiguration): string {
  const fromKey = resourceOfEtcdKey(flags.etcdKey, flags.prefix);
  const given = flags.resource;
  if (given === undefined) return fromKey ?? "secrets";
  if (given === fromKey) return given;
  const unstored = checkStoredResource(given, config);
  if (unstored) {
    const didYouMean = unstored.suggestion === undefined ? "" : ` (did you mean ${unstored.suggestion}?)`;
    throw new UserError(`--resource ${given}: ${unstored.message}${didYouMean}`, {
      hint: `${RESOURCE_HINT}; a custom resource with its group, e.g. widgets.example.com`,
    });
  }
  if (fromKey !== undefined) {
    throw new UserError(`--resource ${given} disagrees with --etcd-key ${flags.etcdKey}, which kube-apiserver stores as ${fromKey}`, {
      hint: `kube-apiserver reads and writes that key only with the providers for ${fromKey}: drop --resource, or pass --resource ${fromKey}`,
    });
  }
  return given;
}

/** Why encrypt wrote the value unchanged, without naming anything from the value or keys. */
function plaintextReason(resource: string, matchedRule: string | undefined, file: string): string {
  const why = matchedRule === undefined
    ? `no rule of ${file} names ${resource} (nor a wildcard that covers it), so identity applies`
    : `the first provider for ${resource} in ${file}${matchedRule === resource ? "" : ` (by its rule ${matchedRule})`} is identity`;
  return `the value is stored unencrypted (plaintext): ${why}`;
}

/**
 * kube-apiserver looks a value's chain up by the resource's lower-case plural name and
 * group (`secrets`, `deployments.apps`): another spelling matches no rule of its own and
 * would silently take a wildcard's providers instead.
 */
function checkResourceFlag(resource: string): void {
  const hint = RESOURCE_HINT;
  if (resource === "") throw new UserError("--resource is empty", { hint });
  if (resource.includes("*")) throw new UserError(`--resource ${resource}: a value belongs to one resource, not a wildcard`, { hint });
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(resource)) {
    const lower = resource.toLowerCase();
    throw new UserError(`--resource ${resource}: not a resource name kube-apiserver uses`, { hint: lower !== resource && /^[a-z0-9.-]+$/.test(lower) ? `resource names are lower case: --resource ${lower}` : hint });
  }
}

function transformCommand(parent: Command, direction: "encrypt" | "decrypt", description: string): void {
  const command = parent
    .command(direction)
    .description(description)
    .requiredOption("--config <file>", "EncryptionConfiguration (kube-apiserver's --encryption-provider-config)")
    .requiredOption("--etcd-key <key>", "the etcd key of the value (it is the authenticated data), e.g. /registry/secrets/ns/name")
    .option("--resource <resource>", "resource[.group] whose provider list applies (default: the one --etcd-key names, else secrets)")
    .option("--prefix <prefix>", "etcd key prefix (kube-apiserver's --etcd-prefix), to find the resource in --etcd-key", "/registry");
  if (direction === "decrypt") command.option("-v, --verbose", "print the provider, key name and stale flag on stderr");
  command.action(async (flags: TransformFlags) => {
    process.exitCode = await transform(direction, flags);
  });
}

export function registerEncryptionCommand(program: Command): void {
  const encryption = program.command("encryption").description("encryption at rest: check an EncryptionConfiguration, encrypt or decrypt etcd values");
  encryption
    .command("check")
    .description("validate an EncryptionConfiguration exactly as kube-apiserver does, and report its risks")
    .argument("<file>", "the --encryption-provider-config file, or - for stdin")
    .addOption(outputOption(REPORT_FORMATS, "text"))
    .addOption(failOnOption("low"))
    .option("--automatic-reload", "validate as with --encryption-provider-config-automatic-reload (KMS v1 names must be unique)")
    .option("--no-color", "never colour the text output")
    .addHelpText("after", "\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 unreadable file or usage error.")
    .action(async (file: string, flags: CheckFlags) => {
      process.exitCode = await check(file, flags);
    });
  transformCommand(encryption, "encrypt", "encrypt stdin as kube-apiserver would store it in etcd (first provider, first key), to stdout");
  transformCommand(encryption, "decrypt", "decrypt an etcd value from stdin with the provider chain of --resource, to stdout");
}
