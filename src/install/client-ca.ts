/**
 * `palisade install --client-ca cert-manager`: cert-manager creates a CA of its own for
 * kube-apiserver's client certificate, and the certificate itself; the webhook pods mount the
 * CA's ca.crt (and nothing else of its Secret: never the CA key) as server.clientCAFile, so
 * /validate, /mutate, /authenticate and /authorize answer kube-apiserver only
 * (src/adapters/webhook/client-certificate.ts).
 *
 * The chain: a self-signed Issuer signs the CA Certificate (isCA); a CA Issuer backed by its
 * Secret signs the client Certificate. The client certificate lives on the control-plane hosts
 * as files copied by hand, so durations are chosen for that:
 * - the CA lasts 10 years and keeps its key when cert-manager renews it (rotationPolicy
 *   Never), so a renewed CA still verifies the client certificate already on the hosts;
 * - the client certificate lasts a year and is renewed 30 days before it expires, which is
 *   the window the operator has to copy it again (the notes say so).
 *
 * Whoever may create Certificates in the namespace can have this Issuer sign one: that is the
 * same trust as reading its Secrets, which already holds kube-apiserver's client key.
 * Nothing here holds or prints key material: cert-manager makes the keys in the cluster, and
 * the notes name the Secret and the command that reads it.
 */
import type { K8sObject } from "../k8s/types.js";
import { APISERVER_FILES, apiserverFlags, type AccessWebhooks } from "./apiserver.js";

export type ClientCaSource = "cert-manager";
export const CLIENT_CA_SOURCES: readonly ClientCaSource[] = ["cert-manager"];

export const CLIENT_CA = {
  selfSignedIssuer: "palisade-apiserver-client-ca-selfsigned",
  /** The CA Certificate, its Secret and the CA Issuer backed by it share this name. */
  ca: "palisade-apiserver-client-ca",
  /** kube-apiserver's client Certificate and its Secret. */
  client: "palisade-apiserver-client",
  commonName: "kube-apiserver-palisade-client",
  /** Where the pods mount the CA's ca.crt; server.clientCAFile names it relative to config.yaml (server-config.ts). */
  mountPath: "/etc/palisade/client-ca",
  /** The one key of the CA's Secret the pods see. */
  key: "ca.crt",
} as const;

/**
 * Label of the objects kube-apiserver's new configuration needs before the webhook may
 * require its certificate: the namespace, the certificates, and the files to copy.
 * `kubectl apply -l` applies them alone first (see clientCaNotes).
 */
export const APPLY_FIRST_LABEL = "palisade.dev/apply-first";

/** Validity and renewal window of kube-apiserver's client certificate, in days (the notes say them too). */
const CLIENT_DAYS = { valid: 365, renewBefore: 30 } as const;
const hours = (days: number) => `${days * 24}h`;

type Meta = (name: string) => Record<string, unknown>;

/** The Issuers and Certificates, in the order cert-manager needs them. */
export function clientCaObjects(meta: Meta): K8sObject[] {
  const issuer = (name: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: meta(name), spec });
  const certificate = (name: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: meta(name), spec: { secretName: name, ...spec } });
  return [
    issuer(CLIENT_CA.selfSignedIssuer, { selfSigned: {} }),
    certificate(CLIENT_CA.ca, {
      isCA: true,
      commonName: CLIENT_CA.ca,
      duration: hours(10 * 365),
      renewBefore: hours(30),
      usages: ["cert sign", "crl sign", "digital signature"],
      // Never: a renewed CA with a new key would stop verifying the client certificate copied to the hosts.
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" },
      issuerRef: { name: CLIENT_CA.selfSignedIssuer, kind: "Issuer" },
    }),
    issuer(CLIENT_CA.ca, { ca: { secretName: CLIENT_CA.ca } }),
    certificate(CLIENT_CA.client, {
      commonName: CLIENT_CA.commonName,
      duration: hours(CLIENT_DAYS.valid),
      renewBefore: hours(CLIENT_DAYS.renewBefore),
      usages: ["client auth", "digital signature", "key encipherment"],
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      issuerRef: { name: CLIENT_CA.ca, kind: "Issuer" },
    }),
  ];
}

/** The pod's volume and mount: ca.crt only, so the CA's private key never reaches the webhook. */
export function clientCaVolume(): { volume: Record<string, unknown>; mount: Record<string, unknown> } {
  return {
    volume: { name: "client-ca", secret: { secretName: CLIENT_CA.ca, items: [{ key: CLIENT_CA.key, path: CLIENT_CA.key }] } },
    mount: { name: "client-ca", mountPath: CLIENT_CA.mountPath, readOnly: true },
  };
}

