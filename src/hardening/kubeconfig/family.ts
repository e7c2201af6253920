/**
 * The kubeconfig family of `palisade scan`: kubeconfig files among the scanned files
 * (`palisade scan ~/.kube/config`, or one committed to a repository) judged by
 * KUBECONFIG_RULES, each finding at its field.
 */
import { isAbsolute, relative } from "node:path";
import type { Finding } from "../../findings/types.js";
import type { Snapshot } from "../../k8s/snapshot.js";
import { formatFieldPath, objectRef, type LoadedObject } from "../../k8s/types.js";
import { eachObject, type ScanFamily, type ScanOptions } from "../../scan/family.js";
import { readCaBundleEntries } from "../pki/client-ca.js";
import { readPemCertificates } from "../x509.js";
import { clientGoRefusals, userReachedOverTls } from "./client-go-refusals.js";
import { decodedData } from "./data-fields.js";
import { contextsWithMissingUser } from "./missing-user.js";
import { isKubeconfig, readKubeconfig } from "./read.js";
import { openReferencedFile, type ReferencedFile } from "./referenced-file.js";
import { KUBECONFIG_RULES, type CaBundleReading, type CertificateReading, type KubeconfigFacts, type UnreadableFile } from "./rules.js";

const nonEmpty = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** Where a certificate's PEM comes from: a `*-data` field's decoded bytes, or a file the kubeconfig names. */
type PemSource = { pem: string; field: string; ref?: undefined; resolved?: undefined } | { pem: string; field: string; ref: string; resolved: string };

function factsOf(loaded: LoadedObject): KubeconfigFacts {
  const config = readKubeconfig(loaded.object);
  const { clusters, users } = config;
  const certificates: CertificateReading[] = [];
  const caBundles: CaBundleReading[] = [];
  const unreadableFiles: UnreadableFile[] = [];
  const opened = new Map<string, ReferencedFile>();
  // Each file once, however many entries name it.
  const open = (ref: string): ReferencedFile => {
    const file = opened.get(ref) ?? openReferencedFile(loaded.source.file, ref);
    opened.set(ref, file);
    return file;
  };

  /**
   * The PEM client-go would use for a `*-data` field or its file form: the data when it is set
   * (client-go's dataFromSliceOrFile reads the file only when the data is empty), else the file's
   * bytes; undefined when there is neither or the file was not read (reported as unreadable-file).
   */
  const pemOf = (body: Record<string, unknown>, path: CertificateReading["path"], field: string, owner: string): PemSource | undefined => {
    const data = nonEmpty(body[`${field}-data`]);
    if (data !== undefined) {
      // Go refuses the whole file at a value it cannot decode (refused-entry says so): there is no certificate to judge, nor a file to fall back on.
      const bytes = decodedData(data);
      return bytes === undefined ? undefined : { pem: bytes.toString("latin1"), field: `${field}-data` };
    }
    const ref = nonEmpty(body[field]);
    if (ref === undefined) return undefined;
    const file = open(ref);
    if ("text" in file) return { pem: file.text, field, ref, resolved: file.resolved };
    if ("problem" in file) unreadableFiles.push(unreadable(path, field, ref, owner, file));
    return undefined;
  };
  const readCertificate = (source: PemSource, path: CertificateReading["path"], what: string) => {
    const facts = readPemCertificates(source.pem)[0];
    const problem = source.ref === undefined ? "is not base64 of a PEM certificate" : `in ${source.ref} is not a PEM certificate`;
    certificates.push(facts === undefined ? { problem, path, what } : "problem" in facts ? { problem: facts.problem, path, what } : { facts, path, what });
  };

  for (const cluster of clusters) {
    const body = { "certificate-authority-data": cluster.certificateAuthorityData, "certificate-authority": cluster.certificateAuthority };
    const field = nonEmpty(cluster.certificateAuthorityData) !== undefined ? "certificate-authority-data" : "certificate-authority";
    const path = [...cluster.path, field];
    const source = pemOf(body, path, "certificate-authority", `cluster ${cluster.name}`);
    if (!source) continue;
    readCertificate(source, path, `CA certificate of cluster ${cluster.name}`);
    const entries = readCaBundleEntries(source.pem);
    // None when it holds no certificate: unreadable-certificate says so.
    if (entries.length === 0) continue;
    const bundle =
      source.ref === undefined
        ? // `file` only names a certificate that has no CommonName; findings stand at the field.
          { file: "certificate-authority-data", described: `the certificate-authority-data of cluster ${cluster.name}`, entries, decoded: true }
        : { file: source.ref, described: `the certificate-authority file ${source.ref} of cluster ${cluster.name}`, entries };
    caBundles.push({ path, cluster, bundle });
  }
  for (const user of users) {
    const certificateField = nonEmpty(user.user["client-certificate-data"]) !== undefined ? "client-certificate-data" : "client-certificate";
    const path = [...user.path, certificateField];
    const source = pemOf(user.user, path, "client-certificate", `user ${user.name}`);
    if (source) readCertificate(source, path, "client certificate");
    // client-go opens the key file only for a client certificate (ConfirmUsable), and reads it only when client-key-data is empty.
    const certificateSet = nonEmpty(user.user["client-certificate-data"]) !== undefined || nonEmpty(user.user["client-certificate"]) !== undefined;
    const keyRef = nonEmpty(user.user["client-key"]);
    if (certificateSet && keyRef !== undefined && nonEmpty(user.user["client-key-data"]) === undefined) {
      // The key's content is never read into a finding: only whether the file can be opened.
      const file = open(keyRef);
      if ("problem" in file) unreadableFiles.push(unreadable([...user.path, "client-key"], "client-key", keyRef, `user ${user.name}`, file));
    }
    // client-go reads tokenFile only when token is empty, and only for an https:// server (ClientConfig's getUserIdentificationPartialConfig).
    const tokenRef = nonEmpty(user.user.tokenFile);
    if (tokenRef !== undefined && nonEmpty(user.user.token) === undefined && userReachedOverTls(config, user.name)) {
      // As for a key, only whether it can be read: the token itself never reaches a finding.
      const file = open(tokenRef);
      if ("problem" in file) unreadableFiles.push(unreadable([...user.path, "tokenFile"], "tokenFile", tokenRef, `user ${user.name}`, file));
    }
  }
  return { clusters, users, certificates, caBundles, unreadableFiles, refusals: clientGoRefusals(config, loaded.object), missingUsers: contextsWithMissingUser(config) };
}

