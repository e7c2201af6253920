/**
 * `palisade netpol compile` as a user meets it: which pods get chains, what the sets hold,
 * what it warns about, and the errors for input it cannot compile. The rules themselves
 * are proven on a real kernel in kernel.test.ts, the script itself in script.kernel.test.ts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runNetpol } from "../cli-run.js";
import { calicoInterfaceName } from "../../../src/network/dataplane/interface-names.js";

const SHOP = `apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec: {nodeName: n1, containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
status: {phase: Running, podIPs: [{ip: 10.0.1.5}, {ip: "fd00::5"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {nodeName: n2, containers: [{name: c, image: postgres}]}
status: {phase: Running, podIPs: [{ip: 10.0.2.7}]}
---
apiVersion: v1
kind: Pod
metadata: {name: old-job, namespace: shop, labels: {app: db}}
spec: {nodeName: n1, containers: [{name: c, image: busybox}]}
status: {phase: Succeeded, podIPs: [{ip: 10.0.1.99}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress: [{ports: [{port: http}]}]
  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]
`;

const examples = join(dirname(fileURLToPath(import.meta.url)), "../../../examples");

function write(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "palisade-compile-"));
  const file = join(dir, "cluster.yaml");
  writeFileSync(file, text);
  return file;
}

describe("netpol compile", () => {
  it("gives chains to the node's pods only, under Calico's interface names, with the peers' addresses in sets", async () => {
    const { out, err, code } = await runNetpol("compile", write(SHOP), "--node", "n1");
    expect(code).toBe(0);
    expect(err).toBe("");
    const web = calicoInterfaceName("shop", "web-1");
    expect(web).toMatch(/^cali[0-9a-f]{11}$/);
    expect(out).toContain(`-A PAL-FROM-WL -i ${web} `);
    expect(out).not.toContain(calicoInterfaceName("shop", "db-0"));
    // The named port resolves on web-1 itself; db-0 is the egress peer; a finished pod's address is released.
    expect(out).toMatch(/-p tcp -m multiport --dports 8080 .*NetworkPolicy\/shop\/web ingress rule 0/);
    expect(out).toMatch(/add pal4-[0-9a-f]{12} 10\.0\.2\.7\/32/);
    expect(out).not.toContain("10.0.1.99");
    expect(out).toContain("iptables -C FORWARD -j PAL-FORWARD 2>/dev/null || iptables -I FORWARD 1 -j PAL-FORWARD");
  });

  it("warns about peers without an address, whose packets no set can match", async () => {
    const text = SHOP.replace("status: {phase: Running, podIPs: [{ip: 10.0.2.7}]}", "status: {phase: Pending}");
    const { err, code } = await runNetpol("compile", write(text));
    expect(code).toBe(0);
    expect(err).toContain("warning: 1 pod that rules match as a peer has no address in the input (shop/db-0)");
  });

  it("writes JSON with both families and the pods that got chains", async () => {
    const { out } = await runNetpol("compile", write(SHOP), "-o", "json", "--interface-prefix", "pal");
    const json = JSON.parse(out) as { local: { pod: string; interfaceName: string }[]; ipv4: { iptables: string }; ipv6: { iptables: string } };
    expect(json.local.map((l) => l.pod).sort()).toEqual(["shop/db-0", "shop/web-1"]);
    expect(json.local.every((l) => l.interfaceName.startsWith("pal") && l.interfaceName.length === 14)).toBe(true);
    expect(json.ipv6.iptables).toContain("-A PAL-FROM-WL -i pal+ ");
  });

  it("refuses input without running pods, an unknown node and an unusable prefix, saying what to give", async () => {
    const policiesOnly = SHOP.split("---\n").slice(3).join("---\n");
    const none = await runNetpol("compile", write(policiesOnly));
    expect(none.code).toBe(2);
    expect(none.err).toContain("no running Pod with an address (status.podIPs)");
    expect(none.err).toContain("kubectl get pods -A -o yaml");
    const node = await runNetpol("compile", write(SHOP), "--node", "n9");
    expect(node.code).toBe(2);
    expect(node.err).toContain("--node n9: no pod of the input is scheduled there");
    expect(node.err).toContain("nodes in the input: n1, n2");
    const prefix = await runNetpol("compile", write(SHOP), "--interface-prefix", "a;rm");
    expect(prefix.code).toBe(2);
    expect(prefix.err).toContain("--interface-prefix");
    expect(`${none.err}${node.err}${prefix.err}`).not.toMatch(/\n\s+at /);
  });

  it("compiles the README's example: the shop's policies and its pods on worker-1", async () => {
    const { out, err, code } = await runNetpol("compile", join(examples, "network-shop.yaml"), join(examples, "network-shop-pods.yaml"), "--node", "worker-1", "-o", "json");
    expect([code, err]).toEqual([0, ""]);
    const compiled = JSON.parse(out) as { local: { pod: string }[]; ipv4: { iptables: string }; ipv6: { iptables: string } };
    expect(compiled.local.map((l) => l.pod).sort()).toEqual(["monitoring/prometheus-7c6b5-kq2lm", "shop/backend-5b8d4c-h7r9t", "shop/frontend-6f7c9d-x2k4p"]);
    // The backend reaches the database on its named port, resolved on the peer (db-0 on worker-2).
    expect(compiled.ipv4.iptables).toMatch(/-p tcp -m multiport --dports 5432 .*NetworkPolicy\/shop\/backend egress/);
    expect(compiled.ipv6.iptables).toContain("AdminNetworkPolicy/allow-monitoring ingress rule 0 scrape: Allow");
  });

  it("keeps names from the input inside their comment lines", async () => {
    // A pod's name is not checked on the way in: in a comment it must not become a command.
    const hostile = SHOP.replace("name: web-1", 'name: "web-1\\nrm -rf /tmp/x\\n-A FORWARD -j ACCEPT\\""');
    const { out, code } = await runNetpol("compile", write(hostile));
    expect(code).toBe(0);
    expect(out).toContain("web-1\\nrm -rf /tmp/x\\n-A FORWARD -j ACCEPT");
    expect(out.split("\n").filter((line) => line.startsWith("rm "))).toEqual([]);
    expect(out.split("\n").filter((line) => line.startsWith("-A FORWARD"))).toEqual([]);
  });
});
