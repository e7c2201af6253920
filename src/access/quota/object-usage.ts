/**
 * What non-pod objects count against a quota: the generic `count/<resource>.<group>` object
 * counts, the legacy core counts (services, secrets, configmaps, persistentvolumeclaims,
 * replicationcontrollers, resourcequotas), services.loadbalancers/nodeports, and PVC storage
 * requests (also per storage class).
 */
import { parseQuantity, type Quantity } from "../../k8s/quantity.js";
import { apiGroupOf } from "../../k8s/snapshot.js";
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { readResourceList, type QuantityProblem, type ResourceList } from "./resource-list.js";

/** Plural resource names where lower-case + "s" is wrong or the kind is common enough to list. */
const PLURALS: Readonly<Record<string, string>> = {
  Endpoints: "endpoints",
  Ingress: "ingresses",
  IngressClass: "ingressclasses",
  NetworkPolicy: "networkpolicies",
  PodSecurityPolicy: "podsecuritypolicies",
  StorageClass: "storageclasses",
  PriorityClass: "priorityclasses",
  RuntimeClass: "runtimeclasses",
  ResourceClaimTemplate: "resourceclaimtemplates",
  HorizontalPodAutoscaler: "horizontalpodautoscalers",
  PodDisruptionBudget: "poddisruptionbudgets",
};

export function resourceNameOfKind(kind: string): string {
  const listed = PLURALS[kind];
  if (listed) return listed;
  const lower = kind.toLowerCase();
  if (lower.endsWith("y") && !/[aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

const LEGACY_CORE_COUNTS = new Set(["services", "secrets", "configmaps", "persistentvolumeclaims", "replicationcontrollers", "resourcequotas"]);
const ONE = parseQuantity("1");

function setCount(usage: ResourceList, name: string, n: number): void {
  usage.set(name, { nanos: BigInt(n) * 1_000_000_000n, format: "DecimalSI" });
}

/** Usage of one persistent volume claim spec (from a PVC or a StatefulSet volumeClaimTemplate). */
export function claimUsage(spec: unknown, problems: QuantityProblem[], pathPrefix: ReadonlyArray<string | number>): ResourceList {
  const usage: ResourceList = new Map([["persistentvolumeclaims", ONE], ["count/persistentvolumeclaims", ONE]]);
  const s = isRecord(spec) ? spec : {};
  const requests = readResourceList(isRecord(s.resources) ? s.resources.requests : undefined, [...pathPrefix, "resources", "requests"], problems);
  const storage: Quantity | undefined = requests.get("storage");
  const storageClass = typeof s.storageClassName === "string" ? s.storageClassName : undefined;
  if (storageClass) usage.set(`${storageClass}.storageclass.storage.k8s.io/persistentvolumeclaims`, ONE);
  if (storage) {
    usage.set("requests.storage", storage);
    if (storageClass) usage.set(`${storageClass}.storageclass.storage.k8s.io/requests.storage`, storage);
  }
  return usage;
}

/** Object-count and storage usage of a non-pod object (pods are counted by the pod evaluator). */
export function objectUsage(object: K8sObject, problems: QuantityProblem[]): ResourceList {
  const kind = object.kind ?? "";
  const group = apiGroupOf(object.apiVersion);
  const resource = resourceNameOfKind(kind);
  if (kind === "Pod" && group === "") return new Map();
  if (kind === "PersistentVolumeClaim" && group === "") return claimUsage(object.spec, problems, ["spec"]);
  const usage: ResourceList = new Map();
  usage.set(group === "" ? `count/${resource}` : `count/${resource}.${group}`, ONE);
  if (group === "" && LEGACY_CORE_COUNTS.has(resource)) usage.set(resource, ONE);
  if (kind === "Service" && group === "") {
    const spec = isRecord(object.spec) ? object.spec : {};
    const ports = Array.isArray(spec.ports) ? spec.ports.length : 0;
    if (spec.type === "LoadBalancer") {
      usage.set("services.loadbalancers", ONE);
      // With node-port allocation turned off only ports that name a nodePort count.
      const explicit = Array.isArray(spec.ports) ? spec.ports.filter((p: unknown) => isRecord(p) && typeof p.nodePort === "number" && p.nodePort !== 0).length : 0;
      setCount(usage, "services.nodeports", spec.allocateLoadBalancerNodePorts === false ? explicit : ports);
    } else if (spec.type === "NodePort") {
      setCount(usage, "services.nodeports", ports);
    }
  }
  return usage;
}
