/**
 * Names PodSecurityPolicy shares with the rest of the API: volume types as PSP spells
 * them, annotation keys for seccomp and AppArmor, and the wildcards.
 */

/** FSType names PSP accepts in `spec.volumes`, in upstream's order (util.GetAllFSTypesAsSet). */
export const PSP_VOLUME_TYPES = [
  "azureFile", "flocker", "flexVolume", "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore",
  "gitRepo", "secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "cinder", "cephFS",
  "downwardAPI", "fc", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
  "storageos", "projected", "portworxVolume", "scaleIO", "csi", "ephemeral",
] as const;

/** `volumes: ["*"]` allows every volume type. */
export const ALL_VOLUMES = "*";

/**
 * Pod volume source field -> PSP FSType (util.GetVolumeFSType). Only cephfs is spelled
 * differently in the pod spec than in the policy.
 */
export const VOLUME_SOURCE_TO_FSTYPE: Readonly<Record<string, string>> = {
  hostPath: "hostPath", emptyDir: "emptyDir", gcePersistentDisk: "gcePersistentDisk",
  awsElasticBlockStore: "awsElasticBlockStore", gitRepo: "gitRepo", secret: "secret", nfs: "nfs",
  iscsi: "iscsi", glusterfs: "glusterfs", persistentVolumeClaim: "persistentVolumeClaim", rbd: "rbd",
  flexVolume: "flexVolume", cinder: "cinder", cephfs: "cephFS", flocker: "flocker", downwardAPI: "downwardAPI",
  fc: "fc", azureFile: "azureFile", configMap: "configMap", vsphereVolume: "vsphereVolume", quobyte: "quobyte",
  azureDisk: "azureDisk", photonPersistentDisk: "photonPersistentDisk", projected: "projected",
  portworxVolume: "portworxVolume", scaleIO: "scaleIO", storageos: "storageos", csi: "csi", ephemeral: "ephemeral",
};

/** `allowedCapabilities: ["*"]` allows adding any capability. */
export const ALLOW_ALL_CAPABILITIES = "*";

/** `allowedRuntimeClassNames: ["*"]` allows any RuntimeClass. */
export const ALLOW_ALL_RUNTIME_CLASSES = "*";

export const PROC_MOUNT_TYPES = ["Default", "Unmasked"] as const;

export const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
export const SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";
export const SECCOMP_DEFAULT_PROFILE_ANNOTATION = "seccomp.security.alpha.kubernetes.io/defaultProfileName";
export const SECCOMP_ALLOWED_PROFILES_ANNOTATION = "seccomp.security.alpha.kubernetes.io/allowedProfileNames";
export const SECCOMP_ALLOW_ANY = "*";

export const APPARMOR_CONTAINER_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
export const APPARMOR_DEFAULT_PROFILE_ANNOTATION = "apparmor.security.beta.kubernetes.io/defaultProfileName";
export const APPARMOR_ALLOWED_PROFILES_ANNOTATION = "apparmor.security.beta.kubernetes.io/allowedProfileNames";

/** The annotation the admission controller set on an admitted pod: which policy admitted it. */
export const VALIDATED_PSP_ANNOTATION = "kubernetes.io/psp";

/**
 * Sysctls PSP allowed without listing them (the kubelet's safe set at PSP's last release,
 * v1.24; `net.ipv4.ip_unprivileged_port_start` joined it in v1.22).
 */
export const PSP_SAFE_SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
] as const;
