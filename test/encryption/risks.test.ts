import { describe, expect, it } from "vitest";
import { auditEncryptionConfigurationFile, checkEncryptionConfigurations, encryptionFamily } from "../../src/encryption/index.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { randomKey } from "./keys.js";

const HEADER = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n";
const KEY = randomKey();

function audit(body: string) {
  return auditEncryptionConfigurationFile(HEADER + body, "enc.yaml");
}

function ruleIds(body: string): string[] {
  return audit(body).map((f) => f.ruleId).sort();
}

const secrets = (providers: string) => `resources:\n  - resources: [secrets]\n    providers:\n${providers}`;
const keyed = (type: string, secret = KEY, name = "k1") => `      - ${type}:\n          keys:\n            - name: ${name}\n              secret: "${secret}"\n`;
const kmsV2 = "      - kms: {apiVersion: v2, name: vault, endpoint: 'unix:///run/kms.sock'}\n";

describe("encryption risk findings", () => {
  it("a KMS v2 writer with random keys behind it is clean", () => {
    expect(audit(secrets(kmsV2 + keyed("secretbox") + "      - identity: {}\n"))).toEqual([]);
  });

  it("identity first: new writes are plaintext, and Secrets are reported unencrypted", () => {
    const findings = audit(secrets("      - identity: {}\n" + keyed("secretbox")));
    expect(findings.map((f) => f.ruleId).sort()).toEqual(["encryption/identity-first", "encryption/secrets-not-encrypted"]);
    const first = findings.find((f) => f.ruleId === "encryption/identity-first")!;
    expect(first.message).toContain("new writes are stored in plaintext");
    expect(first.position).toEqual({ file: "enc.yaml", line: 6, column: 9 });
    expect(first.fieldPath).toBe("resources[0].providers[0].identity");
  });

  it("Secrets not covered at all", () => {
    expect(ruleIds(`resources:\n  - resources: [configmaps]\n    providers:\n${kmsV2}`)).toEqual(["encryption/secrets-not-encrypted"]);
    // Covered through *. or *.* is fine.
    expect(ruleIds(`resources:\n  - resources: ['*.']\n    providers:\n${kmsV2}`)).toEqual([]);
    expect(ruleIds(`resources:\n  - resources: ['*.*']\n    providers:\n${kmsV2}`)).toEqual([]);
  });

  it("the lookup order decides Secrets coverage: an exact entry wins over *.*", () => {
    const body = `resources:\n  - resources: [secrets]\n    providers: [{identity: {}}]\n  - resources: ['*.*']\n    providers:\n${kmsV2}`;
    expect(ruleIds(body)).toContain("encryption/secrets-not-encrypted");
  });

  it("keys from the Kubernetes docs are flagged, however they are encoded, and never quoted", () => {
    const docsKey = Buffer.from("secret is secure").toString("base64");
    const findings = audit(secrets(keyed("aesgcm", docsKey)));
    const example = findings.find((f) => f.ruleId === "encryption/example-key")!;
    expect(example.severity).toBe("critical");
    expect(example.fieldPath).toBe("resources[0].providers[0].aesgcm.keys[0].secret");
    const output = JSON.stringify(findings);
    expect(output).not.toContain(docsKey);
    expect(output).not.toContain("secret is secure");
    expect(output).not.toContain(docsKey.slice(0, 8));
  });

  it("low-entropy keys: typed passphrases and repeated bytes", () => {
    const typed = Buffer.from("correct horse battery staple 123").toString("base64");
    expect(ruleIds(secrets(keyed("secretbox", typed)))).toContain("encryption/low-entropy-key");
    const repeated = Buffer.alloc(32, 7).toString("base64");
    expect(ruleIds(secrets(keyed("secretbox", repeated)))).toContain("encryption/low-entropy-key");
    expect(ruleIds(secrets(keyed("secretbox")))).not.toContain("encryption/low-entropy-key");
  });

  it("aescbc as writer (medium) and as reader (low); aesgcm rotation; no etcd-key binding", () => {
    const cbc = audit(secrets(keyed("aescbc")));
    expect(cbc.map((f) => [f.ruleId, f.severity])).toEqual([
      ["encryption/aescbc", "medium"],
      ["encryption/no-etcd-key-binding", "low"],
    ]);
    const cbcReader = audit(secrets(kmsV2 + keyed("aescbc")));
    expect(cbcReader.map((f) => [f.ruleId, f.severity])).toEqual([["encryption/aescbc", "low"]]);
    expect(ruleIds(secrets(keyed("aesgcm")))).toEqual(["encryption/aesgcm-rotation"]);
    expect(ruleIds(secrets(keyed("secretbox")))).toEqual(["encryption/no-etcd-key-binding"]);
  });

  it("KMS v1, including the omitted apiVersion that defaults to v1", () => {
    const omitted = audit(secrets("      - kms: {name: old, endpoint: 'unix:///run/kms.sock'}\n"));
    expect(omitted.map((f) => f.ruleId)).toEqual(["encryption/kms-v1"]);
    expect(omitted[0]!.message).toContain("apiVersion omitted");
  });

  it("a resource named in two entries: the second entry never writes", () => {
    const body = `resources:\n  - resources: [secrets]\n    providers:\n${kmsV2}  - resources: [configmaps, secrets]\n    providers:\n${keyed("secretbox").replace(/^/gm, "")}`;
    const findings = audit(body).filter((f) => f.ruleId === "encryption/overlapping-rules");
    expect(findings).toHaveLength(1);
    expect(findings[0]!.fieldPath).toBe("resources[1].resources[1]");
  });

  it("the same key under two providers is reported once, at the second place, without the key", () => {
    const reused = randomKey(32);
    const findings = audit(secrets(keyed("secretbox", reused, "a") + keyed("aesgcm", reused, "b")));
    const hits = findings.filter((f) => f.ruleId === "encryption/key-reused");
    expect(hits).toHaveLength(1);
    expect(hits[0]!.fieldPath).toBe("resources[0].providers[1].aesgcm.keys[0].secret");
    expect(hits[0]!.message).toContain('resources[0].providers[0].secretbox.keys[0] ("a")');
    expect(JSON.stringify(findings)).not.toContain(reused);
    expect(ruleIds(secrets(keyed("secretbox", randomKey()) + keyed("aesgcm", randomKey())))).not.toContain("encryption/key-reused");
  });

  it("an invalid file yields invalid-config findings, not an exception", () => {
    const findings = audit(secrets(keyed("aes-gcm")));
    expect(findings.map((f) => f.ruleId)).toEqual(["encryption/invalid-config"]);
    expect(findings[0]!.message).toContain('did you mean "aesgcm"?');
    expect(auditEncryptionConfigurationFile("::: not yaml", "x.yaml")[0]!.ruleId).toBe("encryption/invalid-config");
  });
});

describe("encryption scan family", () => {
  it("finds EncryptionConfiguration objects in a snapshot and locates findings in their file", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n${HEADER}${secrets("      - identity: {}\n")}`;
    const parsed = parseYamlFile("cluster/enc.yaml", text);
    const snapshot = { ...emptySnapshot(), objects: parsed.objects };
    const findings = checkEncryptionConfigurations(snapshot);
    expect(findings.map((f) => f.ruleId).sort()).toEqual(["encryption/identity-first", "encryption/secrets-not-encrypted"]);
    expect(findings[0]!.position!.file).toBe("cluster/enc.yaml");
    expect(findings[0]!.position!.line).toBeGreaterThan(4);
    expect(encryptionFamily.check(snapshot, {})).toEqual(findings);
    expect(encryptionFamily.rules.every((r) => r.id.startsWith("encryption/") && r.pillar === "data")).toBe(true);
  });
});
