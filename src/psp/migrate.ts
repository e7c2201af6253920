import { LABEL_PREFIX } from "../podsecurity/namespace-levels.js";
import { compareLevels, formatVersion, LATEST, NEWEST_MINOR, type Level, type Version } from "../podsecurity/levels.js";
import {
  ALL_VOLUMES, ALLOW_ALL_CAPABILITIES, APPARMOR_ALLOWED_PROFILES_ANNOTATION, APPARMOR_DEFAULT_PROFILE_ANNOTATION,
  PSP_SAFE_SYSCTLS, PSP_VOLUME_TYPES, SECCOMP_ALLOW_ANY, SECCOMP_ALLOWED_PROFILES_ANNOTATION, SECCOMP_DEFAULT_PROFILE_ANNOTATION,
} from "./constants.js";
import type { PodSecurityPolicy } from "./policy.js";
import { createProvider } from "./provider.js";
import { matchesSysctlPattern } from "./strategies/sysctls.js";

/**
 * PSP -> Pod Security Standards migration, reasoned over the policy's allowed space (every
 * pod the policy admits after its defaulting), not over sample pods. For each Pod Security
 * check we ask: does this policy admit some pod the check forbids, and from which version
 * on does the check exist? The strictest level with no such gap is the level the policy
 * fits; the newest version without a gap is the version to pin.
 *
 * Only fields PSP governed are reasoned about. Fields PSP never constrained but a level
 * checks (probe and lifecycle `host`, v1.34+) are gaps too, because a policy admitted
 * them; Windows HostProcess pods need hostNetwork, so they are covered by host namespaces.
 */

export interface Gap {
  checkId: string;
  level: Exclude<Level, "privileged">;
  /** First minor version the check exists in. */
  sinceMinor: number;
  /** Last minor version the gap applies to (sysctls the level later allowed). */
  untilMinor?: number;
  /** What the policy allows that the check forbids. */
  allows: string;
}

export interface Migration {
  policy: string;
  level: Level;
  version: Version;
  labels: Record<string, string>;
  /** Why the policy does not fit the stricter levels (what it allowed that they forbid). */
  gaps: Gap[];
  /** What the chosen level allows that the policy forbade. */
  looser: string[];
  /** Fields the policy filled in that Pod Security Admission, which never mutates, will not. */
  defaultedByPsp: string[];
  notes: string[];
}

const BASELINE_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
const BASELINE_SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);
/** The SELinux type baseline allows from v1.31 on. */
const BASELINE_SELINUX_TYPE_1_31 = "container_engine_t";
/** The baseline level's safe sysctls, by the minor version that allowed them. */
const PSS_SAFE_SYSCTLS: ReadonlyArray<[string, number]> = [
  ["kernel.shm_rmid_forced", 0], ["net.ipv4.ip_local_port_range", 0], ["net.ipv4.tcp_syncookies", 0], ["net.ipv4.ping_group_range", 0],
  ["net.ipv4.ip_unprivileged_port_start", 22], ["net.ipv4.ip_local_reserved_ports", 27],
  ["net.ipv4.tcp_keepalive_time", 29], ["net.ipv4.tcp_fin_timeout", 29], ["net.ipv4.tcp_keepalive_intvl", 29], ["net.ipv4.tcp_keepalive_probes", 29],
];

function annotationList(psp: PodSecurityPolicy, key: string): string[] | undefined {
  const v = psp.annotations[key];
  return v === undefined ? undefined : v.split(",");
}