function unreadable(path: UnreadableFile["path"], field: string, ref: string, owner: string, file: { problem: string; resolved: string; notJudged?: true }): UnreadableFile {
  // Said from the current directory, as the scanned paths are (the same words on every checkout), when it is below it.
  const fromHere = relative(process.cwd(), file.resolved);
  const shown = fromHere.startsWith("..") || isAbsolute(fromHere) ? file.resolved : fromHere;
  const where = shown === ref ? ref : `${ref} (${shown})`;
  const message = `the ${field} file ${where} of ${owner} ${file.problem}`;
  return file.notJudged ? { path, message, severity: "info" } : { path, message: `${message}: kubectl and client-go stop with an error before connecting with it` };
}

function judge(loaded: LoadedObject, now: Date | undefined): Finding[] {
  const facts = factsOf(loaded);
  // A kubeconfig has no metadata.name: findings name it by its current context (the report groups them by file).
  const current = loaded.object["current-context"];
  const object = { ...objectRef(loaded.object), name: typeof current === "string" && current !== "" ? current : "kubeconfig" };
  return KUBECONFIG_RULES.flatMap((rule) =>
    rule.check(facts, now).map((verdict) => ({
      ruleId: rule.id,
      pillar: rule.pillar,
      severity: verdict.severity ?? rule.severity,
      message: verdict.message,
      object,
      fieldPath: formatFieldPath(verdict.path),
      position: loaded.source.locate(verdict.path),
      remediation: rule.docs.remediation,
    })),
  );
}

export function checkKubeconfigs(snapshot: Snapshot, options: ScanOptions): Finding[] {
  return snapshot.objects.filter((loaded) => isKubeconfig(loaded.object)).flatMap((loaded) => judge(loaded, options.now));
}

export const kubeconfigFamily: ScanFamily = {
  id: "kubeconfig",
  rules: KUBECONFIG_RULES.map(({ check: _check, ...rule }) => rule),
  check: checkKubeconfigs,
  stream: (options) => eachObject((loaded) => (isKubeconfig(loaded.object) ? judge(loaded, options.now) : [])),
};
