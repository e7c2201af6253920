/**
 * `palisade etcd status` over 100,000 keys in a real etcd, against the floor of
 * `etcdctl get --prefix` reading the same keys in the same run (goal: <= 1.5x).
 * Both are measured as whole processes (start-up included), median of 3 alternating runs.
 *
 *   npm run build && node dist/bench/encryption-etcd.js     # also runs the KMS bench
 *
 * Writes bench/results/encryption-etcd.md with both sections.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { codecForConfiguration } from "../src/adapters/etcd-codec.js";
import { launchLocalEtcd } from "../src/adapters/etcd-launch.js";
import { parseEncryptionConfiguration } from "../src/encryption/index.js";
import { locateKey } from "../src/encryption/rotation-keys.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ETCDCTL = process.env.PALISADE_ETCDCTL ?? "/usr/bin/etcdctl";

function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; code: number | null; bytes: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let bytes = 0;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`${command} exited ${code}: ${stderr.slice(0, 500)}`));
      else resolvePromise({ ms: performance.now() - started, code, bytes });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(options: { keys?: number; rounds?: number } = {}): Promise<string> {
  const keys = options.keys ?? 100_000;
  const rounds = options.rounds ?? 3;
  const etcd = await launchLocalEtcd();
  const dir = mkdtempSync(join(tmpdir(), "palisade-bench-etcd-"));
  try {
    const configFile = join(dir, "config.yaml");
    writeFileSync(
      configFile,
      [
        "apiVersion: apiserver.config.k8s.io/v1",
        "kind: EncryptionConfiguration",
        "resources:",
        "  - resources: [secrets]",
        "    providers:",
        `      - aesgcm: { keys: [{ name: k2, secret: ${randomBytes(32).toString("base64")} }] }`,
        `      - aescbc: { keys: [{ name: k1, secret: ${randomBytes(32).toString("base64")} }] }`,
        "      - identity: {}",
        "",
      ].join("\n"),
    );
    const codec = codecForConfiguration(parseEncryptionConfiguration(readFileSync(configFile, "utf8"), configFile).config, {});
    // 95% Secrets (aesgcm current), 5% ConfigMaps in plaintext; ~600-byte objects.
    const started = performance.now();
    let batch: Array<{ key: string; value: Buffer }> = [];
    const flush = async (): Promise<void> => {
      // etcd's default --max-txn-ops is 128.
      await etcd.client.kv.txn({ compare: [], success: batch.map(({ key, value }) => ({ request_put: { key: Buffer.from(key), value } })), failure: [] });
      batch = [];
    };
    for (let i = 0; i < keys; i++) {
      const secret = i % 20 !== 0;
      const key = `/registry/${secret ? "secrets" : "configmaps"}/ns-${i % 50}/object-${i}`;
      const object = Buffer.from(JSON.stringify({ kind: secret ? "Secret" : "ConfigMap", metadata: { name: `object-${i}` }, data: { payload: randomBytes(400).toString("base64") } }));
      const value = secret ? Buffer.from(await codec.write(key, locateKey("/registry", key)!, object)) : object;
      batch.push({ key, value });
      if (batch.length === 128) await flush();
    }
    if (batch.length > 0) await flush();
    const loadSeconds = (performance.now() - started) / 1000;

    const cli = join(repoRoot, "bin/palisade.js");
    const palisade: number[] = [];
    const floor: number[] = [];
    for (let round = 0; round < rounds; round++) {
      floor.push((await timeProcess(ETCDCTL, ["--endpoints", etcd.endpoint, "get", "--prefix", "/registry/"], { ...process.env, ETCDCTL_API: "3" })).ms);
      palisade.push((await timeProcess(process.execPath, [cli, "etcd", "status", "--endpoints", etcd.endpoint, "--config", configFile, "-o", "json"])).ms);
    }
    const ratio = median(palisade) / median(floor);
    return [
      "## etcd status over a real etcd",
      "",
      `${keys.toLocaleString("en")} keys (95% Secrets under aesgcm, 5% plaintext ConfigMaps, ~600-byte objects), loaded in ${loadSeconds.toFixed(1)} s.`,
      `Whole processes, median of ${rounds} alternating runs, on ${cpus().length} cores; 1-minute load average at the end: ${loadavg()[0]!.toFixed(1)}.`,
      "",
      "| command | median | runs (ms) |",
      "| --- | ---: | --- |",
      `| floor: \`etcdctl get --prefix /registry/\` | ${median(floor).toFixed(0)} ms | ${floor.map((x) => x.toFixed(0)).join(", ")} |`,
      `| \`palisade etcd status -o json\` (decrypts every value) | ${median(palisade).toFixed(0)} ms | ${palisade.map((x) => x.toFixed(0)).join(", ")} |`,
      "",
      `**Ratio status / etcdctl: ${ratio.toFixed(2)}x** (goal <= 1.5x: ${ratio <= 1.5 ? "met" : "NOT met"}).`,
      "",
    ].join("\n");
  } finally {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const keys = Number(process.env.BENCH_KEYS ?? 100_000);
  const etcdSection = await run({ keys });
  process.stdout.write(etcdSection);
  const { run: runKms } = await import("./encryption-kms.js");
  const kmsSection = await runKms();
  process.stdout.write(kmsSection);
  const out = join(repoRoot, "bench/results/encryption-etcd.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `# Encryption at rest, part 2: etcd and the KMS v2 plugin\n\nCommand: \`npm run build && node dist/bench/encryption-etcd.js\` (run ${new Date().toISOString().slice(0, 10)}).\n\n${etcdSection}\n${kmsSection}`,
  );
}