function sysctlGaps(psp: PodSecurityPolicy): Gap[] {
  const gaps: Gap[] = [];
  const forbiddenList = psp.spec.forbiddenSysctls;
  // Names the policy admits without listing them.
  for (const name of PSP_SAFE_SYSCTLS) {
    if (matchesSysctlPattern(name, forbiddenList)) continue;
    const since = PSS_SAFE_SYSCTLS.find(([n]) => n === name)?.[1];
    if (since === undefined) gaps.push({ checkId: "sysctls", level: "baseline", sinceMinor: 0, allows: `sysctl ${name}` });
    else if (since > 0) gaps.push({ checkId: "sysctls", level: "baseline", sinceMinor: 0, untilMinor: since - 1, allows: `sysctl ${name} (baseline allows it from v1.${since})` });
  }
  for (const entry of psp.spec.allowedUnsafeSysctls) {
    if (matchesSysctlPattern(entry, forbiddenList) && !entry.endsWith("*")) continue;
    const safe = PSS_SAFE_SYSCTLS.find(([n]) => n === entry);
    if (safe) {
      if (safe[1] > 0) gaps.push({ checkId: "sysctls", level: "baseline", sinceMinor: 0, untilMinor: safe[1] - 1, allows: `sysctl ${entry} (baseline allows it from v1.${safe[1]})` });
      continue;
    }
    gaps.push({ checkId: "sysctls", level: "baseline", sinceMinor: 0, allows: `unsafe sysctls ${entry}` });
  }
  return gaps;
}

/** Every Pod Security check the policy's allowed space violates. */
export function policyGaps(psp: PodSecurityPolicy): Gap[] {
  const s = psp.spec;
  const gaps: Gap[] = [];
  const gap = (checkId: string, level: Gap["level"], sinceMinor: number, allows: string) => gaps.push({ checkId, level, sinceMinor, allows });
  const hostNs = [s.hostNetwork && "hostNetwork", s.hostPID && "hostPID", s.hostIPC && "hostIPC"].filter(Boolean);
  if (hostNs.length) gap("hostNamespaces", "baseline", 0, `host namespaces (${hostNs.join(", ")})`);
  if (s.privileged) gap("privileged", "baseline", 0, "privileged containers");
  const addable = [...s.allowedCapabilities, ...s.defaultAddCapabilities];
  if (addable.includes(ALLOW_ALL_CAPABILITIES)) gap("capabilities_baseline", "baseline", 0, "adding any capability (allowedCapabilities: *)");
  else {
    const extra = addable.filter((c) => !BASELINE_CAPABILITIES.has(c));
    if (extra.length) gap("capabilities_baseline", "baseline", 0, `adding capabilities ${[...new Set(extra)].join(", ")}`);
  }
  const allVolumes = s.volumes.includes(ALL_VOLUMES);
  if (allVolumes || s.volumes.includes("hostPath")) gap("hostPathVolumes", "baseline", 0, `hostPath volumes${s.allowedHostPaths.length ? ` under ${s.allowedHostPaths.map((h) => h.pathPrefix).join(", ")}` : ""}`);
  if (s.hostPorts.some((r) => r.max > 0)) gap("hostPorts", "baseline", 0, `host ports ${s.hostPorts.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(",")}`);
  const apparmor = annotationList(psp, APPARMOR_ALLOWED_PROFILES_ANNOTATION);
  if (!apparmor) gap("appArmorProfile", "baseline", 0, "any AppArmor profile, including unconfined (no allowedProfileNames annotation)");
  else {
    // An empty name (`runtime/default,`) admits a pod that sets no profile, which baseline allows too.
    const bad = apparmor.filter((p) => p !== "" && p !== "runtime/default" && !p.startsWith("localhost/"));
    if (bad.length) gap("appArmorProfile", "baseline", 0, `AppArmor profiles ${bad.map((p) => JSON.stringify(p)).join(", ")}`);
  }
  if (s.seLinux.rule === "RunAsAny") gap("seLinuxOptions", "baseline", 0, "any SELinux options (seLinux: RunAsAny)");
  else if (s.seLinux.seLinuxOptions) {
    const o = s.seLinux.seLinuxOptions;
    const type = o.type ?? "";
    if ((o.user ?? "") !== "" || (o.role ?? "") !== "" || (!BASELINE_SELINUX_TYPES.has(type) && type !== BASELINE_SELINUX_TYPE_1_31)) {
      gap("seLinuxOptions", "baseline", 0, `SELinux options ${JSON.stringify(o)}`);
    } else if (type === BASELINE_SELINUX_TYPE_1_31) {
      gaps.push({ checkId: "seLinuxOptions", level: "baseline", sinceMinor: 0, untilMinor: 30, allows: `SELinux type ${type} (baseline allows it from v1.31)` });
    }
  }
  if (s.allowedProcMountTypes.includes("Unmasked")) {
    gap("procMount", "baseline", 0, "the Unmasked proc mount");
    gap("procMount_restricted", "restricted", 35, "the Unmasked proc mount");
  }
  const seccomp = annotationList(psp, SECCOMP_ALLOWED_PROFILES_ANNOTATION);
  if (seccomp?.includes(SECCOMP_ALLOW_ANY) || seccomp?.includes("unconfined")) gap("seccompProfile_baseline", "baseline", 0, "the Unconfined seccomp profile");
  gaps.push(...sysctlGaps(psp));
  gap("hostProbesAndHostLifecycle", "baseline", 34, "probes and lifecycle hooks that set host (no PSP restricted them)");

  const outside = allVolumes ? ["*"] : s.volumes.filter((v) => !RESTRICTED_VOLUMES.has(v));
  if (outside.length) gap("restrictedVolumes", "restricted", 0, `volume types ${outside.join(", ")}`);
  if (s.allowPrivilegeEscalation) gap("allowPrivilegeEscalation", "restricted", 8, "privilege escalation (allowPrivilegeEscalation: true)");
  gap("runAsNonRoot", "restricted", 0, s.runAsUser.rule === "MustRunAsNonRoot"
    ? "pods that set a non-zero runAsUser without runAsNonRoot: true (MustRunAsNonRoot only defaults runAsNonRoot when no UID is set)"
    : `pods without runAsNonRoot: true (runAsUser: ${s.runAsUser.rule} never sets it)`);
  const uidSafe = s.runAsUser.rule === "MustRunAsNonRoot" || (s.runAsUser.rule === "MustRunAs" && s.runAsUser.ranges.length > 0 && s.runAsUser.ranges.every((r) => r.min >= 1));
  if (!uidSafe) gap("runAsUser", "restricted", 23, "running as UID 0");
  const seccompOk = seccomp !== undefined && seccomp.length > 0 && seccomp.every((p) => p === "runtime/default" || p === "docker/default" || p.startsWith("localhost/"));
  if (!seccompOk) gap("seccompProfile_restricted", "restricted", 19, seccomp === undefined ? "pods without a seccomp profile (no allowedProfileNames annotation)" : `seccomp profiles ${seccomp.map((p) => JSON.stringify(p)).join(", ")}`);
  const restrictedCaps = addable.filter((c) => c !== "NET_BIND_SERVICE");
  if (!s.requiredDropCapabilities.includes("ALL") || restrictedCaps.length) {
    gap("capabilities_restricted", "restricted", 22, [
      !s.requiredDropCapabilities.includes("ALL") ? "containers that do not drop ALL capabilities" : "",
      restrictedCaps.length ? `adding ${[...new Set(restrictedCaps)].join(", ")}` : "",
    ].filter(Boolean).join("; "));
  }
  return gaps;
}

