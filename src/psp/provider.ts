import { ALL_VOLUMES, ALLOW_ALL_RUNTIME_CLASSES, SECCOMP_POD_ANNOTATION, VOLUME_SOURCE_TO_FSTYPE } from "./constants.js";
import { FieldPath, invalid, type FieldError } from "./field-errors.js";
import { containersOf, semanticEqual, setAnnotation, type Container, type ContainerSecurityContext, type PodJson, type PodSecurityContext, type Volume } from "./pod.js";
import type { PodSecurityPolicy } from "./policy.js";
import { createAppArmorStrategy, type AppArmorStrategy } from "./strategies/apparmor.js";
import { createCapabilitiesStrategy, type CapabilitiesStrategy } from "./strategies/capabilities.js";
import { createGroupStrategy, type GroupStrategy } from "./strategies/group.js";
import { createSeccompStrategy, type SeccompStrategy } from "./strategies/seccomp.js";
import { createSELinuxStrategy, type SELinuxStrategy } from "./strategies/selinux.js";
import { validateSysctls } from "./strategies/sysctls.js";
import { createRunAsUserStrategy, type RunAsUserStrategy } from "./strategies/user.js";

/**
 * One policy's defaulting and validation of a pod, as the PSP admission controller's
 * provider did it (pkg/security/podsecuritypolicy/provider.go): MutatePod fills in what
 * the policy's strategies generate where the pod leaves it unset, then ValidatePod checks
 * the defaulted pod field by field.
 *
 * Messages are upstream's. Field paths are the v1 manifest's (`spec.hostNetwork`,
 * `metadata.annotations[...]`), not the internal API's (`spec.securityContext.hostNetwork`,
 * `pod.metadata...`), so that every error points at a line of the user's file.
 */
export interface Provider {
  policy: PodSecurityPolicy;
  /** Default the pod in place. */
  mutatePod(pod: PodJson): void;
  validatePod(pod: PodJson): FieldError[];
}

interface Strategies {
  runAsUser: RunAsUserStrategy;
  runAsGroup: GroupStrategy;
  seLinux: SELinuxStrategy;
  fsGroup: GroupStrategy;
  supplementalGroups: GroupStrategy;
  capabilities: CapabilitiesStrategy;
  appArmor: AppArmorStrategy;
  seccomp: SeccompStrategy;
}

/** A provider, or why the policy cannot make one (upstream logged these and skipped the policy). */
export function createProvider(policy: PodSecurityPolicy): Provider | { error: string } {
  const spec = policy.spec;
  const runAsUser = createRunAsUserStrategy(spec.runAsUser);
  const runAsGroup = createGroupStrategy(spec.runAsGroup ?? { rule: "RunAsAny", ranges: [] }, "RunAsGroup");
  const seLinux = createSELinuxStrategy(spec.seLinux);
  const fsGroup = createGroupStrategy(spec.fsGroup, "FSGroup");
  const supplementalGroups = createGroupStrategy(spec.supplementalGroups, "SupplementalGroups");
  const problems = [runAsUser, runAsGroup, seLinux, fsGroup, supplementalGroups].filter((s): s is string => typeof s === "string");
  if (problems.length > 0) return { error: `error creating provider for PSP ${policy.name}: ${problems.join("; ")}` };
  const strategies: Strategies = {
    runAsUser: runAsUser as RunAsUserStrategy,
    runAsGroup: runAsGroup as GroupStrategy,
    seLinux: seLinux as SELinuxStrategy,
    fsGroup: fsGroup as GroupStrategy,
    supplementalGroups: supplementalGroups as GroupStrategy,
    capabilities: createCapabilitiesStrategy(spec),
    appArmor: createAppArmorStrategy(policy.annotations),
    seccomp: createSeccompStrategy(policy.annotations),
  };
  return {
    policy,
    mutatePod: (pod) => mutatePod(policy, strategies, pod),
    validatePod: (pod) => validatePod(policy, strategies, pod),
  };
}

/**
 * A list item as Go decodes it: JSON `null` in a list of structs is the struct's zero value.
 * Manifests are not trusted to hold objects where the schema says so (`volumes: [null]`),
 * and such a pod still reaches admission, so it is judged, never a crash.
 */
function orZero<T extends object>(item: T | null | undefined, zero: T): T {
  return typeof item === "object" && item !== null && !Array.isArray(item) ? item : zero;
}

