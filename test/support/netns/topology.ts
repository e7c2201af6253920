/**
 * A Calico-style routed node on the real kernel, for dataplane tests: a "node" namespace that
 * routes between pod namespaces (one veth each, /32 and /128 host routes, 169.254.1.1 and
 * fe80::1 as the pods' next hop) and an "outside" namespace with caller-chosen addresses.
 * Rules are applied in the node's FORWARD chain; probes are real TCP/UDP echo round trips
 * between agent processes (agent.mjs) inside the namespaces.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { fileURLToPath } from "node:url";
import { formatIp, parseIp } from "../../../src/network/cidr.js";

/** `sourcePort`: the port the probe is sent from (bound before connecting); otherwise an ephemeral one. */
export interface Probe { from: string; to: string; protocol: "TCP" | "UDP"; port: number; sourcePort?: number }
export interface PodHost { index: number; netns: string; nodeInterface: string; ipv4: string; ipv6: string }
export interface AppliedRules { ipset: string; iptables4: string; iptables6: string; hookChain: string; chainPrefix: string; setPrefix: string }
export interface Topology {
  nodeNetns: string;
  pods: readonly PodHost[];
  outside: { netns: string; addresses: readonly string[] };
  /**
   * Replaces what the previous apply left in the node namespace: unhooks, flushes and deletes
   * every chain named chainPrefix*, destroys every set named setPrefix*, flushes conntrack, then
   * restores `ipset`, `iptables4` and `iptables6` (--noflush) and inserts `-j hookChain` at
   * position 1 of FORWARD in both families. A family whose text is empty gets an empty hook
   * chain (so "no rules" is `{ipset: "", iptables4: "", iptables6: ""}`).
   */
  apply(rules: AppliedRules): Promise<void>;
  /** true = delivered (TCP: connected and a payload echoed; UDP: datagram echoed by the address probed). */
  probe(probes: readonly Probe[], options?: { timeoutMs?: number }): Promise<boolean[]>;
  /** ICMP (IPv6: ICMPv6) echo from one address to another: true when the reply came back (iputils ping). */
  ping(pairs: readonly { from: string; to: string }[]): Promise<boolean[]>;
  execInNode(argv: readonly string[]): Promise<string>;
  destroy(): Promise<void>;
}
export interface TopologyOptions { pods: number; outsideAddresses: readonly string[]; tcpPorts: readonly number[]; udpPorts: readonly number[] }

const AGENT = fileURLToPath(new URL("./agent.mjs", import.meta.url));
const NEXT_HOP_V4 = "169.254.1.1";
const NEXT_HOP_V6 = "fe80::1";
const MAX_PODS = 200;
const MAX_PROBE_ARGUMENT = 64 * 1024;

interface RunResult { stdout: string; stderr: string }

/**
 * Runs a command without a shell. Its error names the command, its stderr and, when the tool
 * points at a line of the input it was fed (restore, batch), that line.
 */
function run(argv: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const [file, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 60_000 }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr });
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT" ? file : /exec of "([^"]+)" failed: No such file/.exec(stderr)?.[1];
      if (missing) return reject(new Error(`${missing}: command not found`));
      const how = error.killed ? `was killed after ${options.timeoutMs ?? 60_000}ms` : `failed (exit ${String(error.code)})`;
      const lineNumber = Number(/(?:line:?\s*|-:)(\d+)/i.exec(stderr)?.[1] ?? 0);
      const line = lineNumber > 0 ? options.input?.split("\n")[lineNumber - 1] : undefined;
      reject(new Error(`\`${argv.join(" ")}\` ${how}: ${stderr.trim() || error.message}${line === undefined ? "" : `\n  input line ${lineNumber}: ${line}`}`));
    });
    child.stdin?.on("error", () => undefined); // EPIPE when the tool exits before reading it all
    child.stdin?.end(options.input ?? "");
  });
}

const SAVE_TOKEN = /"(?:[^"\\]|\\.)*"|\S+/g;

/**
 * From iptables-save output, the --noflush restore text that removes every chain named
 * prefix* and every rule elsewhere that jumps to one, table by table; "" when there is none.
 */
