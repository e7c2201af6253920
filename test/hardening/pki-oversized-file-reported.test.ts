/**
 * `palisade pki` does not read a file of the PKI directory larger than any certificate or key (it
 * may be anything, and memory is not spent on it), but it says so: passed over in silence, such a
 * file could hide an expired certificate or a key others may read, and the audit would look clean.
 */
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPkiFiles } from "../../src/cli/pki-files.js";
import { CERTIFICATE_NOW } from "../support/test-certificates.js";
import { auditPki } from "../../src/hardening/pki/audit.js";

describe("a file too large to be a certificate or key", () => {
  it("is reported once as pki/unreadable, under its shortest name, and not read", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-pki-oversized-"));
    const size = 1024 * 1024 + 10;
    writeFileSync(join(dir, "bundle.pem"), "-".repeat(size), { mode: 0o644 });
    symlinkSync(join(dir, "bundle.pem"), join(dir, "bundle-link.pem"));
    writeFileSync(join(dir, "small.crt"), "not a certificate\n");
    const files = readPkiFiles(dir);
    expect(files.map((f) => [f.file.slice(dir.length + 1), f.text.length])).toEqual([["bundle.pem", 0], ["small.crt", 18]]);
    const findings = auditPki(files, CERTIFICATE_NOW).findings.filter((f) => f.position?.file === join(dir, "bundle.pem"));
    expect(findings.map((f) => [f.ruleId, f.message])).toEqual([["pki/unreadable", `bundle.pem holds ${size} bytes, more than any certificate or key file: it was not read, so nothing in it was judged`]]);
  });
});
