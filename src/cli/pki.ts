import type { Command } from "commander";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { isSeverity, type Severity } from "../findings/types.js";
import { auditPki, type PkiCertificate, type PkiFile } from "../hardening/pki/audit.js";
import { EXPIRY_WARNING_DAYS } from "../hardening/x509.js";
import { PKI_RULES } from "../hardening/pki/rules.js";
import { atOrAbove } from "../report/summary.js";
import { renderText } from "../report/text.js";
import { compareFindings, type ScanResult } from "../scan/run.js";
import { packageVersion } from "../version.js";
import { EXIT, failOnOption, isInteractive, outputOption, writeStdout } from "./common.js";

const DEFAULT_DIR = "/etc/kubernetes/pki";
const PKI_EXTENSIONS = /\.(crt|pem|key|cert)$/;
/** Certificates and keys are a few KB: anything bigger is not one. */
const MAX_FILE_BYTES = 1024 * 1024;

export function registerPkiCommand(program: Command): void {
  program
    .command("pki")
    .description("a cluster's certificates and keys (kubeadm's /etc/kubernetes/pki): expiry, weak keys and signatures, system:masters client certificates, issuers, key permissions")
    .argument("[dir]", "the PKI directory, walked recursively (.crt, .pem, .key, .cert)", DEFAULT_DIR)
    .addOption(outputOption(["text", "wide", "json"], "text"))
    .addOption(failOnOption("low"))
    .option("--no-color", "never colour the text output")
    .addHelpText("after", `\nExpiring means within ${EXPIRY_WARNING_DAYS} days. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.`)
    .action(async (dir: string, flags: { output: string; failOn: Severity | "none"; color?: boolean }) => {
      if (!isSeverity(flags.failOn) && flags.failOn !== "none") throw new UserError(`--fail-on ${flags.failOn}: unknown severity`);
      const files = readPkiFiles(dir);
      const audit = auditPki(files, new Date());
      const findings = audit.findings.sort(compareFindings);
      if (flags.output === "json") {
        await writeStdout(JSON.stringify({ schemaVersion: "palisade.dev/pki/v1", tool: { name: "palisade", version: packageVersion() }, directory: dir, certificates: audit.certificates, findings }, null, 2) + "\n");
      } else {
        const result: ScanResult = {
          findings,
          problems: [],
          stats: { files: files.length, documents: audit.certificates.length, objects: audit.certificates.length, skippedNonKubernetes: 0, skippedFiles: 0 },
          rules: [...PKI_RULES],
          scanned: audit.certificates.map((c) => ({ object: { kind: "Certificate", name: c.commonName ?? c.file }, file: c.file })),
        };
        const color = flags.color !== false && isInteractive(process.stdout);
        await writeStdout(`${certificateTable(audit.certificates, dir)}\n\n${renderText(result, { color, wide: flags.output === "wide" })}`);
      }
      process.exitCode = atOrAbove(findings, flags.failOn).length > 0 ? EXIT.findings : EXIT.clean;
    });
}

/** Every certificate and key file under `dir`, with its mode; never follows links out of it. */
function readPkiFiles(dir: string): PkiFile[] {
  let info;
  try {
    info = lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw unreadable(dir, err);
    throw new UserError(`cannot read ${dir}: no such directory`, { hint: dir === DEFAULT_DIR ? "run on a control-plane node, or name the PKI directory: palisade pki DIR" : "name the directory that holds the cluster's certificates" });
  }
  if (!info.isDirectory()) throw new UserError(`${dir} is not a directory`, { hint: "name the directory that holds the cluster's certificates (kubeadm: /etc/kubernetes/pki)" });
  const files: PkiFile[] = [];
  const walk = (at: string) => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch (err) {
      throw unreadable(at, err);
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && PKI_EXTENSIONS.test(entry.name)) {
        const stat = lstatSync(path);
        if (stat.size > MAX_FILE_BYTES) continue;
        try {
          files.push({ file: path, text: readFileSync(path, "latin1"), mode: stat.mode & 0o777 });
        } catch (err) {
          throw unreadable(path, err);
        }
      }
    }
  };
  walk(dir);
  return files;
}

function unreadable(path: string, err: unknown): UserError {
  return new UserError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, { hint: "run as a user who may read the PKI directory (root on kubeadm nodes)" });
}

/** kubeadm certs check-expiration's columns, and the key. */
function certificateTable(certificates: readonly PkiCertificate[], dir: string): string {
  if (certificates.length === 0) return `no certificates under ${dir}`;
  const rows = [["CERTIFICATE", "FILE", "EXPIRES", "RESIDUAL", "SIGNED BY", "KEY"]];
  for (const c of certificates) {
    const file = c.file.startsWith(`${dir}/`) ? c.file.slice(dir.length + 1) : c.file;
    const signedBy = c.signedBy ? (c.signedBy.startsWith(`${dir}/`) ? c.signedBy.slice(dir.length + 1) : c.signedBy) : c.isCA ? "(CA)" : "-";
    rows.push([c.commonName ?? "?", c.index > 0 ? `${file} #${c.index + 1}` : file, c.notAfter.slice(0, 16).replace("T", " ") + " UTC", c.residualDays < 0 ? "expired" : `${c.residualDays}d`, signedBy, c.key]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")).join("\n");
}
