import { visitContainers, type ContainerRef } from "../k8s/containers.js";
import { isRecord } from "../k8s/types.js";

/**
 * The parts of a v1 Pod that PodSecurityPolicy reads and writes, as plain JSON. Pods are
 * mutated in place on deep copies; every accessor tolerates absent fields.
 */

export interface Capabilities {
  add?: string[];
  drop?: string[];
}

export interface SELinuxOptionsJson {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

export interface SeccompProfileJson {
  type?: string;
  localhostProfile?: string;
}

export interface ContainerSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  seLinuxOptions?: SELinuxOptionsJson;
  privileged?: boolean;
  capabilities?: Capabilities;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  procMount?: string;
  seccompProfile?: SeccompProfileJson;
  [field: string]: unknown;
}

export interface PodSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  seLinuxOptions?: SELinuxOptionsJson;
  supplementalGroups?: number[];
  fsGroup?: number;
  sysctls?: { name: string; value?: string }[];
  seccompProfile?: SeccompProfileJson;
  [field: string]: unknown;
}

export interface Container {
  name: string;
  image?: string;
  securityContext?: ContainerSecurityContext;
  ports?: { containerPort?: number; hostPort?: number; [field: string]: unknown }[];
  volumeMounts?: { name: string; readOnly?: boolean; mountPath?: string; [field: string]: unknown }[];
  [field: string]: unknown;
}

export interface Volume {
  name: string;
  [source: string]: unknown;
}

export interface PodSpec {
  securityContext?: PodSecurityContext;
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Volume[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  runtimeClassName?: string;
  serviceAccountName?: string;
  [field: string]: unknown;
}

export interface PodJson {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; [field: string]: unknown };
  spec: PodSpec;
  [field: string]: unknown;
}

export { CONTAINER_LISTS, type ContainerList } from "../k8s/containers.js";

/** Every container with its list and index, in upstream's visiting order (init, regular, ephemeral). */
export function containersOf(spec: PodSpec): ContainerRef<Container>[] {
  return visitContainers<Container>(spec);
}

export function annotationsOf(pod: PodJson): Record<string, string> {
  return pod.metadata?.annotations ?? {};
}

export function setAnnotation(pod: PodJson, key: string, value: string): void {
  pod.metadata ??= {};
  pod.metadata.annotations ??= {};
  pod.metadata.annotations[key] = value;
}

/**
 * Structural equality as apimachinery's semantic DeepEqual sees it: an empty list or map
 * equals an absent one, so defaulting that produces nothing is not a mutation.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmptyCollection(a) && isEmptyCollection(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => semanticEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

function isEmptyCollection(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}
