import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { checkEncryptionConfigurationText, parseEncryptionConfiguration } from "../../src/encryption/index.js";
import { didYouMean } from "../../src/did-you-mean.js";
import { parseGoDuration } from "../../src/k8s/go-duration.js";
import { randomKey } from "./keys.js";

const KEY = randomKey();

function yaml(body: string, header = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n"): string {
  return header + body;
}

function problems(text: string) {
  return checkEncryptionConfigurationText(text, "enc.yaml").problems;
}

function messages(text: string): string[] {
  return problems(text).map((p) => `${p.field}: ${p.message}`);
}

const secretsWith = (providers: string) => yaml(`resources:\n  - resources: [secrets]\n    providers:\n${providers}`);

describe("EncryptionConfiguration decoding", () => {
  it("accepts a valid config and applies upstream defaults", () => {
    const loaded = parseEncryptionConfiguration(
      secretsWith(`      - kms:\n          name: kv1\n          endpoint: unix:///tmp/kms.sock\n      - kms:\n          apiVersion: v2\n          name: kv2\n          endpoint: unix:///tmp/kms2.sock\n      - aesgcm:\n          keys:\n            - name: k1\n              secret: ${KEY}\n      - identity: {}\n`),
      "enc.yaml",
    );
    const [v1, v2] = loaded.config.resources[0]!.providers;
    expect(v1).toEqual({ type: "kms", kms: { apiVersion: "v1", apiVersionDefaulted: true, name: "kv1", endpoint: "unix:///tmp/kms.sock", timeoutMs: 3000, cachesize: 1000 } });
    expect(v2).toEqual({ type: "kms", kms: { apiVersion: "v2", apiVersionDefaulted: false, name: "kv2", endpoint: "unix:///tmp/kms2.sock", timeoutMs: 3000 } });
    expect(loaded.legacy).toBe(false);
  });

  it("still decodes the legacy apiVersion v1 / kind EncryptionConfig", () => {
    const text = yaml(`resources:\n  - resources: [secrets]\n    providers:\n      - identity: {}\n`, "kind: EncryptionConfig\napiVersion: v1\n");
    expect(parseEncryptionConfiguration(text, "enc.yaml").legacy).toBe(true);
  });

  it("suggests the apiVersion for a near miss, with file:line:column", () => {
    const text = "apiVersion: API Server.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n";
    const [p] = problems(text);
    expect(p!.message).toContain("unsupported apiVersion");
    expect(p!.hint).toBe('did you mean "apiserver.config.k8s.io/v1"?');
    expect(p!.position).toEqual({ file: "enc.yaml", line: 1, column: 1 });
  });

  it("suggests the kind for a near miss", () => {
    const [p] = problems("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfig\nresources: []\n");
    expect(p!.hint).toBe('did you mean "EncryptionConfiguration"?');
  });

  it("says a core v1 object (a ConfigMap given by mistake) is no encryption config, rather than suggest the legacy kind", () => {
    const [p] = problems("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n");
    expect(p!.message).toBe('no kind "ConfigMap" is registered for version "v1"');
    expect(p!.hint).toBe("this is not an encryption configuration: write apiVersion: apiserver.config.k8s.io/v1 and kind: EncryptionConfiguration");
  });

  it("rejects unknown fields strictly, with a did-you-mean and the line of the field", () => {
    const text = secretsWith(`      - aes-gcm:\n          keys:\n            - name: k1\n              secret: ${KEY}\n`);
    const [p] = problems(text);
    expect(p!.message).toBe('unknown field "aes-gcm" in resources[0].providers[0]');
    expect(p!.hint).toBe('did you mean "aesgcm"?');
    expect(p!.position).toMatchObject({ line: 6 });
  });

  it("rejects a misspelt key field and a wrongly cased top-level field", () => {
    expect(problems(secretsWith(`      - secretbox:\n          keys:\n            - name: k1\n              secrt: ${KEY}\n`))[0]!.hint).toBe('did you mean "secret"?');
    expect(problems(yaml("Resources: []\n"))[0]!.hint).toBe('did you mean "resources"?');
  });

  it("rejects an empty file, a missing kind and several documents", () => {
    expect(problems("")[0]!.message).toContain("empty");
    expect(problems("resources: []\n")[0]!.message).toContain("Kind");
    expect(problems(yaml("resources: []\n---\n" + yaml("resources: []\n")))[0]!.message).toContain("exactly one");
  });

  it("reports YAML syntax errors and duplicate keys at their position", () => {
    const dup = problems(yaml("resources: []\nresources: []\n"));
    expect(dup[0]!.message).toMatch(/duplicate/i);
    expect(dup[0]!.position!.line).toBe(4);
  });

  it("requires JSON types to match, and never echoes a secret in the message", () => {
    const ps = problems(secretsWith(`      - aesgcm:\n          keys:\n            - name: k1\n              secret: 1234567890123456\n`));
    expect(ps[0]!.message).toBe("resources[0].providers[0].aesgcm.keys[0].secret must be a string, got a number");
    expect(JSON.stringify(ps)).not.toContain("1234567890123456");
  });

  it("treats null as unset, like Go: `identity:` without {} is an empty provider element", () => {
    expect(messages(secretsWith("      - identity:\n"))).toEqual([
      "resources[0].providers[0]: provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity",
    ]);
  });

  it("parses JSON configs too", () => {
    const json = JSON.stringify({ apiVersion: "apiserver.config.k8s.io/v1", kind: "EncryptionConfiguration", resources: [{ resources: ["secrets"], providers: [{ identity: {} }] }] });
    expect(parseEncryptionConfiguration(json, "enc.json").config.resources).toHaveLength(1);
    const flowYaml = "{apiVersion: apiserver.config.k8s.io/v1, kind: EncryptionConfiguration, resources: [{resources: [secrets], providers: [{identity: {}}]}]}";
    expect(parseEncryptionConfiguration(flowYaml, "enc.yaml").config.resources).toHaveLength(1);
  });
});