function blocks(g: Gap, level: Level, minor: number): boolean {
  if (level === "privileged" || compareLevels(g.level, level) > 0) return false;
  return minor >= g.sinceMinor && (g.untilMinor === undefined || minor <= g.untilMinor);
}

/** The newest minor at which the level admits everything the policy admits, or undefined. */
export function newestFittingMinor(gaps: readonly Gap[], level: Level): number | undefined {
  for (let minor = NEWEST_MINOR; minor >= 0; minor--) if (!gaps.some((g) => blocks(g, level, minor))) return minor;
  return undefined;
}

function looserThanPolicy(psp: PodSecurityPolicy, level: Level): string[] {
  const s = psp.spec;
  const out: string[] = [];
  if (s.readOnlyRootFilesystem) out.push("a writable root filesystem (the policy required readOnlyRootFilesystem)");
  if (s.runAsUser.rule === "MustRunAs" && s.runAsUser.ranges.length > 0) out.push(`any ${level === "restricted" ? "non-root " : ""}UID (the policy required UIDs in ${s.runAsUser.ranges.map((r) => `${r.min}-${r.max}`).join(", ")})`);
  if (level !== "restricted" && s.runAsUser.rule === "MustRunAsNonRoot") out.push("running as root (the policy required non-root)");
  for (const [name, strategy] of [["runAsGroup", s.runAsGroup], ["fsGroup", s.fsGroup], ["supplementalGroups", s.supplementalGroups]] as const) {
    if (strategy && (strategy.rule === "MustRunAs" || strategy.rule === "MayRunAs") && strategy.ranges.length > 0) out.push(`any ${name} (the policy required ${strategy.ranges.map((r) => `${r.min}-${r.max}`).join(", ")})`);
  }
  if (s.seLinux.rule === "MustRunAs") out.push(`other SELinux options than ${JSON.stringify(s.seLinux.seLinuxOptions ?? {})}${level === "privileged" ? "" : " (within the level's allowed types)"}`);
  const levelVolumes = level === "restricted" ? [...RESTRICTED_VOLUMES] : level === "baseline" ? PSP_VOLUME_TYPES.filter((v) => v !== "hostPath") : [...PSP_VOLUME_TYPES];
  if (!s.volumes.includes(ALL_VOLUMES)) {
    const more = levelVolumes.filter((v) => !s.volumes.includes(v));
    if (more.length) out.push(`volume types ${more.join(", ")}`);
  }
  if (s.allowedFlexVolumes.length) out.push(`any flexVolume driver (the policy allowed ${s.allowedFlexVolumes.map((f) => f.driver).join(", ")})`);
  if (s.allowedCSIDrivers.length) out.push(`any inline CSI driver (the policy allowed ${s.allowedCSIDrivers.map((c) => c.name).join(", ")})`);
  if (s.runtimeClass && !s.runtimeClass.allowedRuntimeClassNames.includes("*")) out.push(`any RuntimeClass (the policy allowed ${s.runtimeClass.allowedRuntimeClassNames.join(", ") || "none"})`);
  if (level !== "restricted" && s.requiredDropCapabilities.length) out.push(`keeping capabilities the policy required dropping (${s.requiredDropCapabilities.join(", ")})`);
  if (level === "restricted" && s.requiredDropCapabilities.some((c) => c !== "ALL")) out.push(`nothing more: restricted requires dropping ALL`);
  if (level !== "privileged") {
    const addable = new Set([...s.allowedCapabilities, ...s.defaultAddCapabilities]);
    const allowed = level === "restricted" ? ["NET_BIND_SERVICE"] : [...BASELINE_CAPABILITIES];
    const more = addable.has(ALLOW_ALL_CAPABILITIES) ? [] : allowed.filter((c) => !addable.has(c));
    if (more.length) out.push(`adding capabilities ${more.join(", ")}`);
  }
  const forbiddenSafe = PSS_SAFE_SYSCTLS.filter(([n]) => matchesSysctlPattern(n, s.forbiddenSysctls)).map(([n]) => n);
  if (forbiddenSafe.length && level !== "privileged") out.push(`sysctls ${forbiddenSafe.join(", ")} (the policy forbade them)`);
  const seccomp = annotationList(psp, SECCOMP_ALLOWED_PROFILES_ANNOTATION);
  if (seccomp === undefined) out.push("setting a seccomp profile (the policy allowed none)");
  else if (!seccomp.includes(SECCOMP_ALLOW_ANY) && !seccomp.some((p) => p.startsWith("localhost/"))) out.push("Localhost seccomp profiles");
  const apparmor = annotationList(psp, APPARMOR_ALLOWED_PROFILES_ANNOTATION);
  if (apparmor && !apparmor.some((p) => p.startsWith("localhost/"))) out.push("Localhost AppArmor profiles");
  if (level === "privileged") out.push("everything else the policy forbade: the privileged level checks nothing");
  return out;
}

