import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

/** A kube-apiserver command line that every control-plane flag rule passes: tests add or change one flag at a time. */
export const HARDENED_APISERVER_FLAGS: readonly string[] = [
  "--anonymous-auth=false",
  "--authorization-mode=Node,RBAC",
  "--enable-admission-plugins=NodeRestriction,PodSecurity",
  "--encryption-provider-config=/etc/kubernetes/enc.yaml",
  "--audit-policy-file=/etc/kubernetes/audit.yaml",
  "--audit-log-path=/var/log/audit.log",
  "--profiling=false",
  "--etcd-servers=https://127.0.0.1:2379",
  "--etcd-cafile=/pki/etcd/ca.crt",
  "--etcd-certfile=/pki/etcd.crt",
  "--etcd-keyfile=/pki/etcd.key",
  "--kubelet-certificate-authority=/pki/ca.crt",
  "--kubelet-client-certificate=/pki/apiserver-kubelet-client.crt",
  "--kubelet-client-key=/pki/apiserver-kubelet-client.key",
  "--tls-cert-file=/pki/apiserver.crt",
  "--tls-private-key-file=/pki/apiserver.key",
  "--client-ca-file=/pki/ca.crt",
  "--service-account-issuer=https://kubernetes.default.svc",
  "--service-account-key-file=/pki/sa.pub",
  "--service-account-signing-key-file=/pki/sa.key",
  "--service-account-extend-token-expiration=false",
];

/** HARDENED_APISERVER_FLAGS without the flags named, plus `extra`. */
export const hardenedFlags = (without: readonly string[], extra: readonly string[] = []): string[] => [...HARDENED_APISERVER_FLAGS.filter((a) => !without.some((w) => a.startsWith(`--${w}=`))), ...extra];

/** A kube-apiserver static pod running with `args`. */
export const apiserverPod = (args: readonly string[]): string =>
  ["apiVersion: v1", "kind: Pod", "metadata: {name: kube-apiserver, namespace: kube-system}", "spec:", "  containers:", "  - name: kube-apiserver", "    command:", "    - kube-apiserver", ...args.map((a) => `    - ${JSON.stringify(a)}`), ""].join("\n");

/** The control-plane findings of `files` (name → text), as `rule kind field | message`; the encryption-config info left out, as most tests do not give one. */
export function scanControlPlaneFiles(files: Record<string, string>): string[] {
  const objects = Object.entries(files).flatMap(([name, text]) => parseYamlFile(name, text).objects);
  return checkControlPlane({ ...emptySnapshot(), objects })
    .filter((f) => f.ruleId !== "apiserver/encryption-config-unchecked")
    .map((f) => `${f.ruleId} ${f.object?.kind} ${f.fieldPath} | ${f.message}`);
}
