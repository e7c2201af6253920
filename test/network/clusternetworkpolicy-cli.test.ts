/**
 * `palisade netpol explain` (the built CLI) on ClusterNetworkPolicies: an Admin Deny with a
 * named port decides before NetworkPolicy, a priority tie is reported as undefined, and a
 * domainNames peer is refused by name instead of guessed. Needs `npm run build` first.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { WEB_AND_CLIENT_PODS } from "./support.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");

function explain(yaml: string, ...args: string[]) {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-cnp-")), "in.yaml");
  writeFileSync(file, yaml);
  const run = spawnSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "netpol", "explain", file, ...args], { encoding: "utf8" });
  return { out: run.stdout, err: run.stderr, code: run.status, file };
}

const pods = `${WEB_AND_CLIENT_PODS}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: a}
spec: {podSelector: {}, ingress: [{}]}
`;

const guard = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: guard}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: a}}}
  ingress:
  - name: no-b
    action: Deny
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: b}}}]
    protocols: [{destinationNamedPort: http}]
`;

const tied = (name: string, action: string) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec: {tier: Baseline, priority: 3, subject: {namespaces: {}}, ingress: [{action: ${action}, from: [{namespaces: {}}]}]}
`;

describe("palisade netpol explain with ClusterNetworkPolicy", () => {
  it("an Admin Deny on the named port wins over the NetworkPolicy; another port is the NetworkPolicy's", () => {
    const denied = explain(`${pods}---\n${guard}`, "--from", "b/client", "--to", "a/web", "--port", "80");
    expect(denied.code).toBe(0);
    expect(denied.out).toContain("b/client[Pod] -> a/web[Pod] on 80/TCP: DENIED");
    expect(denied.out).toContain('denied by ClusterNetworkPolicy/guard ingress rule 0 "no-b": Deny (tier adminnetworkpolicy)');
    expect(denied.out).toContain(`at ${denied.file}:24:5`);
    const allowed = explain(`${pods}---\n${guard}`, "--from", "b/client", "--to", "a/web", "--port", "81");
    expect(allowed.out).toContain("on 81/TCP: ALLOWED");
    expect(allowed.out).toContain("allowed by NetworkPolicy/a/allow-all");
  });

  it("two Baseline policies of one priority that disagree: the verdict is undefined", () => {
    const r = explain(`${pods.split("---\napiVersion: networking.k8s.io")[0]}---\n${tied("accept", "Accept")}---\n${tied("deny", "Deny")}`, "--from", "b/client", "--to", "a/web", "--port", "80");
    expect(r.out).toContain("(depends on a priority tie: undefined)");
    expect(r.out).toContain("ClusterNetworkPolicy/deny has the same priority and would deny");
  });

  it("a domainNames peer is refused by name, not guessed", () => {
    const dns = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: dns}
spec: {tier: Admin, priority: 3, subject: {namespaces: {}}, egress: [{action: Accept, to: [{domainNames: [example.com]}]}]}
`;
    const r = explain(`${pods}---\n${dns}`, "--from", "b/client", "--to", "1.2.3.4", "--port", "443");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain("ClusterNetworkPolicy/dns spec.egress[0].to[0].domainNames: the API server accepts this (its CRD does not check it), but the addresses a domain name stands for are known only at run time, so Palisade cannot evaluate a domainNames peer");
  });
});
