/**
 * The loader's hint on a document it refuses ends "the other documents were still scanned".
 * It is said only where that is so: not by commands that stop at the problem (a single
 * configuration file, manifests a configuration names, netpol's answers), and not when the
 * input held nothing else; a scan that read other files keeps it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/conformance.js";
import { builtCli } from "../support/etcd.js";

const NOTE = "the other documents were still scanned";

function palisade(args: string[]) {
  const r = spawnSync(process.execPath, [builtCli(), ...args], { cwd: repoRoot, encoding: "utf8", timeout: 60_000, env: { ...process.env, CI: "true", FORCE_COLOR: "0" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the hint that the other documents were still scanned", () => {
  let dir = "";
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  beforeAll(() => {
    builtCli();
    dir = mkdtempSync(join(tmpdir(), "palisade-still-scanned-"));
  });

  const brokenSyntax = (file: string) => `${file}:4:1: invalid YAML: unexpected end of the stream within a flow collection\n  hint: fix the YAML syntax at that position\n`;

  it("is not given for a single configuration file the command stops at", () => {
    const encryption = write("encryption.yaml", "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: [\n");
    const check = palisade(["encryption", "check", encryption]);
    expect(check.code).toBe(2);
    expect(check.stderr).toBe(`palisade: ${encryption}:4:1: invalid EncryptionConfiguration: invalid YAML: unexpected end of the stream within a flow collection\n  hint: fix the YAML syntax at that position\n`);

    // A document beside the configuration: read, but authn stops at the broken one.
    const authn = write("authn.yaml", "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt: []\n---\nextra: [\n");
    const verify = palisade(["authn", "verify-token", "--token-file", write("t.jwt", "x.y.z\n"), "--authn-config", authn, "--jwks", write("jwks.json", '{"keys":[]}')]);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toBe(`palisade: ${brokenSyntax(authn).replace(":4:1:", ":6:1:")}`);
  });

  it("is not given for manifests a webhook configuration names, which install and serve refuse", () => {
    // One Namespace loads; the command stops at the next document.
    const namespaces = write("namespaces.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a\n");
    const config = write("config.yaml", `apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  port: 8443\n  clusterState: [namespaces.yaml]\n`);
    for (const args of [["install", "--apiserver-cidr", "10.0.0.0/24", "--config", config], ["serve", "--config", config, "--self-signed", "localhost"]]) {
      const r = palisade(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stdout, args[0]).toBe("");
      expect(r.stderr, args[0]).toBe(`palisade: ${brokenSyntax(namespaces).replace(":4:1:", ":8:1:")}`);
    }
  });

  it("is given by a scan only when it read something else", () => {
    const broken = write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a\n");
    const alone = palisade(["scan", broken, "--summary"]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe(brokenSyntax(broken));
    const json = write("pod.json", '{"apiVersion": "v1", "kind": "Pod",\n');
    expect(palisade(["scan", json, "--summary"]).stderr).not.toContain(NOTE);

    const beside = palisade(["scan", broken, join(repoRoot, "examples/network-shop.yaml"), "--summary", "--fail-on", "none"]);
    expect(beside.code).toBe(2);
    expect(beside.stderr).toBe(`${brokenSyntax(broken).slice(0, -1)}; ${NOTE}\n`);
  });
});
