import type { Rule } from "../../findings/types.js";

/** Rules about resource fairness between tenants: ResourceQuota and LimitRange. */
const FAMILY = "quota";
const QUOTA_DOCS = "https://kubernetes.io/docs/concepts/policy/resource-quotas/";
const LIMITRANGE_DOCS = "https://kubernetes.io/docs/concepts/policy/limit-range/";

export const NAMESPACE_WITHOUT_QUOTA: Rule = {
  id: "quota/namespace-without-resourcequota",
  title: "Namespace without a ResourceQuota",
  family: FAMILY,
  pillar: "workload",
  severity: "low",
  docs: {
    description:
      "Without a ResourceQuota one tenant's workloads (or a compromised one) can consume the cluster's CPU, memory, storage and object counts and starve every other namespace. Reported for a namespace the input declares (a Namespace object) or runs pods in, not for one it only mentions.",
    remediation: "Add a ResourceQuota to the namespace with hard limits on requests.cpu, requests.memory, limits.memory, pods and object counts.",
    helpUri: QUOTA_DOCS,
  },
};

export const NAMESPACE_WITHOUT_LIMITRANGE: Rule = {
  id: "quota/namespace-without-limitrange",
  title: "Namespace without a LimitRange",
  family: FAMILY,
  pillar: "workload",
  severity: "low",
  docs: {
    description:
      "A LimitRange gives containers that state no requests or limits sane defaults and bounds. Without one, a quota that requires requests rejects such pods, and without a quota they run unbounded.",
    remediation: "Add a LimitRange with Container defaults (default, defaultRequest) and max values.",
    helpUri: LIMITRANGE_DOCS,
  },
};

export const QUOTA_REQUIRES_RESOURCES: Rule = {
  id: "quota/missing-required-resources",
  title: "Workload rejected: a ResourceQuota requires requests or limits it does not set",
  family: FAMILY,
  pillar: "workload",
  severity: "high",
  docs: {
    description:
      "When a ResourceQuota limits cpu or memory requests or limits, every container and init container must state them (after LimitRange defaults); otherwise the quota admission plugin refuses the pod with \"must specify\".",
    remediation: "Set resources.requests and resources.limits on every container, or add a LimitRange whose defaults supply them.",
    helpUri: `${QUOTA_DOCS}#requests-vs-limits`,
  },
};

export const QUOTA_EXCEEDED: Rule = {
  id: "quota/exceeded",
  title: "Workload rejected: it would exceed a ResourceQuota",
  family: FAMILY,
  pillar: "workload",
  severity: "high",
  docs: {
    description:
      "Summing the namespace's manifests in order (pods are workload replicas, each with its containers, sidecars, init containers and overhead as the API server counts them), this object pushes a quota past its hard limit; the API server would reject it (or, for a controller's pods, the remaining replicas).",
    remediation: "Lower the requests, limits or replicas, or raise the quota's hard limit.",
    helpUri: QUOTA_DOCS,
  },
};

export const LIMITRANGE_VIOLATION: Rule = {
  id: "quota/limitrange-violation",
  title: "Workload or claim rejected by a LimitRange",
  family: FAMILY,
  pillar: "workload",
  severity: "high",
  docs: {
    description:
      "The LimitRanger admission plugin refuses pods whose containers (or the pod as a whole) fall outside the namespace's LimitRange min, max or max limit/request ratio, and PersistentVolumeClaims (a StatefulSet's claim templates too) whose storage request falls outside its PersistentVolumeClaim min or max. A default the LimitRange fills in can also make a container's request exceed its limit, which the API server's validation refuses right after the LimitRanger's defaulting. What is refused is never created, so it counts against no quota; and since the StatefulSet controller creates a pod's claims before the pod, a StatefulSet whose claim template is refused gets no pods at all: the finding says so, and its pods count against no quota.",
    remediation: "Bring requests and limits within the LimitRange, or change the LimitRange.",
    helpUri: LIMITRANGE_DOCS,
  },
};

export const POD_OVERHEAD_REFUSED: Rule = {
  id: "quota/pod-overhead-refused",
  title: "Workload rejected: pod overhead its RuntimeClass does not define",
  family: FAMILY,
  pillar: "workload",
  severity: "high",
  docs: {
    description:
      "The RuntimeClass admission plugin sets a pod's spec.overhead from its RuntimeClass (overhead.podFixed), and refuses a pod that sets an overhead of its own: one that differs from its RuntimeClass's, or any overhead when the pod names no RuntimeClass or one that defines none. Such pods are never created, so they count against no quota. A RuntimeClass that is not in the input may exist in the cluster: the pod's overhead is then taken as written.",
    remediation: "Remove spec.overhead from the pod template and let the RuntimeClass set it, or name the RuntimeClass whose overhead it is.",
    helpUri: "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-overhead/",
  },
};

