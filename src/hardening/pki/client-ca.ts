/**
 * kube-apiserver's client CA (--client-ca-file), against which pki/system-masters judges
 * whether a certificate gives access: given by the user, or, in a kubeadm PKI directory, its
 * ca.crt, which kubeadm's kube-apiserver manifest names as --client-ca-file. Other CAs of
 * the directory (kubeadm's etcd/ca.crt, front-proxy-ca.crt) sign certificates kube-apiserver
 * does not take as users: etcd's clients, in system:masters in older kubeadm releases, only
 * authenticate to etcd.
 */
import { join } from "node:path";
import { certificateFromDer, type CertificateFacts } from "../x509.js";
import { appendCertsFromPem } from "./cert-pool.js";

export interface ClientCa {
  /** How findings name it after "it chains to": which file, and why it is taken as kube-apiserver's client CA. */
  described: string;
  roots: CertificateFacts[];
  /** Where the bundle was read from, for findings about its certificates: its file, and each root's BEGIN line, in roots' order. */
  source?: { file: string; lines: readonly number[] };
}

/** A CA bundle a component trusts, with each certificate's place: what pki/ca-cannot-sign judges. */
export interface TrustBundle {
  file: string;
  /** Who trusts it, for findings: "front-proxy-ca.crt, kube-apiserver's --requestheader-client-ca-file (kubeadm)". */
  described: string;
  entries: Array<{ facts: CertificateFacts; line: number }>;
  /** Set when the lines count in a field's base64-decoded data (a kubeconfig's certificate-authority-data), not in a file. */
  decoded?: boolean;
}

/** Files only kubeadm lays out beside ca.crt (cmd/kubeadm/app/constants): with one of them, ca.crt is kubeadm's cluster CA. */
const KUBEADM_FILES = ["apiserver.crt", "apiserver-kubelet-client.crt", "front-proxy-ca.crt", "front-proxy-client.crt", "etcd/ca.crt", "sa.key"];

/** The certificates of a CA bundle, as a pool reads them; blocks that are not certificates are skipped (pki/unreadable reports damaged files). */
export function readClientCaBundle(text: string): CertificateFacts[] {
  return readCaBundleEntries(text).map((entry) => entry.facts);
}

/** readClientCaBundle, with the line of each certificate's BEGIN line. */
export function readCaBundleEntries(text: string): TrustBundle["entries"] {
  return appendCertsFromPem(text, (der, line) => {
    const facts = certificateFromDer(der);
    if (!facts) throw new Error("not X.509");
    return { facts, line };
  }).certificates;
}

/** A client CA read from `file`, placed there for findings; undefined when it holds no certificate. */
export function clientCaFromFile(file: string, text: string, described: string): ClientCa | undefined {
  const entries = readCaBundleEntries(text);
  if (entries.length === 0) return undefined;
  return { described, roots: entries.map((e) => e.facts), source: { file, lines: entries.map((e) => e.line) } };
}

/** The client CA as a trust bundle; undefined when it was not read from a file (then nothing says where its certificates are). */
export function clientCaBundle(clientCa: ClientCa): TrustBundle | undefined {
  const { source } = clientCa;
  if (!source) return undefined;
  return { file: source.file, described: clientCa.described, entries: clientCa.roots.map((facts, i) => ({ facts, line: source.lines[i] ?? 1 })) };
}

/** The client CA of a kubeadm layout under `dir`, or undefined when `dir` is not one or its ca.crt holds no certificate. */
export function kubeadmClientCa(dir: string, files: ReadonlyArray<{ file: string; text: string }>): ClientCa | undefined {
  const caFile = join(dir, "ca.crt");
  const ca = files.find((f) => f.file === caFile);
  if (!ca || !isKubeadmLayout(dir, files)) return undefined;
  return clientCaFromFile(caFile, ca.text, "ca.crt, the client CA kubeadm gives kube-apiserver (--client-ca-file)");
}

function isKubeadmLayout(dir: string, files: ReadonlyArray<{ file: string }>): boolean {
  const present = new Set(files.map((f) => f.file));
  return present.has(join(dir, "ca.crt")) && KUBEADM_FILES.some((name) => present.has(join(dir, name)));
}

/** The CA files kubeadm's manifests and kubelet configuration name as trust roots (cmd/kubeadm/app/phases/controlplane and etcd, componentconfigs/kubelet.go). */
const KUBEADM_BUNDLES = [
  // Taken first as the client CA (kubeadmClientCa) unless another is named; the kubelet trusts it all the same.
  ["ca.crt", "ca.crt, the kubelet's clientCAFile (kubeadm)"],
  ["etcd/ca.crt", "etcd/ca.crt, etcd's --trusted-ca-file and --peer-trusted-ca-file and kube-apiserver's --etcd-cafile (kubeadm)"],
  ["front-proxy-ca.crt", "front-proxy-ca.crt, kube-apiserver's --requestheader-client-ca-file (kubeadm)"],
] as const;

/** The CA bundles of a kubeadm layout under `dir` that hold a certificate; none outside a kubeadm layout. */
export function kubeadmTrustBundles(dir: string, files: ReadonlyArray<{ file: string; text: string }>): TrustBundle[] {
  if (!isKubeadmLayout(dir, files)) return [];
  return KUBEADM_BUNDLES.flatMap(([name, described]) => {
    const found = files.find((f) => f.file === join(dir, name));
    const entries = found ? readCaBundleEntries(found.text) : [];
    return found && entries.length > 0 ? [{ file: found.file, described, entries }] : [];
  });
}
