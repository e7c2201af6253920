import type { Rule } from "../../findings/types.js";

/**
 * Rule records of the tenancy scan family. The five `placement` rules are the admission
 * webhook's tenancy policy's own rules (src/tenancy/tenants.ts names them), so their ids
 * are `tenancy/<rule>` and one PolicyExceptionList entry covers a workload in CI and at
 * admission alike; they are judged only with a tenancy model (--admission-config). The
 * others need no model: they say what a workload's placement lets its pods reach.
 */

const family = "tenancy";
const pillar = "workload" as const;
const TAINTS_DOC = "https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/";
const ASSIGN_DOC = "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/";
const ADMISSION_NOTE = "Judged only when the scan is given the admission webhook's configuration (--admission-config) with a tenancy policy; the severity follows the policy's mode (enforce: high, the webhook refuses it; warn: medium; audit and dry-run: low). kube-system is not judged: the webhook palisade install deploys never receives its objects.";

export const TENANCY_RULES = {
  foreignToleration: {
    id: "tenancy/foreign-toleration", family, pillar, severity: "high", title: "Toleration opens another tenant's nodes",
    docs: {
      description: `A toleration of the pod template tolerates the taint that keeps another tenant's dedicated nodes to that tenant (matched as the scheduler matches it, so an empty key with operator Exists tolerates every tenant's taint). The admission webhook's tenancy policy refuses such a workload: its pods could be scheduled beside another tenant's pods and read what a node exposes to them. ${ADMISSION_NOTE}`,
      remediation: "Remove the toleration, or narrow it to the namespace's own tenant taint (key, operator Equal, its value and effect); a namespace of a tenant gets that toleration from the webhook's mutation.",
      helpUri: TAINTS_DOC,
    },
  },
  foreignNodeSelection: {
    id: "tenancy/foreign-node-selection", family, pillar, severity: "high", title: "Node selector or affinity selects another tenant's nodes",
    docs: {
      description: `The template's nodeSelector, or a node-affinity term (required or preferred), asks for another tenant's node label (a node-restriction.kubernetes.io/ label no kubelet can set on itself). The admission webhook's tenancy policy refuses it. ${ADMISSION_NOTE}`,
      remediation: "Select the namespace's own tenant label, or no tenant label at all; the webhook adds the tenant's selector to pods of tenant namespaces.",
      helpUri: ASSIGN_DOC,
    },
  },
  foreignNodeName: {
    id: "tenancy/foreign-node-name", family, pillar, severity: "high", title: "Pod is bound to a node of another tenant",
    docs: {
      description: `spec.nodeName, or a node-affinity term's matchFields on metadata.name, names a node that carries another tenant's node label, as known from the Nodes in the scanned input. The admission webhook's tenancy policy refuses it. ${ADMISSION_NOTE}`,
      remediation: "Do not name nodes: select the namespace's own tenant label and let the scheduler choose among its nodes.",
      helpUri: ASSIGN_DOC,
    },
  },
  missingTenantPlacement: {
    id: "tenancy/missing-tenant-placement", family, pillar, severity: "high", title: "Pod of a tenant namespace is not placed on its tenant's nodes",
    docs: {
      description: `The namespace belongs to a tenant, and the template neither tolerates the tenant's taint nor selects its node label. In enforce mode the webhook adds both (a scan with --admission-config applies that mutation first, so this is reported only when the policy does not enforce). ${ADMISSION_NOTE}`,
      remediation: "Add the tenant's toleration (key, operator Equal, value, effect of its taint) and its node label to nodeSelector.",
      helpUri: TAINTS_DOC,
    },
  },
  unknownTenant: {
    id: "tenancy/unknown-tenant", family, pillar, severity: "high", title: "Namespace names a tenant the tenancy policy does not know",
    docs: {
      description: `The namespace's tenant label names a tenant that the webhook's tenancy policy does not configure, so the webhook cannot place the workload and refuses it. ${ADMISSION_NOTE}`,
      remediation: "Fix the namespace's tenant label, or add the tenant (its taint and node label) to the webhook's configuration.",
      helpUri: TAINTS_DOC,
    },
  },
  toleratesAllTaints: {
    id: "tenancy/tolerates-all-taints", family, pillar, severity: "low", title: "Workload tolerates every taint",
    docs: {
      description: "A toleration with an empty key and operator Exists tolerates every taint of its effect (every taint at all when the effect is empty). Its pods may be scheduled onto every node the taints were meant to keep them off: control-plane nodes beside the API server and etcd, cordoned nodes (node.kubernetes.io/unschedulable), nodes dedicated to other teams or tenants, nodes under memory or disk pressure; and, with an empty or NoExecute effect and no tolerationSeconds, they are never evicted from a node that is not ready or unreachable. Node agents (DaemonSets) do this by design and are not reported here, nor is kube-system, where the cluster's own components (kube-proxy, CNI agents and operators) live.",
      remediation: "Tolerate only the taints the workload needs, by key (and value and effect), e.g. `{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}`; leave tolerations for not-ready and unreachable nodes to the API server's DefaultTolerationSeconds.",
      helpUri: TAINTS_DOC,
    },
  },
  toleratesControlPlane: {
    id: "tenancy/tolerates-control-plane-taint", family, pillar, severity: "low", title: "Workload outside kube-system tolerates the control-plane taint",
    docs: {
      description: "A toleration tolerates the taint kubeadm puts on control-plane nodes (node-role.kubernetes.io/control-plane:NoSchedule, and node-role.kubernetes.io/master:NoSchedule before v1.25), so the scheduler may place the workload's pods beside the API server, the controller manager and etcd, whose host holds the cluster's keys. Outside kube-system an application seldom needs that. DaemonSets are reported apart (tenancy/daemonset-on-control-plane).",
      remediation: "Remove the toleration; if the workload must run on control-plane nodes, move it to a namespace only cluster administrators can write, and select those nodes explicitly.",
      helpUri: "https://kubernetes.io/docs/reference/labels-annotations-taints/#node-role-kubernetes-io-control-plane-taint",
    },
  },
  daemonSetOnControlPlane: {
    id: "tenancy/daemonset-on-control-plane", family, pillar, severity: "info", title: "DaemonSet outside kube-system runs on control-plane nodes",
    docs: {
      description: "A DaemonSet outside kube-system tolerates the control-plane taint (explicitly, or with a toleration of every taint), so one of its pods runs on every control-plane node, and, with a toleration of every taint, on every node dedicated to a team or tenant too. That is how node agents (log shippers, monitoring exporters, CNI and storage agents) are meant to work, so it is only information: a fact to know about each agent that shares a host with etcd.",
      remediation: "Keep it for agents that must run on every node; for others, remove the toleration or restrict the DaemonSet with a nodeSelector.",
      helpUri: "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/#taints-and-tolerations",
    },
  },
  nodeName: {
    id: "tenancy/node-name", family, pillar, severity: "low", title: "Pod template binds its pods to a node by name",
    docs: {
      description: "spec.nodeName set by the manifest binds the pods to that node without the scheduler, so no NoSchedule taint applies to them (the control-plane taint, a cordon's node.kubernetes.io/unschedulable, a tenant's dedicated nodes), nor preferred node affinity, inter-pod (anti-)affinity or topology spread. The kubelet's own admission still checks the nodeSelector, required node affinity, NoExecute taints, host ports and resources (pkg/kubelet/lifecycle/predicate.go). Pods read from a cluster, whose nodeName the scheduler set, are not reported, nor is kube-system.",
      remediation: "Remove spec.nodeName and select the node instead (nodeSelector `kubernetes.io/hostname: NAME`, or required node affinity), so its taints are honoured.",
      helpUri: `${ASSIGN_DOC}#nodename`,
    },
  },
} as const satisfies Record<string, Rule>;

export const TENANCY_RULE_LIST: readonly Rule[] = Object.values(TENANCY_RULES);