export const RUNTIME_CLASS_NOT_FOUND: Rule = {
  id: "quota/runtime-class-not-found",
  title: "Workload rejected: its RuntimeClass does not exist",
  family: FAMILY,
  pillar: "workload",
  severity: "high",
  docs: {
    description:
      "The RuntimeClass admission plugin refuses a pod whose runtimeClassName names no RuntimeClass (\"pod rejected: RuntimeClass NAME not found\"), so a workload's controller creates none of its pods and they count against no quota. Judged only where the input holds every RuntimeClass of the cluster (`palisade quota --cluster` lists them); from files a class the input lacks may exist in the cluster.",
    remediation: "Create the RuntimeClass (with the handler the nodes' container runtime is configured for), or correct or remove runtimeClassName.",
    helpUri: "https://kubernetes.io/docs/concepts/containers/runtime-class/",
  },
};

export const SECOND_DEFAULT_PRIORITY_CLASS: Rule = {
  id: "quota/second-default-priority-class",
  title: "PriorityClass rejected: another one is the global default already",
  family: FAMILY,
  pillar: "workload",
  severity: "medium",
  docs: {
    description:
      "The Priority admission plugin lets one PriorityClass be the global default: creating a second with globalDefault: true, or marking another one so, is refused (\"PriorityClass NAME is already marked as default. Only one default can exist\"). The class is never created or changed, and pods that name no class keep getting the existing default, which quota's PriorityClass scopes then match. In a live cluster two defaults can still coexist (a race the plugin tolerates); the one with the lowest value is given.",
    remediation: "Keep one PriorityClass with globalDefault: true: set globalDefault: false on this one, or on the existing default first.",
    helpUri: "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/#priorityclass",
  },
};

export const NODE_PORT_REFUSED: Rule = {
  id: "quota/node-port-refused",
  title: "Service rejected: its nodePort is taken or outside the node-port range",
  family: FAMILY,
  pillar: "network",
  severity: "medium",
  docs: {
    description:
      "Node ports are one pool for the whole cluster, every namespace and protocol: a Service that asks for a nodePort or healthCheckNodePort another Service holds is refused (\"provided port is already allocated\"), and so is one outside kube-apiserver's --service-node-port-range (30000-32767 unless the input's kube-apiserver sets another). The Service is never created, so nothing reaches its pods through it. From files, Services are created in input order and the first to ask for a port has it; a Service read from a live cluster holds its ports.",
    remediation: "Pick a free port inside the node-port range, or leave nodePort out and let the API server allocate one.",
    helpUri: "https://kubernetes.io/docs/concepts/services-networking/service/#nodeport-custom-port",
  },
};

export const CONTAINER_WITHOUT_RESOURCES: Rule = {
  id: "quota/container-without-resources",
  title: "Container without cpu/memory requests or memory limit",
  family: FAMILY,
  pillar: "workload",
  severity: "low",
  docs: {
    description:
      "A container with no cpu or memory request is scheduled as if it needed nothing and, without a memory limit, can take a node's memory from its neighbours. Reported after LimitRange defaults are applied.",
    remediation: "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory (or give the namespace LimitRange defaults).",
    helpUri: "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
  },
};

export const INVALID_QUANTITY: Rule = {
  id: "quota/invalid-quantity",
  title: "Resource quantity the API server cannot parse",
  family: FAMILY,
  pillar: "workload",
  severity: "high",
  docs: {
    description:
      "Quantities must match Kubernetes' quantity syntax (e.g. 100m, 1.5, 1e3, 512Mi, 1Gi); the API server cannot decode the object otherwise and refuses it outright, so it counts against no quota and bounds nothing. `palisade quota` reports it as an input problem (exit 2).",
    remediation: "Write the value with a valid suffix: n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or an e<exponent>.",
    helpUri: "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/",
  },
};

export const QUOTA_RULES: readonly Rule[] = [
  NAMESPACE_WITHOUT_QUOTA,
  NAMESPACE_WITHOUT_LIMITRANGE,
  QUOTA_REQUIRES_RESOURCES,
  QUOTA_EXCEEDED,
  LIMITRANGE_VIOLATION,
  POD_OVERHEAD_REFUSED,
  RUNTIME_CLASS_NOT_FOUND,
  SECOND_DEFAULT_PRIORITY_CLASS,
  NODE_PORT_REFUSED,
  CONTAINER_WITHOUT_RESOURCES,
  INVALID_QUANTITY,
];
