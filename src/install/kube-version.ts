/**
 * `palisade install --kube-version`: the Kubernetes minor version the manifests are for, and
 * what the emitted fields need of it. Versions are compared as upstream's feature gates name
 * them (k8s.io/kubernetes pkg/features and k8s.io/apiserver pkg/features):
 * - AdmissionWebhookMatchConditions: alpha 1.27 (off), beta 1.28 (on by default), GA 1.30.
 * - PodLifecycleSleepAction (lifecycle.preStop.sleep): alpha 1.29 (off), beta 1.30 (on by
 *   default), GA 1.34. With the gate off kube-apiserver drops the field silently, so the pod
 *   would stop without any delay.
 */
import { UserError } from "../errors.js";

export interface KubeVersion {
  major: 1;
  minor: number;
}

/** matchConditions of the node webhook: on by default from here. */
export const MATCH_CONDITIONS_SINCE: KubeVersion = { major: 1, minor: 28 };
/** lifecycle.preStop.sleep: on by default from here. */
export const PRESTOP_SLEEP_SINCE: KubeVersion = { major: 1, minor: 30 };

export const atLeast = (version: KubeVersion, since: KubeVersion): boolean => version.minor >= since.minor;
export const formatKubeVersion = (version: KubeVersion): string => `v${version.major}.${version.minor}`;

const HINT = "give the cluster's version as kubectl version prints it for the server, e.g. v1.30 or v1.30.4 (a patch and a provider suffix such as -gke.100 are ignored)";

/** `v1.30`, `1.30`, `v1.30.4`, `v1.30.4-eks-a737599`: the major and minor; anything else is refused. */
export function kubeVersionFlag(text: string): KubeVersion {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?\s*$/.exec(text);
  if (!m) throw new UserError(`--kube-version ${text}: expected a Kubernetes version such as v1.30`, { hint: HINT });
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== 1 || !Number.isSafeInteger(minor)) throw new UserError(`--kube-version ${text}: Kubernetes versions are 1.N`, { hint: HINT });
  return { major: 1, minor };
}

/**
 * Below 1.28 install refuses rather than emit the node webhook without matchConditions.
 * Without them the webhook (failurePolicy Fail) would be called for every Node write, not
 * only the kubelets': cordoning, tainting and labelling nodes by controllers and operators
 * would then fail whenever Palisade is unreachable, which is a wider failure domain than the
 * operator agreed to. And a 1.27 kube-apiserver has the field behind an alpha gate, so it
 * would silently drop it rather than refuse it.
 */
export function checkSupportedKubeVersion(version: KubeVersion): void {
  if (atLeast(version, MATCH_CONDITIONS_SINCE)) return;
  throw new UserError(
    `--kube-version ${formatKubeVersion(version)}: palisade install needs Kubernetes ${formatKubeVersion(MATCH_CONDITIONS_SINCE)} or later: ` +
      "the node webhook uses matchConditions so that only kubelets' Node writes wait on it, and older API servers drop that field, sending every Node write (cordon, taints, labels) to a webhook that fails closed",
    { hint: `upgrade the control plane to ${formatKubeVersion(MATCH_CONDITIONS_SINCE)} or later (older versions are out of upstream support), then run install with --kube-version set to it` },
  );
}
