/**
 * The namespace Palisade is installed into must be its own. install applies a Namespace
 * object with restricted Pod Security labels, a LimitRange and ResourceQuotas sized for the
 * webhook pods (namespace-limits.ts): in a namespace Kubernetes itself creates, those would
 * apply to everything already there (kube-system's privileged kube-proxy, CNI and mirror
 * pods refused by restricted enforcement; its pods capped at the webhook's count). The
 * webhooks also skip their own namespace, which in kube-system would be the control plane
 * the main webhook already skips, and in default every workload put there.
 */
import { UserError } from "../errors.js";

/** The namespaces kube-apiserver creates (pkg/controlplane/controller/systemnamespaces, and default). */
const SYSTEM_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

export function checkInstallNamespace(namespace: string): void {
  if (!SYSTEM_NAMESPACES.has(namespace)) return;
  throw new UserError(
    `--namespace ${namespace}: install into a namespace of Palisade's own, not one Kubernetes creates: install labels it for restricted Pod Security and gives it a LimitRange and ResourceQuotas sized for the webhook, which would apply to every pod already in ${namespace}`,
    { hint: "leave out --namespace (palisade-system), or give a new namespace name" },
  );
}