export function cleanupRestoreText(saved: string, prefix: string): string {
  const tables: string[] = [];
  let table = "";
  let chains: string[] = [];
  let unhooks: string[] = [];
  for (const line of saved.split("\n")) {
    if (line.startsWith("*")) [table, chains, unhooks] = [line.slice(1).trim(), [], []];
    else if (line.startsWith(":")) {
      const chain = line.slice(1).split(" ")[0]!;
      if (chain.startsWith(prefix)) chains.push(chain);
    } else if (line.startsWith("-A ")) {
      const tokens = line.match(SAVE_TOKEN) ?? [];
      const target = tokens.findIndex((token) => token === "-j" || token === "-g");
      if (!tokens[1]!.startsWith(prefix) && target > 0 && tokens[target + 1]?.startsWith(prefix)) unhooks.push(`-D ${line.slice(3)}`);
    } else if (line.trim() === "COMMIT" && (chains.length || unhooks.length)) {
      tables.push([`*${table}`, ...unhooks, ...chains.map((chain) => `-F ${chain}`), ...chains.map((chain) => `-X ${chain}`), "COMMIT", ""].join("\n"));
    }
  }
  return tables.join("");
}

/** `ipset restore` text destroying every set named prefix*, from `ipset list -n`; "" when none. */
export function ipsetDestroyText(names: string, prefix: string): string {
  return names.split("\n").filter((name) => name.startsWith(prefix)).map((name) => `destroy ${name}\n`).join("");
}

/** Canonical text of an IP (IPv6 compressed and lowercased), or undefined when it is none. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip && formatIp(ip.family, ip.value);
}

function checkOptions(options: TopologyOptions): string[] {
  const { pods, outsideAddresses, tcpPorts, udpPorts } = options;
  if (!Number.isInteger(pods) || pods < 1 || pods > MAX_PODS) throw new Error(`createTopology: pods must be an integer from 1 to ${MAX_PODS}, got ${pods}`);
  for (const port of [...tcpPorts, ...udpPorts]) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`createTopology: port ${port} is not an integer from 1 to 65535`);
  }
  const seen = new Set<string>();
  return outsideAddresses.map((text) => {
    const address = canonicalIp(text);
    if (!address) throw new Error(`createTopology: outside address ${JSON.stringify(text)} is not an IPv4 or IPv6 address`);
    if (/^(10\.77\.|169\.254\.|127\.|fd77:|fe80:|::1$|::$|0\.)/.test(address)) throw new Error(`createTopology: outside address ${address} collides with the pod, link-local or loopback ranges`);
    if (seen.has(address)) throw new Error(`createTopology: outside address ${address} is given twice`);
    seen.add(address);
    return address;
  });
}

/** Runs `ip -n NS -batch -` (one process for many `ip` commands); its errors name the line. */
function ipBatch(netns: string, lines: readonly string[]): Promise<unknown> {
  return run(["ip", "-n", netns, "-batch", "-"], { input: `${lines.join("\n")}\n` });
}

function inNetns(netns: string, argv: readonly string[], input?: string): Promise<string> {
  return run(["ip", "netns", "exec", netns, ...argv], input === undefined ? {} : { input }).then((result) => result.stdout);
}

/** The pod side of a Calico veth: /32 + /128 on eth0, default routes via the node's fixed next hops. */
function podLines(v4: readonly string[], v6: readonly string[]): string[] {
  return [
    "link set lo up",
    ...v4.map((address) => `addr add ${address}/32 dev eth0`),
    ...v6.map((address) => `addr add ${address}/128 dev eth0 nodad`),
    "link set eth0 up",
    `route add ${NEXT_HOP_V4} dev eth0 scope link`,
    `route add default via ${NEXT_HOP_V4} dev eth0`,
    `route add ::/0 via ${NEXT_HOP_V6} dev eth0`,
  ];
}

function nodeLines(device: string, v4: readonly string[], v6: readonly string[]): string[] {
  return [
    `link set ${device} up`,
    `addr add ${NEXT_HOP_V6}/64 dev ${device} nodad`,
    ...v4.map((address) => `route add ${address}/32 dev ${device}`),
    ...v6.map((address) => `route add ${address}/128 dev ${device}`),
  ];
}

// New interfaces take a namespace's "default" sysctls, so DAD is off before any veth exists.
const NO_DAD = ["net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"];

interface Agent { child: ChildProcess; exited: Promise<void> }