export interface ClientCaNotesOptions {
  namespace: string;
  /** ConfigMap holding the kube-apiserver files. */
  filesConfigMap: string;
  /** Directory on the control-plane hosts the files name. */
  certDir: string;
  /** The serving Certificate and its Secret when cert-manager issues them; absent with --ca-bundle. */
  serving?: { certificate: string; secret: string };
  /** --admission-config: the AdmissionConfiguration Palisade's plugins were merged into. */
  mergedAdmissionConfiguration?: string;
  /** The access webhooks kube-apiserver is wired to: only their files are copied and their flags added. */
  access: AccessWebhooks;
}

/**
 * What the operator must do, in order. The webhook configurations use failurePolicy Fail, so
 * a webhook that requires a certificate kube-apiserver does not yet present would refuse pod
 * and workload writes cluster-wide: kube-apiserver is configured between the two applies.
 */
export function clientCaNotes(options: ClientCaNotesOptions): string[] {
  const ns = options.namespace;
  const file = "palisade.yaml";
  const dir = options.certDir;
  const fromConfigMap = (key: string) => `kubectl -n ${ns} get configmap ${options.filesConfigMap} -o jsonpath='{.data.${key.replace(/\./g, "\\.")}}' > ${dir}/${key}`;
  const fromSecret = (secret: string, key: string, to: string) => `kubectl -n ${ns} get secret ${secret} -o jsonpath='{.data.${key.replace(/\./g, "\\.")}}' | base64 -d > ${dir}/${to}`;
  const certificates = [CLIENT_CA.client, ...(options.serving ? [options.serving.certificate] : [])].map((c) => `certificate/${c}`).join(" ");
  return [
    `--client-ca cert-manager: the webhook answers /validate, /mutate, /authenticate and /authorize only to callers presenting a certificate signed by the CA cert-manager creates (Secret ${CLIENT_CA.ca}; the pods mount its ca.crt alone as server.clientCAFile); ` +
      `kube-apiserver's is Secret ${CLIENT_CA.client} (CN ${CLIENT_CA.commonName}). /healthz, /readyz and /metrics stay open for the probes`,
    `until kube-apiserver presents that certificate the webhook refuses it, and admission (failurePolicy Fail) refuses pod and workload writes: so save this output as ${file} and apply it in two steps, configuring kube-apiserver in between:`,
    `1. kubectl apply -f ${file} -l ${APPLY_FIRST_LABEL}=true   (the namespace, the certificates and the kube-apiserver files only; nothing is judged yet)`,
    `2. kubectl -n ${ns} wait --for=condition=Ready ${certificates} --timeout=5m`,
    `3. write the files to ${dir}/ on every control-plane node (the key only readable by root; kubectl needs read access to Secrets in ${ns}):`,
    `   mkdir -p ${dir}`,
    ...[
      ...(options.access.tokenAuthentication ? [APISERVER_FILES.authn] : []),
      ...(options.access.authorization ? [APISERVER_FILES.authz] : []),
      APISERVER_FILES.admissionConfiguration,
      APISERVER_FILES.admissionKubeconfig,
    ].map((key) => `   ${fromConfigMap(key)}`),
    options.serving ? `   ${fromSecret(options.serving.secret, "ca.crt", "ca.crt")}` : `   cp <the --ca-bundle file> ${dir}/ca.crt`,
    `   ${fromSecret(CLIENT_CA.client, "tls.crt", APISERVER_FILES.clientCertificate)}`,
    `   (umask 077; ${fromSecret(CLIENT_CA.client, "tls.key", APISERVER_FILES.clientKey)})`,
    `4. add these flags to kube-apiserver and make ${dir} visible to it (kubeadm: a read-only hostPath volume in /etc/kubernetes/manifests/kube-apiserver.yaml), then let it restart:`,
    ...apiserverFlags({ certDir: dir, clientCertificates: true, access: options.access }).map((flag) => `   ${flag}`),
    options.mergedAdmissionConfiguration
      ? `   ${APISERVER_FILES.admissionConfiguration} is ${options.mergedAdmissionConfiguration} with Palisade's webhook plugins added: the flag above replaces kube-apiserver's current --admission-control-config-file`
      : `   kube-apiserver takes one --admission-control-config-file: if it already has one, run install again with --admission-config <that file>, so that ${APISERVER_FILES.admissionConfiguration} keeps its other plugins`,
    `5. kubectl apply -f ${file}`,
    `cert-manager renews ${CLIENT_CA.client} ${CLIENT_DAYS.renewBefore} days before its ${CLIENT_DAYS.valid}-day validity ends: copy tls.crt and tls.key again within those ${CLIENT_DAYS.renewBefore} days (step 3) and restart kube-apiserver`,
  ];
}
