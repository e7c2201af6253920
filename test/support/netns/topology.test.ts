/**
 * The netns dataplane harness on the real kernel: with no rules everything is delivered in
 * both families, a hand-written rule set drops exactly what it says, a later apply removes
 * every trace of the earlier one (chains, sets, conntrack), and destroy leaves no namespace.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupRestoreText, createTopology, netnsUnavailable, type Probe, type Topology } from "./topology.js";

const unavailable = await netnsUnavailable();
const skip = unavailable !== undefined && !process.env.CI;
if (skip) console.warn(`\n*** netns dataplane harness unavailable (${unavailable}); its self-test is SKIPPED ***\n`);

const OUTSIDE = ["192.0.2.10", "198.51.100.20", "2001:db8::10"];
const TCP = [80, 81];
const UDP = [53];

function allProbes(topology: Topology): Probe[] {
  const probes: Probe[] = [];
  const ports = [...TCP.map((port) => ["TCP", port] as const), ...UDP.map((port) => ["UDP", port] as const)];
  const add = (from: string, to: string): void => ports.forEach(([protocol, port]) => probes.push({ from, to, protocol, port }));
  for (const family of ["ipv4", "ipv6"] as const) {
    const outside = topology.outside.addresses.filter((address) => address.includes(":") === (family === "ipv6"));
    for (const pod of topology.pods) {
      for (const other of topology.pods) if (other !== pod) add(pod[family], other[family]);
      for (const address of outside) {
        add(pod[family], address);
        add(address, pod[family]);
      }
    }
  }
  return probes;
}

/** The probes that were not delivered, as readable lines. */
async function undelivered(topology: Topology, probes: readonly Probe[]): Promise<string[]> {
  const delivered = await topology.probe(probes);
  return probes.filter((_, i) => !delivered[i]).map((p) => `${p.from} -> ${p.to} ${p.protocol}/${p.port}`);
}

const RULES = {
  hookChain: "PAL-TEST-FORWARD",
  chainPrefix: "PAL-",
  setPrefix: "pal",
  ipset: "create pal-test-src4 hash:ip family inet\nadd pal-test-src4 10.77.0.10\n",
  iptables4: [
    "*filter",
    ":PAL-TEST-FORWARD - [0:0]",
    "-A PAL-TEST-FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    "-A PAL-TEST-FORWARD -p tcp -m set --match-set pal-test-src4 src -d 10.77.0.11/32 -m tcp --dport 81 -j DROP",
    "COMMIT",
    "",
  ].join("\n"),
  iptables6: [
    "*filter",
    ":PAL-TEST-FORWARD - [0:0]",
    "-A PAL-TEST-FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    "-A PAL-TEST-FORWARD -p udp -s 2001:db8::10/128 -d fd77::12/128 -m udp --dport 53 -j DROP",
    "COMMIT",
    "",
  ].join("\n"),
};
const EMPTY = { ...RULES, ipset: "", iptables4: "", iptables6: "" };

