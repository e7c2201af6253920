/**
 * `palisade authn verify-token --authn-config` stops at a file kube-apiserver would refuse at
 * start-up, at the refused field's line, in upstream's words, before any token is looked at.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { registerAuthnCommand } from "../../../src/cli/authn.js";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-authn-refused-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const verify = (config: string) => runCli(registerAuthnCommand, ["authn", "verify-token", "--token-file", file("t.jwt", "x.y.z"), "--authn-config", config, "--jwks", file("jwks.json", '{"keys":[]}')]);
const header = ["apiVersion: apiserver.config.k8s.io/v1beta1", "kind: AuthenticationConfiguration", "jwt:", "- issuer:", "    url: https://issuer.example.com", "    audiences: [kubernetes]"];

describe("verify-token refuses an AuthenticationConfiguration kube-apiserver would not load", () => {
  it("names an unknown field at its line, without its value", async () => {
    const config = file("unknown.yaml", [...header, "    clientSecret: hunter2", "  claimMappings:", "    username: {claim: sub, prefix: ''}", ""].join("\n"));
    const result = await verify(config);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown\.yaml:7:\d+: jwt\[0\]\.issuer\.clientSecret: unknown field/);
    expect(result.stderr).toContain("strict");
    expect(result.stderr).not.toContain("hunter2");
  });

  it("names a duplicate claim validation rule at its line", async () => {
    const rules = ["  claimValidationRules:", "  - {claim: hd, requiredValue: a}", "  - {claim: hd, requiredValue: b}"];
    const config = file("dup.yaml", [...header, ...rules, "  claimMappings:", "    username: {claim: sub, prefix: ''}", ""].join("\n"));
    const result = await verify(config);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dup\.yaml:9:\d+: jwt\[0\]\.claimValidationRules\[1\]\.claim: duplicate claim/);
  });
});
