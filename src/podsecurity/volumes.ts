import type { FieldPath } from "../k8s/types.js";
import type { PodSpecFields } from "./pod.js";

export interface VisitedVolume {
  volume: Record<string, unknown>;
  name: string;
  path: FieldPath;
}

export function volumesOf(spec: PodSpecFields): VisitedVolume[] {
  const items = spec.volumes;
  if (!Array.isArray(items)) return [];
  const out: VisitedVolume[] = [];
  items.forEach((v: unknown, index) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return;
    const volume = v as Record<string, unknown>;
    // A name YAML read as another scalar (`name: n` is false) is named as read, as container names are; manifest/string-expected reports the type.
    const name = volume.name;
    out.push({ volume, name: typeof name === "string" ? name : typeof name === "boolean" || typeof name === "number" ? String(name) : "", path: ["spec", "volumes", index] });
  });
  return out;
}

/** Volume source fields, in the order PSA's restrictedVolumes check names them. */
export const RESTRICTED_VOLUME_SOURCES = [
  "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
  "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
  "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
] as const;

/**
 * The sources restrictedVolumes allows. `image` (an OCI image as a volume) joined them in
 * kubernetes/kubernetes#130394 (v1.33), inside restrictedVolumes_1_0 itself, so PSA allows
 * it at every version: mounting an image is no more than running it.
 */
export const ALLOWED_VOLUME_SOURCES = [
  "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret", "image",
] as const;

export const ALL_VOLUME_SOURCES: readonly string[] = [...ALLOWED_VOLUME_SOURCES, ...RESTRICTED_VOLUME_SOURCES];