function startListener(netns: string, addresses: readonly string[], options: TopologyOptions): Promise<Agent> {
  const spec = JSON.stringify({ addresses, tcpPorts: options.tcpPorts, udpPorts: options.udpPorts });
  const child = spawn("ip", ["netns", "exec", netns, process.execPath, AGENT, "listen", spec], { stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`listener agent in ${netns} did not get ready in 30s: ${stderr.trim()}`));
    }, 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("ready\n")) {
        clearTimeout(timer);
        resolve({ child, exited });
      }
    });
    child.once("error", (error) => reject(new Error(`listener agent in ${netns}: ${error.message}`)));
    child.once("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`listener agent in ${netns} exited (${code}): ${stderr.trim()}`));
    });
  });
}

interface AgentResult { ok: boolean; error?: string; retried?: string }

async function runProber(netns: string, probes: readonly Probe[], timeoutMs: number): Promise<AgentResult[]> {
  const spec = JSON.stringify({ timeoutMs, probes });
  // Bounds only a hung agent: a probe takes at most 5x timeoutMs once Node has started.
  const { stdout } = await run(["ip", "netns", "exec", netns, process.execPath, AGENT, "probe", spec], { timeoutMs: timeoutMs * 5 + 60_000 });
  const results = JSON.parse(stdout) as AgentResult[];
  if (!Array.isArray(results) || results.length !== probes.length) throw new Error(`prober in ${netns} answered ${results.length} results for ${probes.length} probes`);
  // Delivered only on its retry: the rules allowed it, but the namespace was slow; worth a line when a run is flaky.
  for (const [i, result] of results.entries()) if (result.retried) console.warn(`probe ${JSON.stringify(probes[i])} was delivered on its retry (first try: ${result.retried})`);
  return results;
}

/** Splits one source's probes so no agent argument exceeds the kernel's per-argument limit. */
function batches(probes: readonly Probe[]): Probe[][] {
  const out: Probe[][] = [[]];
  let size = 0;
  for (const probe of probes) {
    const length = JSON.stringify(probe).length + 1;
    if (size + length > MAX_PROBE_ARGUMENT && out[out.length - 1]!.length > 0) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1]!.push(probe);
    size += length;
  }
  return out;
}

const live = new Set<() => void>();
let exitHookInstalled = false;
/** A test process that dies without destroy() still kills its agents and namespaces. */
function onExit(cleanup: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => live.forEach((one) => one()));
  }
  live.add(cleanup);
  return () => live.delete(cleanup);
}

