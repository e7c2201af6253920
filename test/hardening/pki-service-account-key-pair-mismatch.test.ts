/**
 * kubeadm's service-account key pair: kube-controller-manager signs tokens with sa.key and
 * kube-apiserver verifies them with sa.pub. A sa.pub that holds none of sa.key's public key (one
 * of the two replaced without the other) makes kube-apiserver refuse every token the controller
 * manager issues; `palisade pki` reads .pub files and reports that as pki/key-mismatch.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPkiFiles } from "../../src/cli/pki-files.js";
import { CERTIFICATE_NOW } from "../support/test-certificates.js";
import { auditPki, type PkiFile } from "../../src/hardening/pki/audit.js";

const rsa = () => generateKeyPairSync("rsa", { modulusLength: 2048 });
const at = (name: string, text: string): PkiFile => ({ file: `/pki/${name}`, text, mode: 0o600 });
const findings = (files: PkiFile[]) => auditPki(files, CERTIFICATE_NOW).findings.map((f) => `${f.ruleId} ${f.position?.file} ${f.message}`);

describe("sa.pub against sa.key", () => {
  it("reports a sa.pub that holds none of sa.key's public key", () => {
    const signing = rsa();
    const other = rsa();
    const files = [at("sa.key", signing.privateKey.export({ type: "pkcs8", format: "pem" }).toString()), at("sa.pub", other.publicKey.export({ type: "spki", format: "pem" }).toString())];
    expect(findings(files)).toEqual([
      "pki/key-mismatch /pki/sa.pub sa.pub holds no public key of sa.key: kube-apiserver, verifying service-account tokens with it (--service-account-key-file), refuses every token signed with sa.key (--service-account-private-key-file)",
    ]);
  });

  it("accepts a matching sa.pub, as a public key or the private key itself, and one that also holds an older key (rotation)", () => {
    const signing = rsa();
    const key = at("sa.key", signing.privateKey.export({ type: "pkcs1", format: "pem" }).toString());
    expect(findings([key, at("sa.pub", signing.publicKey.export({ type: "spki", format: "pem" }).toString())])).toEqual([]);
    expect(findings([key, at("sa.pub", signing.privateKey.export({ type: "pkcs8", format: "pem" }).toString())])).toEqual([]);
    const rotated = `${rsa().publicKey.export({ type: "spki", format: "pem" }).toString()}${signing.publicKey.export({ type: "spki", format: "pem" }).toString()}`;
    expect(findings([key, at("sa.pub", rotated)])).toEqual([]);
  });

  it("reads .pub files from the directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-pki-sa-"));
    writeFileSync(join(dir, "sa.pub"), rsa().publicKey.export({ type: "spki", format: "pem" }).toString());
    expect(readPkiFiles(dir).map((f) => f.file)).toEqual([join(dir, "sa.pub")]);
  });
});