describe.skipIf(skip)("netns dataplane harness", () => {
  let topology: Topology | undefined;
  const topo = (): Topology => topology ?? (expect.fail("the topology was not created") as never);

  beforeAll(async () => {
    if (unavailable) throw new Error(`netns dataplane harness unavailable under CI: ${unavailable}`);
    topology = await createTopology({ pods: 3, outsideAddresses: OUTSIDE, tcpPorts: TCP, udpPorts: UDP });
  }, 60_000);
  afterAll(async () => {
    await topology?.destroy();
  }, 60_000);

  it("delivers every pod, outside and return probe in both families with no rules", async () => {
    const probes = allProbes(topo());
    expect(probes.filter((p) => p.from.includes(":")).length).toBeGreaterThan(0);
    expect(await undelivered(topo(), probes)).toEqual([]);
  });

  it("drops exactly what a hand-written rule set drops", async () => {
    await topo().apply(RULES);
    expect(await undelivered(topo(), allProbes(topo()))).toEqual(["10.77.0.10 -> 10.77.0.11 TCP/81", "2001:db8::10 -> fd77::12 UDP/53"]);
    const forward = await topo().execInNode(["iptables", "-S", "FORWARD"]);
    expect(forward.split("\n").filter((line) => line.includes("PAL-TEST-FORWARD"))).toEqual(["-A FORWARD -j PAL-TEST-FORWARD"]);
  });

  it("re-applying the same rules hooks the chain once and drops the same probes", async () => {
    await topo().apply(RULES);
    for (const family of ["iptables", "ip6tables"]) {
      const forward = await topo().execInNode([family, "-S", "FORWARD"]);
      expect(forward.trim().split("\n")).toEqual(["-P FORWARD ACCEPT", "-A FORWARD -j PAL-TEST-FORWARD"]);
    }
    const probes = allProbes(topo()).filter((p) => p.port !== 80);
    expect(await undelivered(topo(), probes)).toEqual(["10.77.0.10 -> 10.77.0.11 TCP/81", "2001:db8::10 -> fd77::12 UDP/53"]);
  });

  it("an empty apply removes the chains, the sets and the tracked connections of the previous one", async () => {
    expect(Number((await topo().execInNode(["conntrack", "-C"])).trim())).toBeGreaterThan(0);
    await topo().apply(EMPTY);
    expect(Number((await topo().execInNode(["conntrack", "-C"])).trim())).toBe(0);
    expect((await topo().execInNode(["ipset", "list", "-n"])).trim()).toBe("");
    const rules = await topo().execInNode(["iptables-save"]);
    expect(rules).not.toContain("pal-test-src4");
    expect(rules).not.toContain("DROP");
    expect(await undelivered(topo(), allProbes(topo()))).toEqual([]);
  });

  it("names the command, its stderr and the offending line when a restore fails", async () => {
    const broken = { ...RULES, iptables4: "*filter\n:PAL-TEST-FORWARD - [0:0]\n-A PAL-TEST-FORWARD -m nosuchmatch -j ACCEPT\nCOMMIT\n" };
    await expect(topo().apply(broken)).rejects.toThrow(/iptables-restore --noflush[\s\S]*input line 3: -A PAL-TEST-FORWARD -m nosuchmatch/);
    await expect(topo().apply({ ...RULES, ipset: "create pal-bad hash:nonsense\n" })).rejects.toThrow(/ipset restore[\s\S]*input line 1: create pal-bad hash:nonsense/);
    await topo().apply(EMPTY);
    expect(await undelivered(topo(), allProbes(topo()).slice(0, 6))).toEqual([]);
  });

  it("refuses a probe from an address that is not in the topology", async () => {
    await expect(topo().probe([{ from: "192.0.2.99", to: "10.77.0.10", protocol: "TCP", port: 80 }])).rejects.toThrow(/"from" is not an address of this topology/);
  });

  it("destroy removes every namespace and can be called twice", async () => {
    const names = [topo().nodeNetns, topo().outside.netns, ...topo().pods.map((pod) => pod.netns)];
    const listed = async (): Promise<string> => (await promisify(execFile)("ip", ["netns", "list"])).stdout;
    const before = await listed();
    for (const name of names) expect(before).toContain(name);
    await topo().destroy();
    await topo().destroy();
    const after = await listed();
    for (const name of names) expect(after).not.toContain(name);
  });
});

describe("cleanupRestoreText", () => {
  it("unhooks, flushes and deletes prefixed chains table by table, and leaves the rest", () => {
    const saved = [
      "*filter",
      ":INPUT ACCEPT [0:0]",
      ":FORWARD ACCEPT [0:0]",
      ":PAL-A - [0:0]",
      ":PAL-B - [0:0]",
      ":OTHER - [0:0]",
      '-A FORWARD -m comment --comment "-j PAL-X" -j OTHER',
      "-A FORWARD -j PAL-A",
      "-A PAL-A -g PAL-B",
      "COMMIT",
      "*mangle",
      ":PREROUTING ACCEPT [0:0]",
      "COMMIT",
      "",
    ].join("\n");
    expect(cleanupRestoreText(saved, "PAL-")).toBe(["*filter", "-D FORWARD -j PAL-A", "-F PAL-A", "-F PAL-B", "-X PAL-A", "-X PAL-B", "COMMIT", ""].join("\n"));
    expect(cleanupRestoreText(saved, "NONE-")).toBe("");
  });
});