export async function createTopology(options: TopologyOptions): Promise<Topology> {
  const outsideAddresses = checkOptions(options);
  const suffix = randomBytes(4).toString("hex");
  const nodeNetns = `pal-${suffix}-node`;
  const outsideNetns = `pal-${suffix}-out`;
  const pods: PodHost[] = Array.from({ length: options.pods }, (_, index) => ({
    index,
    netns: `pal-${suffix}-pod${index}`,
    nodeInterface: `pal${index}`,
    ipv4: `10.77.0.${10 + index}`,
    ipv6: `fd77::${10 + index}`,
  }));
  const namespaces = [nodeNetns, outsideNetns, ...pods.map((pod) => pod.netns)];
  const agents: Agent[] = [];
  const created: string[] = [];
  const forget = onExit(() => {
    for (const agent of agents) agent.child.kill("SIGKILL");
    for (const netns of created) execFile("ip", ["netns", "del", netns]);
  });

  let destroying: Promise<void> | undefined;
  const destroy = (): Promise<void> => {
    destroying ??= (async () => {
      for (const agent of agents) agent.child.kill("SIGTERM");
      await Promise.all(agents.map((agent) => agent.exited));
      for (const netns of created) await run(["ip", "netns", "del", netns]).catch(() => undefined);
      forget();
    })();
    return destroying;
  };

  try {
    for (const netns of namespaces) {
      await run(["ip", "netns", "add", netns]);
      created.push(netns);
      await inNetns(netns, ["sysctl", "-q", "-w", ...NO_DAD]);
    }
    await inNetns(nodeNetns, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
    const outsideV4 = outsideAddresses.filter((address) => isIP(address) === 4);
    const outsideV6 = outsideAddresses.filter((address) => isIP(address) === 6);
    const links = [...pods.map((pod) => ({ device: pod.nodeInterface, peer: pod.netns, v4: [pod.ipv4], v6: [pod.ipv6] })), { device: "uplink0", peer: outsideNetns, v4: outsideV4, v6: outsideV6 }];
    // The next hop lives on the node's lo: every veth then answers ARP for it at once (proxy
    // ARP alone would need a route to it and answers after a random delay of up to 0.8s), and
    // the node has an IPv4 source for its own ARP requests towards the pods.
    await ipBatch(nodeNetns, ["link set lo up", `addr add ${NEXT_HOP_V4}/32 dev lo`, ...links.map((link) => `link add ${link.device} type veth peer name eth0 netns ${link.peer}`)]);
    await ipBatch(nodeNetns, links.flatMap((link) => nodeLines(link.device, link.v4, link.v6)));
    await inNetns(nodeNetns, ["sysctl", "-q", "-w", ...links.flatMap((link) => [`net.ipv4.conf.${link.device}.proxy_arp=1`, `net.ipv4.neigh.${link.device}.proxy_delay=0`])]);
    await Promise.all(links.map((link) => ipBatch(link.peer, podLines(link.v4, link.v6))));
    for (const pod of pods) agents.push(await startListener(pod.netns, [pod.ipv4, pod.ipv6], options));
    agents.push(await startListener(outsideNetns, outsideAddresses, options));
  } catch (error) {
    await destroy();
    throw error;
  }

  const sourceNetns = new Map<string, string>();
  for (const pod of pods) {
    sourceNetns.set(pod.ipv4, pod.netns);
    sourceNetns.set(pod.ipv6, pod.netns);
  }
  for (const address of outsideAddresses) sourceNetns.set(address, outsideNetns);

  // apply and probe share the node's state, so they run one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const apply = (rules: AppliedRules): Promise<void> =>
    serial(async () => {
      const { chainPrefix, setPrefix, hookChain } = rules;
      if (!chainPrefix || !setPrefix) throw new Error("apply: chainPrefix and setPrefix must not be empty");
      if (!hookChain.startsWith(chainPrefix)) throw new Error(`apply: hookChain ${hookChain} does not start with chainPrefix ${chainPrefix}, so the next apply could not remove it`);
      for (const family of ["iptables", "ip6tables"] as const) {
        const cleanup = cleanupRestoreText(await inNetns(nodeNetns, [`${family}-save`]), chainPrefix);
        if (cleanup) await inNetns(nodeNetns, [`${family}-restore`, "--noflush"], cleanup);
      }
      const destroySets = ipsetDestroyText(await inNetns(nodeNetns, ["ipset", "list", "-n"]), setPrefix);
      if (destroySets) await inNetns(nodeNetns, ["ipset", "restore"], destroySets);
      await inNetns(nodeNetns, ["conntrack", "-F", "-f", "ipv4"]);
      await inNetns(nodeNetns, ["conntrack", "-F", "-f", "ipv6"]);
      if (rules.ipset.trim()) await inNetns(nodeNetns, ["ipset", "restore"], rules.ipset);
      for (const [family, text] of [["iptables", rules.iptables4], ["ip6tables", rules.iptables6]] as const) {
        if (text.trim()) {
          await inNetns(nodeNetns, [`${family}-restore`, "--noflush"], text);
          const exists = await inNetns(nodeNetns, [family, "-S", hookChain]).then(() => true, () => false);
          if (!exists) throw new Error(`apply: the ${family} rules do not create the hook chain ${hookChain}`);
        } else {
          await inNetns(nodeNetns, [family, "-N", hookChain]);
        }
        await inNetns(nodeNetns, [family, "-I", "FORWARD", "1", "-j", hookChain]);
      }
    });

  const probe = (probes: readonly Probe[], probeOptions: { timeoutMs?: number } = {}): Promise<boolean[]> =>
    serial(async () => {
      const timeoutMs = probeOptions.timeoutMs ?? 1500;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`probe: timeoutMs must be a positive number, got ${timeoutMs}`);
      const bySource = new Map<string, { probe: Probe; at: number }[]>();
      probes.forEach((given, at) => {
        const from = canonicalIp(given.from);
        const to = canonicalIp(given.to);
        const netns = from === undefined ? undefined : sourceNetns.get(from);
        const what = `probe ${JSON.stringify(given)}`;
        if (!from || !netns) throw new Error(`${what}: "from" is not an address of this topology (${[...sourceNetns.keys()].join(", ")})`);
        if (!to || isIP(to) !== isIP(from)) throw new Error(`${what}: "to" is not an IP address of the same family as "from"`);
        if (given.protocol !== "TCP" && given.protocol !== "UDP") throw new Error(`${what}: protocol must be "TCP" or "UDP"`);
        if (!Number.isInteger(given.port) || given.port < 1 || given.port > 65535) throw new Error(`${what}: port must be an integer from 1 to 65535`);
        if (given.sourcePort !== undefined && (!Number.isInteger(given.sourcePort) || given.sourcePort < 1 || given.sourcePort > 65535)) throw new Error(`${what}: sourcePort must be an integer from 1 to 65535`);
        const list = bySource.get(netns) ?? [];
        const probe: Probe = { from, to, protocol: given.protocol, port: given.port };
        if (given.sourcePort !== undefined) probe.sourcePort = given.sourcePort;
        list.push({ probe, at });
        bySource.set(netns, list);
      });
      const delivered = probes.map(() => false);
      const runs = [...bySource].flatMap(([netns, list]) => {
        let offset = 0;
        return batches(list.map((one) => one.probe)).map((batch) => {
          const start = offset;
          offset += batch.length;
          return runProber(netns, batch, timeoutMs).then((results) => results.forEach((result, i) => (delivered[list[start + i]!.at] = result.ok === true)));
        });
      });
      await Promise.all(runs);
      return delivered;
    });

  const ping = (pairs: readonly { from: string; to: string }[]): Promise<boolean[]> =>
    serial(async () => {
      const commands = pairs.map(({ from, to }) => {
        const netns = sourceNetns.get(canonicalIp(from) ?? "");
        if (!netns || isIP(to) !== isIP(from)) throw new Error(`ping ${from} -> ${to}: "from" must be an address of this topology and "to" one of the same family`);
        return ["ip", "netns", "exec", netns, "ping", "-n", "-q", "-c", "1", "-W", "1", "-I", from, to];
      });
      const out: boolean[] = [];
      // A few at a time: each waits up to a second for a reply that a dropped echo never gets.
      for (let i = 0; i < commands.length; i += 16) {
        // ping exits 1 when no reply came; anything else (no ping, a bad address) is an error.
        const noReply = (error: Error): false => {
          if (/failed \(exit 1\)/.test(error.message)) return false;
          throw error;
        };
        out.push(...(await Promise.all(commands.slice(i, i + 16).map((argv) => run(argv).then(() => true, noReply)))));
      }
      return out;
    });

  return {
    nodeNetns,
    pods,
    outside: { netns: outsideNetns, addresses: outsideAddresses },
    apply,
    probe,
    ping,
    execInNode: (argv) => inNetns(nodeNetns, argv),
    destroy,
  };
}