describe("EncryptionConfiguration validation (validation_encryption.go and config.go)", () => {
  const key = (secret: string) => `      - aesgcm:\n          keys:\n            - name: k1\n              secret: "${secret}"\n`;

  it("requires resources, resource names and providers", () => {
    expect(messages(yaml("resources: []\n"))).toEqual(["resources: at least one resources entry is required"]);
    expect(messages(yaml("resources:\n  - resources: []\n    providers: []\n"))).toEqual([
      "resources[0].resources: at least one resources[0].resources is required",
      "resources[0].providers: at least one resources[0].providers is required",
    ]);
  });

  it("checks base64 and key lengths per provider", () => {
    expect(messages(secretsWith(key("not base64!")))[0]).toContain("secrets must be base64 encoded");
    expect(messages(secretsWith(key(randomKey(15))))[0]).toContain("got 15, expected one of [16 24 32]");
    for (const size of [16, 24, 32]) expect(messages(secretsWith(key(randomKey(size))))).toEqual([]);
    const box = (size: number) => `      - secretbox:\n          keys:\n            - name: k1\n              secret: "${randomKey(size)}"\n`;
    expect(messages(secretsWith(box(16)))[0]).toContain("got 16, expected one of [32]");
    expect(messages(secretsWith(box(32)))).toEqual([]);
    // Unpadded base64 is refused, as Go's StdEncoding does.
    expect(messages(secretsWith(key(randomKey(16).replace(/=+$/, ""))))[0]).toContain("base64");
  });

  it("requires key names, secrets and at least one key; does not check key-name uniqueness", () => {
    expect(messages(secretsWith("      - aescbc:\n          keys: []\n"))).toEqual(["resources[0].providers[0].aescbc.keys: at least one keys is required"]);
    expect(messages(secretsWith("      - aescbc:\n          keys:\n            - name: ''\n              secret: ''\n"))).toEqual([
      "resources[0].providers[0].aescbc.keys[0].name: name is a mandatory field for a key",
      "resources[0].providers[0].aescbc.keys[0].secret: secret is a mandatory field for a key",
    ]);
    const twice = `      - aescbc:\n          keys:\n            - {name: a, secret: "${KEY}"}\n            - {name: a, secret: "${KEY}"}\n`;
    expect(messages(secretsWith(twice))).toEqual([]);
  });

  it("refuses more than one provider in an element", () => {
    expect(messages(secretsWith(`      - identity: {}\n        aesgcm:\n          keys: [{name: k, secret: "${KEY}"}]\n`))[0]).toContain("more than one provider");
  });

  it("checks resource strings", () => {
    const list = (rs: string) => messages(yaml(`resources:\n  - resources: ${rs}\n    providers: [{identity: {}}]\n`));
    expect(list("['*']")[0]).toContain('resource "*" is not allowed');
    expect(list("[Secrets]")[0]).toContain("capital letters");
    expect(list("[serviceipallocations]")[0]).toContain("do not have REST API");
    expect(list("[events.events.k8s.io]")[0]).toContain("events");
    expect(list("[deployments.extensions]")[0]).toContain("extensions");
    expect(list("['secrets.*']")[0]).toContain("across groups");
    expect(list("[secrets, secrets]")).toEqual(["resources[0].resources: the same resource cannot be specified multiple times"]);
    expect(list("[secrets, '*.']")[0]).toContain("overlapping");
    expect(list("['*.*', configmaps.apps]")[0]).toContain("overlapping");
    expect(list("['*.apps', deployments.apps]")[0]).toContain("overlapping");
    expect(list("['*.apps', secrets, '*.']")[0]).toContain("overlapping");
    expect(list("['*.apps', secrets]")).toEqual([]);
  });

  it("rejects resources masked by an earlier wildcard entry (load time)", () => {
    const text = yaml(`resources:\n  - resources: ['*.']\n    providers: [{identity: {}}]\n  - resources: [secrets]\n    providers: [{identity: {}}]\n`);
    const [p] = problems(text);
    expect(p!.message).toBe('resource "secrets" is masked by earlier rule "*."');
    expect(p!.position).toMatchObject({ line: 6 });
    const star = yaml(`resources:\n  - resources: ['*.*']\n    providers: [{identity: {}}]\n  - resources: ['*.*']\n    providers: [{identity: {}}]\n`);
    expect(messages(star)[0]).toContain('masked by earlier rule "*.*"');
    // Specific first, wildcard later is the documented pattern.
    const ok = yaml(`resources:\n  - resources: [secrets]\n    providers: [{identity: {}}]\n  - resources: ['*.*']\n    providers: [{identity: {}}]\n`);
    expect(messages(ok)).toEqual([]);
  });

  it("checks KMS fields", () => {
    const kms = (fields: string) => messages(secretsWith(`      - kms:\n${fields.split("\n").map((l) => `          ${l}`).join("\n")}\n`));
    expect(kms("name: k\nendpoint: unix:///x.sock\napiVersion: v2")).toEqual([]);
    expect(kms("name: k\nendpoint: unix:///@abstract\napiVersion: v2")).toEqual([]);
    expect(kms("endpoint: unix:///x.sock\napiVersion: v2")[0]).toContain("name is a mandatory field");
    expect(kms("name: a:b\nendpoint: unix:///x.sock\napiVersion: v2")[0]).toContain("must not contain ':'");
    expect(kms("name: a:b\nendpoint: unix:///x.sock\napiVersion: v1")).toEqual([]);
    expect(kms("name: k\nendpoint: https://kms.example.com\napiVersion: v2")[0]).toContain('unsupported scheme "https"');
    expect(kms("name: k\nendpoint: /var/run/kms.sock\napiVersion: v2")[0]).toContain('unsupported scheme ""');
    expect(kms("name: k\napiVersion: v2")[0]).toContain("endpoint is a mandatory field");
    expect(kms("name: k\nendpoint: unix:///x.sock\napiVersion: v3")[0]).toContain("only v1 and v2 are supported");
    expect(kms("name: k\nendpoint: unix:///x.sock\napiVersion: v2\ncachesize: 10")[0]).toContain("cachesize is not supported in v2");
    expect(kms("name: k\nendpoint: unix:///x.sock\napiVersion: v1\ncachesize: 0")[0]).toContain("negative to disable");
    expect(kms("name: k\nendpoint: unix:///x.sock\napiVersion: v1\ncachesize: -1")).toEqual([]);
    expect(kms("name: k\nendpoint: unix:///x.sock\napiVersion: v2\ntimeout: 0s")[0]).toContain("timeout should be a positive value");
    expect(kms("name: k\nendpoint: unix:///x.sock\napiVersion: v2\ntimeout: 3")[0]).toContain("must be a string");
    expect(kms("name: k\nendpoint: unix:///x.sock\napiVersion: v2\ntimeout: 3 seconds")[0]).toContain("invalid duration");
  });

  it("requires unique KMS names for v2 always, for v1 only with automatic reload", () => {
    const two = (version: string) =>
      secretsWith(`      - kms: {apiVersion: ${version}, name: k, endpoint: "unix:///a.sock"}\n      - kms: {apiVersion: ${version}, name: k, endpoint: "unix:///b.sock"}\n`);
    expect(messages(two("v2"))[0]).toContain("duplicate KMS provider name");
    expect(messages(two("v1"))).toEqual([]);
    expect(checkEncryptionConfigurationText(two("v1"), "enc.yaml", { automaticReload: true }).problems[0]!.message).toContain("duplicate");
  });

  it("throws one UserError: one problem at file:line:column with its hint", () => {
    try {
      parseEncryptionConfiguration(yaml("resources:\n  - resources: [Secrets]\n    providers: [{identity: {}}]\n"), "enc.yaml");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).describe()).toBe(
        'enc.yaml:4:17: invalid EncryptionConfiguration: resources[0].resources[0]: resource "Secrets": resource name should not contain capital letters\n  hint: use "secrets"',
      );
    }
  });

  it("throws one UserError listing several problems one per line, each hint closed before the next", () => {
    try {
      parseEncryptionConfiguration(yaml("resources:\n  - resources: [Secrets, 'secrets.*']\n    providers: [{identity: {}}]\n"), "enc.yaml");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      const lines = (err as UserError).describe().split("\n");
      expect(lines[0]).toBe("enc.yaml: invalid EncryptionConfiguration: 2 problems:");
      expect(lines[1]).toBe('  enc.yaml:4:17: resources[0].resources[0]: resource "Secrets": resource name should not contain capital letters (use "secrets")');
      expect(lines[2]).toMatch(/^ {2}enc\.yaml:4:\d+: resources\[0\]\.resources\[1\]: resource "secrets\.\*": /);
      expect(lines[3]).toBe("  hint: fix each problem above; kube-apiserver refuses the file until all are fixed");
      expect(lines).toHaveLength(4);
    }
  });
});

