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
}

/** Files only kubeadm lays out beside ca.crt (cmd/kubeadm/app/constants): with one of them, ca.crt is kubeadm's cluster CA. */
const KUBEADM_FILES = ["apiserver.crt", "apiserver-kubelet-client.crt", "front-proxy-ca.crt", "front-proxy-client.crt", "etcd/ca.crt", "sa.key"];

/** The certificates of a CA bundle, as a pool reads them; blocks that are not certificates are skipped (pki/unreadable reports damaged files). */
export function readClientCaBundle(text: string): CertificateFacts[] {
  return appendCertsFromPem(text, (der) => {
    const facts = certificateFromDer(der);
    if (!facts) throw new Error("not X.509");
    return facts;
  }).certificates;
}

/** The client CA of a kubeadm layout under `dir`, or undefined when `dir` is not one or its ca.crt holds no certificate. */
export function kubeadmClientCa(dir: string, files: ReadonlyArray<{ file: string; text: string }>): ClientCa | undefined {
  const caFile = join(dir, "ca.crt");
  const ca = files.find((f) => f.file === caFile);
  const present = new Set(files.map((f) => f.file));
  if (!ca || !KUBEADM_FILES.some((name) => present.has(join(dir, name)))) return undefined;
  const roots = readClientCaBundle(ca.text);
  return roots.length > 0 ? { described: "ca.crt, the client CA kubeadm gives kube-apiserver (--client-ca-file)", roots } : undefined;
}