let availability: Promise<string | undefined> | undefined;

/** undefined when this machine can run a topology, else why not (checked once per process). */
export function netnsUnavailable(): Promise<string | undefined> {
  availability ??= (async () => {
    if (process.getuid?.() !== 0) return "not root";
    const netns = `pal-check-${randomBytes(4).toString("hex")}`;
    try {
      await run(["ip", "netns", "add", netns]);
    } catch (error) {
      return (error as Error).message;
    }
    try {
      await run(["ip", "-n", netns, "link", "add", "a0", "type", "veth", "peer", "name", "b0"]);
      await inNetns(netns, ["ipset", "create", "palcheck", "hash:ip"]);
      await inNetns(netns, ["iptables-restore", "--noflush"], "*filter\n:PAL-CHECK - [0:0]\n-A PAL-CHECK -m set --match-set palcheck src -m conntrack --ctstate ESTABLISHED -j ACCEPT\nCOMMIT\n");
      await inNetns(netns, ["ip6tables-restore", "--noflush"], "*filter\n:PAL-CHECK - [0:0]\n-A PAL-CHECK -m conntrack --ctstate ESTABLISHED -j ACCEPT\nCOMMIT\n");
      await inNetns(netns, ["conntrack", "-F"]);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await run(["ip", "netns", "del", netns]).catch(() => undefined);
    }
  })();
  return availability;
}
