import type { Command } from "commander";
import { UserError } from "../errors.js";
import { isSeverity, type Finding, type Severity } from "../findings/types.js";
import { auditPki, type PkiCertificate } from "../hardening/pki/audit.js";
import { EXPIRY_WARNING_DAYS } from "../hardening/x509.js";
import { PKI_RULES } from "../hardening/pki/rules.js";
import { atOrAbove } from "../report/summary.js";
import { renderText } from "../report/text.js";
import { compareFindings, type ScanResult } from "../scan/run.js";
import { packageVersion } from "../version.js";
import { colorFor, EXIT, failOnOption, outputOption, writeStdout } from "./common.js";
import { kubeadmClientCa, kubeadmTrustBundles } from "../hardening/pki/client-ca.js";
import { DEFAULT_DIR, readClientCaFile, readPkiFiles } from "./pki-files.js";
import { columns } from "../report/columns.js";


export function registerPkiCommand(program: Command): void {
  program
    .command("pki")
    .description("a cluster's certificates and keys (kubeadm's /etc/kubernetes/pki): expiry, weak keys and signatures, system:masters client certificates, issuers, key permissions")
    .argument("[dir]", "the PKI directory, walked recursively (.crt, .pem, .key, .cert, .pub)", DEFAULT_DIR)
    .addOption(outputOption(["text", "wide", "json"], "text"))
    .addOption(failOnOption("low"))
    .option("--client-ca-file <file>", "kube-apiserver's --client-ca-file: only system:masters certificates that chain to it are reported (default: ca.crt, in a kubeadm directory)")
    .option("--no-color", "never colour the text output")
    .addHelpText("after", `\nExpiring means within ${EXPIRY_WARNING_DAYS} days. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.`)
    .action(async (dir: string, flags: { output: string; failOn: Severity | "none"; color?: boolean; clientCaFile?: string }) => {
      if (!isSeverity(flags.failOn) && flags.failOn !== "none") throw new UserError(`--fail-on ${flags.failOn}: unknown severity`);
      const files = readPkiFiles(dir);
      // A wrong directory (or a path typo in CI) must not pass as a clean audit of nothing.
      if (files.length === 0) throw new UserError(`no certificate or key files under ${dir}`, { hint: "name the directory that holds the cluster's certificates (kubeadm: /etc/kubernetes/pki); its .crt, .pem, .key, .cert and .pub files are read" });
      const clientCa = flags.clientCaFile !== undefined ? readClientCaFile(flags.clientCaFile) : kubeadmClientCa(dir, files);
      const audit = auditPki(files, new Date(), { ...(clientCa ? { clientCa } : {}), trustBundles: kubeadmTrustBundles(dir, files) });
      const findings = audit.findings.sort(compareFindings);
      if (flags.output === "json") {
        await writeStdout(JSON.stringify({ schemaVersion: "palisade.dev/pki/v1", tool: { name: "palisade", version: packageVersion() }, directory: dir, certificates: audit.certificates, findings }, null, 2) + "\n");
      } else {
        const scanned = judged(audit.certificates, findings);
        const result: ScanResult = {
          findings,
          problems: [],
          stats: { files: files.length, documents: scanned.length, objects: scanned.length, skippedNonKubernetes: 0, skippedFiles: 0 },
          rules: [...PKI_RULES],
          scanned,
        };
        const color = colorFor(process.stdout, flags.color);
        await writeStdout(`${certificateTable(audit.certificates, dir)}\n\n${renderText(result, { color, wide: flags.output === "wide" })}`);
      }
      process.exitCode = atOrAbove(findings, flags.failOn).length > 0 ? EXIT.findings : EXIT.clean;
    });
}

/**
 * What the summary counts as judged: every certificate, and the keys and files findings name
 * (a key with no finding is not listed anywhere, so it is not counted either).
 */
function judged(certificates: readonly PkiCertificate[], findings: readonly Finding[]): ScanResult["scanned"] {
  const scanned: ScanResult["scanned"] = certificates.map((c) => ({ object: { kind: "Certificate", name: c.commonName ?? c.file }, file: c.file }));
  const seen = new Set(scanned.map((s) => `${s.object.kind}/${s.object.name}`));
  for (const f of findings) {
    const key = f.object && `${f.object.kind}/${f.object.name}`;
    if (!f.object || !key || seen.has(key)) continue;
    seen.add(key);
    scanned.push({ object: f.object, file: f.position?.file ?? "" });
  }
  return scanned;
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
  return columns(rows).join("\n");
}
