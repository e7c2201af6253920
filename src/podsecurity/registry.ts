import type { Check, CheckPodFn } from "./check.js";
import { effectiveMinor, type Level, type Version } from "./levels.js";
import { allowPrivilegeEscalation } from "./checks/allow-privilege-escalation.js";
import { appArmorProfile } from "./checks/app-armor-profile.js";
import { capabilitiesBaseline } from "./checks/capabilities-baseline.js";
import { capabilitiesRestricted } from "./checks/capabilities-restricted.js";
import { hostNamespaces } from "./checks/host-namespaces.js";
import { hostPathVolumes } from "./checks/host-path-volumes.js";
import { hostPorts } from "./checks/host-ports.js";
import { hostProbesAndHostLifecycle } from "./checks/host-probes-and-host-lifecycle.js";
import { privileged } from "./checks/privileged.js";
import { procMount } from "./checks/proc-mount.js";
import { procMountRestricted } from "./checks/proc-mount-restricted.js";
import { restrictedVolumes } from "./checks/restricted-volumes.js";
import { runAsNonRoot } from "./checks/run-as-non-root.js";
import { runAsUser } from "./checks/run-as-user.js";
import { seLinuxOptions } from "./checks/se-linux-options.js";
import { seccompProfileBaseline } from "./checks/seccomp-profile-baseline.js";
import { seccompProfileRestricted } from "./checks/seccomp-profile-restricted.js";
import { sysctls } from "./checks/sysctls.js";
import { windowsHostProcess } from "./checks/windows-host-process.js";

/** Every Pod Security check, one record per file under checks/. */
export const CHECKS: readonly Check[] = [
  allowPrivilegeEscalation, appArmorProfile, capabilitiesBaseline, capabilitiesRestricted, hostNamespaces,
  hostPathVolumes, hostPorts, hostProbesAndHostLifecycle, privileged, procMount, procMountRestricted,
  restrictedVolumes, runAsNonRoot, runAsUser, seLinuxOptions, seccompProfileBaseline, seccompProfileRestricted,
  sysctls, windowsHostProcess,
];

export interface RegisteredCheck {
  id: string;
  level: Exclude<Level, "privileged">;
  check: CheckPodFn;
  /**
   * At restricted: the baseline checks (at the same version) this check replaces. A pod
   * that fails this check may fail them too (a hostPath volume fails restrictedVolumes and
   * hostPathVolumes): what it does is as dangerous as the baseline check says.
   */
  replaces?: readonly RegisteredCheck[];
}

/**
 * PSA's order, so messages read the same as upstream's: baseline checks by id, then
 * restricted checks by id (byte order, as Go's sort of strings).
 */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
const ORDERED: readonly Check[] = [
  ...CHECKS.filter((c) => c.level === "baseline").sort((a, b) => byteOrder(a.id, b.id)),
  ...CHECKS.filter((c) => c.level === "restricted").sort((a, b) => byteOrder(a.id, b.id)),
];

function versionAt(check: Check, minor: number) {
  let found: Check["versions"][number] | undefined;
  for (const v of check.versions) if (v.minimumMinor <= minor) found = v;
  return found;
}

const cache = new Map<string, RegisteredCheck[]>();

/** The checks that apply at a level and version, with restricted overrides of baseline checks applied. */
export function checksFor(level: Level, version: Version): RegisteredCheck[] {
  if (level === "privileged") return [];
  const minor = effectiveMinor(version);
  const key = `${level}:${minor}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const overridden = new Set<string>();
  if (level === "restricted") {
    for (const c of ORDERED) if (c.level === "restricted") for (const id of versionAt(c, minor)?.overrides ?? []) overridden.add(id);
  }
  const atVersion = (c: Check): RegisteredCheck | undefined => {
    const v = versionAt(c, minor);
    return v && { id: c.id, level: c.level, check: v.check };
  };
  const result: RegisteredCheck[] = [];
  for (const c of ORDERED) {
    if (c.level === "restricted" && level !== "restricted") continue;
    if (overridden.has(c.id)) continue;
    const registered = atVersion(c);
    if (!registered) continue;
    const replaced = (versionAt(c, minor)?.overrides ?? []).flatMap((id) => {
      const baseline = ORDERED.find((b) => b.id === id);
      const at = baseline && atVersion(baseline);
      return at ? [at] : [];
    });
    result.push(replaced.length > 0 ? { ...registered, replaces: replaced } : registered);
  }
  cache.set(key, result);
  return result;
}