describe("helpers", () => {
  it("parses Go durations", () => {
    expect(parseGoDuration("3s")).toBe(3000);
    expect(parseGoDuration("1m30s")).toBe(90_000);
    expect(parseGoDuration("1.5h")).toBe(5_400_000);
    expect(parseGoDuration("500ms")).toBe(500);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("-2s")).toBe(-2000);
    for (const bad of ["", "3", "s", "3 s", "3sec", "."]) expect(parseGoDuration(bad)).toBeUndefined();
  });

  it("refuses durations past Go's int64 nanoseconds, as time.ParseDuration does", () => {
    expect(parseGoDuration("2562047h")).toBe(2562047 * 3_600_000);
    expect(parseGoDuration("9223372036854775807ns")).toBeCloseTo(9223372036854.775, 0);
    expect(parseGoDuration("-9223372036854775808ns")).toBeCloseTo(-9223372036854.775, 0);
    for (const bad of ["2562048h", "9223372036854775808ns", "292y", "100000000000000000000s", "2562047h47m17s", "1e3s"]) expect(parseGoDuration(bad)).toBeUndefined();
    const config = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - kms: {apiVersion: v2, name: p, endpoint: unix:///k.sock, timeout: 3000000h}\n";
    expect(checkEncryptionConfigurationText(config, "enc.yaml").problems.map((p) => p.message)).toEqual(['invalid duration "3000000h"']);
  });

  it("suggests near misses only", () => {
    expect(didYouMean("aes-gcm", ["aesgcm", "aescbc"])).toBe("aesgcm");
    expect(didYouMean("AESCBC", ["aesgcm", "aescbc"])).toBe("aescbc");
    expect(didYouMean("secretbx", ["secretbox", "identity"])).toBe("secretbox");
    expect(didYouMean("foo", ["aesgcm", "identity"])).toBeUndefined();
  });
});
