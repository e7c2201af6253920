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

/**
 * Wall time and CPU time (user + sys, children included) of one process, through bash's
 * `time` keyword: on a shared, loaded machine CPU time is the steadier of the two.
 */
function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; cpuMs: number }> {
  return new Promise((resolvePromise, reject) => {
    const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    const child = spawn("bash", ["-c", `time (${quoted} > /dev/null 2>/tmp/palisade-bench-stderr; code=$?; [ $code -le 1 ] || exit $code)`], {
      env: { ...env, TIMEFORMAT: "%R %U %S" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      const match = /(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(stderr);
      if (code !== 0 || !match) reject(new Error(`${command} failed (${code}): ${stderr.slice(0, 500)}`));
      else resolvePromise({ ms: Number(match[1]) * 1000, cpuMs: (Number(match[2]) + Number(match[3])) * 1000 });
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
    const palisade: Array<{ ms: number; cpuMs: number }> = [];
    const floor: Array<{ ms: number; cpuMs: number }> = [];
    for (let round = 0; round < rounds; round++) {
      floor.push(await timeProcess(ETCDCTL, ["--endpoints", etcd.endpoint, "get", "--prefix", "/registry/"], { ...process.env, ETCDCTL_API: "3" }));
      palisade.push(await timeProcess(process.execPath, [cli, "etcd", "status", "--endpoints", etcd.endpoint, "--config", configFile, "-o", "json"]));
    }
    const wall = (xs: typeof floor): number => median(xs.map((x) => x.ms));
    const cpu = (xs: typeof floor): number => median(xs.map((x) => x.cpuMs));
    const ratio = wall(palisade) / wall(floor);
    const cpuRatio = cpu(palisade) / cpu(floor);
    const runs = (xs: typeof floor): string => xs.map((x) => `${x.ms.toFixed(0)}/${x.cpuMs.toFixed(0)}`).join(", ");
    return [
      "## etcd status over a real etcd",
      "",
      `${keys.toLocaleString("en")} keys (95% Secrets under aesgcm, 5% plaintext ConfigMaps, ~600-byte objects), loaded in ${loadSeconds.toFixed(1)} s.`,
      `Whole processes, median of ${rounds} alternating runs, on ${cpus().length} cores; 1-minute load average at the end: ${loadavg()[0]!.toFixed(1)}.`,
      "",
      "| command | median wall | median CPU (user+sys) | runs, wall/CPU (ms) |",
      "| --- | ---: | ---: | --- |",
      `| floor: \`etcdctl get --prefix /registry/\` | ${wall(floor).toFixed(0)} ms | ${cpu(floor).toFixed(0)} ms | ${runs(floor)} |`,
      `| \`palisade etcd status -o json\` (decrypts every value) | ${wall(palisade).toFixed(0)} ms | ${cpu(palisade).toFixed(0)} ms | ${runs(palisade)} |`,
      "",
      `**Ratio status / etcdctl: ${ratio.toFixed(2)}x wall, ${cpuRatio.toFixed(2)}x CPU** (goal <= 1.5x wall: ${ratio <= 1.5 ? "met" : "NOT met"}).`,
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
  const { run: runKms, TUNED_SERVER_FLAGS } = await import("./encryption-kms.js");
  const kmsSection = (await runKms()) + "\n" + (await runKms({ serverNodeFlags: TUNED_SERVER_FLAGS }));
  process.stdout.write(kmsSection);
  const out = join(repoRoot, "bench/results/encryption-etcd.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `# Encryption at rest, part 2: etcd and the KMS v2 plugin\n\nCommand: \`npm run build && node dist/bench/encryption-etcd.js\` (run ${new Date().toISOString().slice(0, 10)}).\n\n${etcdSection}\n${kmsSection}`,
  );
}
