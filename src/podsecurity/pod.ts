import { visitContainers } from "../k8s/containers.js";
import type { FieldPath } from "../k8s/types.js";

/**
 * The parts of a Pod that Pod Security reads, typed loosely: manifests are untrusted, so
 * every check compares with exact values (`=== true`, `=== 0`) rather than trusting types.
 */
export interface SecurityContextFields {
  privileged?: unknown;
  allowPrivilegeEscalation?: unknown;
  runAsNonRoot?: unknown;
  runAsUser?: unknown;
  procMount?: unknown;
  capabilities?: { add?: unknown; drop?: unknown } | null;
  seccompProfile?: { type?: unknown; localhostProfile?: unknown } | null;
  seLinuxOptions?: { type?: unknown; user?: unknown; role?: unknown; level?: unknown } | null;
  appArmorProfile?: { type?: unknown; localhostProfile?: unknown } | null;
  windowsOptions?: { hostProcess?: unknown } | null;
  sysctls?: unknown;
}

export interface ContainerFields {
  name?: unknown;
  image?: unknown;
  ports?: unknown;
  securityContext?: SecurityContextFields | null;
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
  lifecycle?: { postStart?: unknown; preStop?: unknown } | null;
  [field: string]: unknown;
}

export interface PodSpecFields {
  containers?: unknown;
  initContainers?: unknown;
  ephemeralContainers?: unknown;
  volumes?: unknown;
  hostNetwork?: unknown;
  hostPID?: unknown;
  hostIPC?: unknown;
  hostUsers?: unknown;
  os?: { name?: unknown } | null;
  securityContext?: SecurityContextFields | null;
  [field: string]: unknown;
}

export interface PodMetadataFields {
  name?: unknown;
  annotations?: unknown;
  [field: string]: unknown;
}

/** A pod as judged: metadata and spec, as in a Pod or a workload's pod template. */
export interface PodView {
  metadata: PodMetadataFields;
  spec: PodSpecFields;
}

export interface VisitedContainer {
  container: ContainerFields;
  name: string;
  /** Path from the pod (template) root, e.g. ["spec", "initContainers", 0]. */
  path: FieldPath;
}

// The last spec's list: the checks of one evaluation run one after the other on the same
// spec. (A WeakMap keyed by every judged spec made each young-generation GC walk a table
// of short-lived keys: 15-28 ms pauses in the webhook instead of 0.3-4 ms.)
let lastSpec: PodSpecFields | undefined;
let lastList: VisitedContainer[] = [];

/**
 * Every container of the pod, in PSA's order (src/k8s/containers.ts). Computed once per
 * pod spec: every check of an evaluation walks the same list.
 */
export function containersOf(spec: PodSpecFields): VisitedContainer[] {
  if (spec !== lastSpec) {
    lastList = visitContainers<ContainerFields>(spec);
    lastSpec = spec;
  }
  return lastList;
}

const NO_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({});

export function annotationsOf(metadata: PodMetadataFields): Readonly<Record<string, string>> {
  const a = metadata.annotations;
  if (typeof a !== "object" || a === null || Array.isArray(a)) return NO_ANNOTATIONS;
  return a as Record<string, string>;
}

/**
 * An annotation's value as the API server holds it: a string, and a YAML `key:` with no
 * value (null) the empty string (Go decodes a JSON null map value to ""), not "null".
 */
export function annotationText(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

export function isWindowsPod(spec: PodSpecFields): boolean {
  return spec.os?.name === "windows";
}

/** KEP-127: pods in a user namespace (hostUsers: false) get relaxed rules from v1.35. */
export function inUserNamespace(spec: PodSpecFields): boolean {
  return spec.hostUsers === false;
}