function defaultedByPsp(psp: PodSecurityPolicy): string[] {
  const s = psp.spec;
  const out: string[] = [];
  // MustRunAs defaults the first range's minimum; with no range the policy admitted nothing (see migratePolicy).
  const first = (strategy: PodSecurityPolicy["spec"]["runAsUser"] | undefined) => (strategy?.rule === "MustRunAs" ? strategy.ranges[0]?.min : undefined);
  const uid = first(s.runAsUser);
  if (uid !== undefined) out.push(`runAsUser ${uid}`);
  if (s.runAsUser.rule === "MustRunAsNonRoot") out.push("runAsNonRoot: true (when no runAsUser is set)");
  const gid = first(s.runAsGroup);
  if (gid !== undefined) out.push(`runAsGroup ${gid}`);
  const fsGroup = first(s.fsGroup);
  if (fsGroup !== undefined) out.push(`fsGroup ${fsGroup}`);
  // A Pod that wrote `supplementalGroups: []` kept it and was refused; only an absent list was filled in.
  const supplemental = first(s.supplementalGroups);
  if (supplemental !== undefined) out.push(`supplementalGroups [${supplemental}] (where the pod sets none)`);
  if (s.seLinux.rule === "MustRunAs") out.push(`seLinuxOptions ${JSON.stringify(s.seLinux.seLinuxOptions)}`);
  if (s.defaultAddCapabilities.length) out.push(`capabilities.add ${s.defaultAddCapabilities.join(", ")}`);
  if (s.requiredDropCapabilities.length) out.push(`capabilities.drop ${s.requiredDropCapabilities.join(", ")}`);
  if (s.readOnlyRootFilesystem) out.push("readOnlyRootFilesystem: true");
  if (s.defaultAllowPrivilegeEscalation !== undefined) out.push(`allowPrivilegeEscalation: ${s.defaultAllowPrivilegeEscalation}`);
  else if (!s.allowPrivilegeEscalation) out.push("allowPrivilegeEscalation: false");
  const seccompDefault = psp.annotations[SECCOMP_DEFAULT_PROFILE_ANNOTATION];
  if (seccompDefault) out.push(`seccomp profile ${seccompDefault} (set seccompProfile in the pod)`);
  const apparmorDefault = psp.annotations[APPARMOR_DEFAULT_PROFILE_ANNOTATION];
  if (apparmorDefault) out.push(`AppArmor profile ${apparmorDefault}`);
  if (s.runtimeClass?.defaultRuntimeClassName) out.push(`runtimeClassName ${s.runtimeClass.defaultRuntimeClassName}`);
  return out;
}