/** Unset as Go sees the decoded pod: absent or null. An empty list is set (a non-nil empty slice). */
function isUnset(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

function mutatePod(policy: PodSecurityPolicy, s: Strategies, pod: PodJson): void {
  const sc: PodSecurityContext = { ...(pod.spec.securityContext ?? {}) };
  // Upstream generates only for a nil list: `supplementalGroups: []` in a Pod is kept, and
  // MustRunAs then refuses it (validation finds no group to check against the ranges).
  if (isUnset(sc.supplementalGroups)) {
    const groups = s.supplementalGroups.generate();
    if (groups && groups.length > 0) sc.supplementalGroups = groups;
  }
  if (isUnset(sc.fsGroup)) {
    const g = s.fsGroup.generateSingle();
    if (g !== undefined) sc.fsGroup = g;
  }
  if (isUnset(sc.seLinuxOptions)) {
    const o = s.seLinux.generate();
    if (o) sc.seLinuxOptions = o;
  }
  // Seccomp is defaulted at pod level only; containers inherit it.
  const seccomp = s.seccomp.generate(pod);
  if (seccomp !== "") setAnnotation(pod, SECCOMP_POD_ANNOTATION, seccomp);
  // Like the securitycontext mutator, do not materialise an empty pod securityContext.
  if (pod.spec.securityContext !== undefined || Object.keys(sc).length > 0) pod.spec.securityContext = sc;

  const rc = policy.spec.runtimeClass;
  // `runtimeClassName: null` (a Helm value left empty) is a nil pointer to Go: unset, so defaulted.
  if (rc && isUnset(pod.spec.runtimeClassName) && rc.defaultRuntimeClassName !== undefined) {
    pod.spec.runtimeClassName = rc.defaultRuntimeClassName;
  }
  for (const { container } of containersOf(pod.spec)) mutateContainer(policy, s, pod, container);
}

/** Pod-level fields a container inherits when it does not set its own. */
type Inherited = "runAsUser" | "runAsGroup" | "runAsNonRoot" | "seLinuxOptions";

/** The container's value, else the pod's; null at either level is unset (a nil pointer), so undefined. */
function effective<K extends Inherited>(pod: PodJson, sc: ContainerSecurityContext, key: K): ContainerSecurityContext[K] {
  return (sc[key] ?? pod.spec.securityContext?.[key] ?? undefined) as ContainerSecurityContext[K];
}

function mutateContainer(policy: PodSecurityPolicy, s: Strategies, pod: PodJson, container: Container): void {
  const sc: ContainerSecurityContext = { ...(container.securityContext ?? {}) };
  // Set on the container only what differs from what it already inherits (the effective mutator).
  const setInherited = <K extends Inherited>(key: K, value: ContainerSecurityContext[K]): void => {
    if (!semanticEqual(effective(pod, sc, key), value)) sc[key] = value;
  };
  if (effective(pod, sc, "runAsUser") === undefined) {
    const uid = s.runAsUser.generate();
    if (uid !== undefined) setInherited("runAsUser", uid);
  }
  if (effective(pod, sc, "runAsGroup") === undefined) {
    const gid = s.runAsGroup.generateSingle();
    if (gid !== undefined) setInherited("runAsGroup", gid);
  }
  if (effective(pod, sc, "seLinuxOptions") === undefined) {
    const o = s.seLinux.generate();
    if (o) setInherited("seLinuxOptions", o);
  }
  const apparmor = s.appArmor.generate(pod.metadata?.annotations ?? {}, container.name);
  if (apparmor) setAnnotation(pod, apparmor.key, apparmor.value);

  if (
    effective(pod, sc, "runAsNonRoot") === undefined &&
    effective(pod, sc, "runAsUser") === undefined &&
    policy.spec.runAsUser.rule === "MustRunAsNonRoot"
  ) {
    setInherited("runAsNonRoot", true);
  }
  const caps = s.capabilities.generate(sc.capabilities);
  if (caps !== undefined) sc.capabilities = caps;
  if (policy.spec.readOnlyRootFilesystem && isUnset(sc.readOnlyRootFilesystem)) sc.readOnlyRootFilesystem = true;
  if (policy.spec.defaultAllowPrivilegeEscalation !== undefined && isUnset(sc.allowPrivilegeEscalation)) {
    sc.allowPrivilegeEscalation = policy.spec.defaultAllowPrivilegeEscalation;
  }
  if (!policy.spec.allowPrivilegeEscalation && isUnset(sc.allowPrivilegeEscalation)) sc.allowPrivilegeEscalation = false;

  if (container.securityContext !== undefined || Object.keys(sc).length > 0) container.securityContext = sc;
}

function validatePod(policy: PodSecurityPolicy, s: Strategies, pod: PodJson): FieldError[] {
  const spec = policy.spec;
  const errors: FieldError[] = [];
  const sc = pod.spec.securityContext ?? {};
  const scPath = FieldPath.root("spec", "securityContext");
  errors.push(...s.fsGroup.validate(scPath.child("fsGroup"), isUnset(sc.fsGroup) ? [] : [sc.fsGroup]));
  errors.push(...s.supplementalGroups.validate(scPath.child("supplementalGroups"), sc.supplementalGroups ?? []));
  errors.push(...s.seccomp.validatePod(pod));
  errors.push(...s.seLinux.validate(scPath.child("seLinuxOptions"), sc.seLinuxOptions ?? undefined));
  if (!spec.hostNetwork && pod.spec.hostNetwork === true) errors.push(invalid(FieldPath.root("spec", "hostNetwork"), true, "Host network is not allowed to be used"));
  if (!spec.hostPID && pod.spec.hostPID === true) errors.push(invalid(FieldPath.root("spec", "hostPID"), true, "Host PID is not allowed to be used"));
  if (!spec.hostIPC && pod.spec.hostIPC === true) errors.push(invalid(FieldPath.root("spec", "hostIPC"), true, "Host IPC is not allowed to be used"));
  // A `null` sysctl decodes as a zero Sysctl, name "": upstream refused it as unsafe.
  const sysctls = (sc.sysctls ?? []).map((item) => {
    const name: unknown = orZero(item, { name: "" }).name;
    return { name: typeof name === "string" ? name : "" };
  });
  errors.push(...validateSysctls(scPath.child("sysctls"), sysctls, spec.allowedUnsafeSysctls, spec.forbiddenSysctls));
  errors.push(...validateVolumes(policy, pod));
  if (spec.runtimeClass) {
    const name = pod.spec.runtimeClassName;
    const allowed = spec.runtimeClass.allowedRuntimeClassNames;
    // An unset runtimeClassName (absent or null: a nil pointer) is always allowed.
    if (!isUnset(name) && !allowed.includes(ALLOW_ALL_RUNTIME_CLASSES) && !allowed.includes(name)) {
      errors.push(invalid(FieldPath.root("spec", "runtimeClassName"), name, ""));
    }
  }
  for (const { container, list, index } of containersOf(pod.spec)) {
    errors.push(...validateContainer(policy, s, pod, container, FieldPath.root("spec", list).index(index)));
  }
  return errors;
}

export function volumeFSType(volume: Record<string, unknown>): string | undefined {
  for (const [source, fsType] of Object.entries(VOLUME_SOURCE_TO_FSTYPE)) {
    if (volume[source] !== undefined && volume[source] !== null) return fsType;
  }
  return undefined;
}

/**
 * Path-segment prefix match (util.hasPathPrefix): `/foo` allows `/foo`, `/foo/` and `/foo/bar`,
 * not `/foobar`. Like upstream, one trailing slash is trimmed from both first, so the prefix
 * `/foo/` allows `/foo` too.
 */
export function hasPathPrefix(path: string, prefix: string): boolean {
  const s = path.endsWith("/") ? path.slice(0, -1) : path;
  const p = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  if (!s.startsWith(p)) return false;
  if (s.length === p.length) return true;
  return s[p.length] === "/";
}

/** Whether the policy allows a hostPath, and whether it must then be mounted read-only (util.AllowsHostVolumePath). */
export function allowsHostPath(policy: PodSecurityPolicy, path: string): { allowed: boolean; readOnly: boolean } {
  const list = policy.spec.allowedHostPaths;
  if (list.length === 0) return { allowed: true, readOnly: false };
  let allowed = false;
  let readOnly = false;
  for (const entry of list) {
    if (!hasPathPrefix(path, entry.pathPrefix)) continue;
    if (!entry.readOnly) return { allowed: true, readOnly: false };
    allowed = true;
    readOnly = true;
  }
  return { allowed, readOnly };
}

function validateVolumes(policy: PodSecurityPolicy, pod: PodJson): FieldError[] {
  const errors: FieldError[] = [];
  const spec = policy.spec;
  const allowsAll = spec.volumes.includes(ALL_VOLUMES);
  (pod.spec.volumes ?? []).forEach((item, i) => {
    // A `null` item decodes in Go as a zero Volume (no name, no source): judged, not a crash.
    const v: Volume = orZero(item, { name: "" });
    const path = FieldPath.root("spec", "volumes").index(i);
    const fsType = volumeFSType(v);
    if (fsType === undefined) {
      errors.push(invalid(path, "", `unknown volume type for volume: ${JSON.stringify(v.name)}`));
      return;
    }
    if (!allowsAll && !spec.volumes.includes(fsType)) {
      errors.push(invalid(path, fsType, `${fsType} volumes are not allowed to be used`));
      return;
    }
    const source = (v[Object.keys(VOLUME_SOURCE_TO_FSTYPE).find((k) => VOLUME_SOURCE_TO_FSTYPE[k] === fsType) ?? ""] ?? {}) as Record<string, unknown>;
    if (fsType === "hostPath") {
      const hostPath = typeof source.path === "string" ? source.path : "";
      const { allowed, readOnly } = allowsHostPath(policy, hostPath);
      if (!allowed) errors.push(invalid(path.child("hostPath", "pathPrefix"), hostPath, "is not allowed to be used"));
      else if (readOnly) {
        for (const { container, list, index } of containersOf(pod.spec)) {
          (container.volumeMounts ?? []).forEach((item, j) => {
            const m = orZero(item, { name: "" });
            if ((m.name ?? "") === (v.name ?? "") && m.readOnly !== true) {
              errors.push(invalid(FieldPath.root("spec", list).index(index).child("volumeMounts").index(j).child("readOnly"), m.readOnly ?? false, "must be read-only"));
            }
          });
        }
      }
    } else if (fsType === "flexVolume" && spec.allowedFlexVolumes.length > 0) {
      const driver = typeof source.driver === "string" ? source.driver : "";
      if (!spec.allowedFlexVolumes.some((f) => f.driver === driver)) errors.push(invalid(path.child("driver"), driver, "Flexvolume driver is not allowed to be used"));
    } else if (fsType === "csi" && spec.allowedCSIDrivers.length > 0) {
      const driver = typeof source.driver === "string" ? source.driver : "";
      if (!spec.allowedCSIDrivers.some((c) => c.name === driver)) errors.push(invalid(path.child("csi", "driver"), driver, "Inline CSI driver is not allowed to be used"));
    }
  });
  return errors;
}

function formatHostPortRanges(policy: PodSecurityPolicy): string {
  return policy.spec.hostPorts.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(",");
}

function validateContainer(policy: PodSecurityPolicy, s: Strategies, pod: PodJson, container: Container, containerPath: FieldPath): FieldError[] {
  const spec = policy.spec;
  const errors: FieldError[] = [];
  const own = container.securityContext ?? {};
  const scPath = containerPath.child("securityContext");
  errors.push(...s.runAsUser.validate(scPath, effective(pod, own, "runAsNonRoot"), effective(pod, own, "runAsUser")));
  const gid = effective(pod, own, "runAsGroup");
  errors.push(...s.runAsGroup.validate(scPath.child("runAsGroup"), gid !== undefined ? [gid] : []));
  errors.push(...s.seLinux.validate(scPath.child("seLinuxOptions"), effective(pod, own, "seLinuxOptions")));
  errors.push(...s.appArmor.validate(pod.metadata?.annotations ?? {}, container.name));
  errors.push(...s.seccomp.validateContainer(pod, container));
  if (!spec.privileged && own.privileged === true) errors.push(invalid(scPath.child("privileged"), true, "Privileged containers are not allowed"));
  const procMount = own.procMount ?? "Default";
  const allowedProcMounts = spec.allowedProcMountTypes.length > 0 ? spec.allowedProcMountTypes : ["Default"];
  if (!allowedProcMounts.includes(procMount)) errors.push(invalid(scPath.child("procMount"), procMount, "ProcMountType is not allowed"));
  errors.push(...s.capabilities.validate(scPath.child("capabilities"), own.capabilities));
  for (const port of container.ports ?? []) {
    const hostPort = orZero(port, {}).hostPort ?? 0;
    if (hostPort > 0 && !spec.hostPorts.some((r) => hostPort >= r.min && hostPort <= r.max)) {
      errors.push(invalid(containerPath.child("hostPort"), hostPort, `Host port ${hostPort} is not allowed to be used. Allowed ports: [${formatHostPortRanges(policy)}]`));
    }
  }
  if (spec.readOnlyRootFilesystem) {
    if (isUnset(own.readOnlyRootFilesystem)) {
      errors.push(invalid(scPath.child("readOnlyRootFilesystem"), null, "ReadOnlyRootFilesystem may not be nil and must be set to true"));
    } else if (!own.readOnlyRootFilesystem) {
      errors.push(invalid(scPath.child("readOnlyRootFilesystem"), false, "ReadOnlyRootFilesystem must be set to true"));
    }
  }
  const escalation = own.allowPrivilegeEscalation;
  if (!spec.allowPrivilegeEscalation && escalation !== false) {
    errors.push(invalid(scPath.child("allowPrivilegeEscalation"), escalation ?? null, "Allowing privilege escalation for containers is not allowed"));
  }
  return errors;
}