export function migratePolicy(psp: PodSecurityPolicy): Migration {
  const gaps = policyGaps(psp);
  let level: Level = "privileged";
  let minor: number | undefined = NEWEST_MINOR;
  for (const candidate of ["restricted", "baseline"] as const) {
    const m = newestFittingMinor(gaps, candidate);
    if (m !== undefined) {
      level = candidate;
      minor = m;
      break;
    }
  }
  const version: Version = minor === undefined || minor >= NEWEST_MINOR ? LATEST : { latest: false, minor };
  const stricter: Level | undefined = level === "privileged" ? "baseline" : level === "baseline" ? "restricted" : undefined;
  const watch = stricter ?? level;
  const labels: Record<string, string> = {
    [`${LABEL_PREFIX}enforce`]: level,
    [`${LABEL_PREFIX}enforce-version`]: formatVersion(version),
    [`${LABEL_PREFIX}warn`]: watch,
    [`${LABEL_PREFIX}warn-version`]: "latest",
    [`${LABEL_PREFIX}audit`]: watch,
    [`${LABEL_PREFIX}audit-version`]: "latest",
  };
  const notes: string[] = [];
  const built = createProvider(psp);
  if ("error" in built) notes.push(`the policy admitted no pod (${built.error}): the admission plugin skipped it, so this is what its rules describe, not what it enforced`);
  if (!version.latest) {
    const newer = gaps.filter((g) => blocks(g, level, NEWEST_MINOR)).map((g) => g.checkId);
    notes.push(`${level} at latest also forbids what this policy allowed (${[...new Set(newer)].join(", ")}); enforce-version pins v1.${minor} so nothing the policy admitted breaks. Once \`palisade scan --level ${level}\` is clean for these namespaces, set enforce-version to latest.`);
  }
  notes.push("Pod Security Admission never changes pods: set the fields the policy defaulted in the manifests (`palisade fix` does most of them) before removing the policy.");
  return { policy: psp.name, level, version, labels, gaps, looser: looserThanPolicy(psp, level), defaultedByPsp: defaultedByPsp(psp), notes };
}
