import {
  ALLOW_ALL_CAPABILITIES, ALLOW_ALL_RUNTIME_CLASSES, ALL_VOLUMES, APPARMOR_ALLOWED_PROFILES_ANNOTATION,
  APPARMOR_DEFAULT_PROFILE_ANNOTATION, PROC_MOUNT_TYPES, PSP_VOLUME_TYPES, SECCOMP_ALLOW_ANY,
  SECCOMP_ALLOWED_PROFILES_ANNOTATION, SECCOMP_DEFAULT_PROFILE_ANNOTATION,
} from "./constants.js";
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "./field-errors.js";
import type { IDRange, PodSecurityPolicy, RangeStrategy, RuntimeClassStrategy } from "./policy.js";
import { isDns1123Subdomain } from "../k8s/dns-names.js";

/**
 * PodSecurityPolicy validation as kube-apiserver ran it on create and update
 * (pkg/apis/policy/validation): strategy rules, ID ranges, volume types, capability
 * lists against required drops, host path prefixes, sysctl patterns and overlaps,
 * RuntimeClass names, proc mount types, and the seccomp/AppArmor annotations.
 */

const SYSCTL_SEGMENT = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?";
const SYSCTL_PATTERN_SEGMENT = "([a-z0-9][-_a-z0-9]*)?[a-z0-9*]";
export const SYSCTL_PATTERN_FMT = `(${SYSCTL_SEGMENT}\\.)*${SYSCTL_PATTERN_SEGMENT}`;
const SYSCTL_PATTERN = new RegExp(`^${SYSCTL_PATTERN_FMT}$`);
const SYSCTL_MAX_LENGTH = 253;

export function validatePolicy(psp: PodSecurityPolicy): FieldError[] {
  const errors: FieldError[] = [];
  const nameField = FieldPath.root("metadata", "name");
  if (psp.name === "") errors.push(required(nameField, "name or generateName is required"));
  else if (!isDns1123Subdomain(psp.name)) {
    errors.push(invalid(nameField, psp.name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
  }
  errors.push(...validateAnnotations(psp.annotations, FieldPath.root("metadata", "annotations")));
  errors.push(...validateSpec(psp, FieldPath.root("spec")));
  return errors;
}

function validateSpec(psp: PodSecurityPolicy, path: FieldPath): FieldError[] {
  const spec = psp.spec;
  const errors: FieldError[] = [];
  errors.push(...validateRule(path.child("runAsUser"), spec.runAsUser, ["MustRunAs", "MustRunAsNonRoot", "RunAsAny"]));
  if (spec.runAsGroup) errors.push(...validateRunAsGroup(path.child("runAsGroup"), spec.runAsGroup));
  if (!["MustRunAs", "RunAsAny"].includes(spec.seLinux.rule)) {
    errors.push(notSupported(path.child("seLinux", "rule"), spec.seLinux.rule, ["MustRunAs", "RunAsAny"]));
  }
  errors.push(...validateRule(path.child("supplementalGroups"), spec.supplementalGroups, ["MayRunAs", "MustRunAs", "RunAsAny"]));
  errors.push(...validateRule(path.child("fsGroup"), spec.fsGroup, ["MayRunAs", "MustRunAs", "RunAsAny"]));

  const allowedVolumes = [...PSP_VOLUME_TYPES, ALL_VOLUMES].sort();
  for (const v of spec.volumes) {
    if (!allowedVolumes.includes(v)) errors.push(notSupported(path.child("volumes"), v, allowedVolumes));
  }

  if (spec.requiredDropCapabilities.length > 0 && spec.allowedCapabilities.includes(ALLOW_ALL_CAPABILITIES)) {
    errors.push(invalid(path.child("requiredDropCapabilities"), spec.requiredDropCapabilities, "must be empty when all capabilities are allowed by a wildcard"));
  }
  errors.push(...capsAgainstDrops(spec.requiredDropCapabilities, spec.defaultAddCapabilities, path.child("defaultAddCapabilities"), "defaultAddCapabilities"));
  errors.push(...capsAgainstDrops(spec.requiredDropCapabilities, spec.allowedCapabilities, path.child("allowedCapabilities"), "allowedCapabilities"));

  if (spec.defaultAllowPrivilegeEscalation === true && !spec.allowPrivilegeEscalation) {
    errors.push(invalid(path.child("defaultAllowPrivilegeEscalation"), true, "Cannot set DefaultAllowPrivilegeEscalation to true without also setting AllowPrivilegeEscalation to true"));
  }

  const hostPaths = path.child("allowedHostPaths");
  for (const [i, target] of spec.allowedHostPaths.entries()) {
    if (target.pathPrefix === "") {
      errors.push(required(hostPaths.index(i), "is required"));
      break; // upstream stops at the first missing prefix
    }
    if (target.pathPrefix.split("/").includes("..")) errors.push(invalid(hostPaths.index(i), target.pathPrefix, "must not contain '..'"));
  }

  for (const [i, fv] of spec.allowedFlexVolumes.entries()) {
    if (fv.driver === "") errors.push(required(path.child("allowedFlexVolumes").index(i).child("driver"), "must specify a driver"));
  }
  for (const [i, csi] of spec.allowedCSIDrivers.entries()) {
    if (csi.name === "") errors.push(required(path.child("allowedCSIDrivers").index(i).child("name"), "must specify the CSI driver name"));
  }

  errors.push(...validateSysctls(path.child("allowedUnsafeSysctls"), spec.allowedUnsafeSysctls));
  errors.push(...validateSysctls(path.child("forbiddenSysctls"), spec.forbiddenSysctls));
  errors.push(...sysctlListsOverlap(path.child("allowedUnsafeSysctls"), path.child("forbiddenSysctls"), spec.allowedUnsafeSysctls, spec.forbiddenSysctls));

  for (const [i, pm] of spec.allowedProcMountTypes.entries()) {
    if (!(PROC_MOUNT_TYPES as readonly string[]).includes(pm)) errors.push(notSupported(path.child("allowedProcMountTypes").index(i), pm, PROC_MOUNT_TYPES));
  }
  if (spec.runtimeClass) errors.push(...validateRuntimeClass(path.child("runtimeClass"), spec.runtimeClass));
  return errors;
}

function validateRule(path: FieldPath, strategy: RangeStrategy, rules: string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (!rules.includes(strategy.rule)) errors.push(notSupported(path.child("rule"), strategy.rule, rules));
  strategy.ranges.forEach((rng, i) => errors.push(...validateRange(path.child("ranges").index(i), rng)));
  return errors;
}

/**
 * runAsGroup, unlike the other ID strategies, is checked against its rule: MustRunAs and
 * MayRunAs need a range and RunAsAny takes none. (supplementalGroups, fsGroup and runAsUser
 * with no ranges pass validation, and the policy then fails when admission builds it.)
 */
function validateRunAsGroup(path: FieldPath, strategy: RangeStrategy): FieldError[] {
  const ranges = path.child("ranges");
  switch (strategy.rule) {
    case "RunAsAny":
      return strategy.ranges.length > 0 ? [invalid(ranges, strategy.ranges, "Ranges must be empty")] : [];
    case "MustRunAs":
    case "MayRunAs":
      return [
        ...(strategy.ranges.length === 0 ? [invalid(ranges, strategy.ranges, "must provide at least one range")] : []),
        ...strategy.ranges.flatMap((rng, i) => validateRange(ranges.index(i), rng)),
      ];
    default:
      // Upstream lists these in this order, not sorted as the other rules' lists are.
      return [notSupported(path.child("rule"), strategy.rule, ["MustRunAs", "RunAsAny", "MayRunAs"])];
  }
}

function validateRange(path: FieldPath, rng: IDRange): FieldError[] {
  const errors: FieldError[] = [];
  if (rng.min < 0) errors.push(invalid(path.child("min"), rng.min, "min cannot be negative"));
  if (rng.max < 0) errors.push(invalid(path.child("max"), rng.max, "max cannot be negative"));
  if (rng.min > rng.max) errors.push(invalid(path.child("min"), rng.min, "min cannot be greater than max"));
  return errors;
}

function capsAgainstDrops(requiredDrops: string[], caps: string[], path: FieldPath, listName: string): FieldError[] {
  return caps
    .filter((c) => requiredDrops.includes(c))
    .map((c) => invalid(path, c, `capability is listed in ${listName} and requiredDropCapabilities`));
}

function validateSysctls(path: FieldPath, sysctls: string[]): FieldError[] {
  const errors: FieldError[] = [];
  let coversAll = false;
  sysctls.forEach((s, i) => {
    if (s.length === 0) errors.push(invalid(path.index(i), s, "empty sysctl not allowed"));
    else if (s.length > SYSCTL_MAX_LENGTH || !SYSCTL_PATTERN.test(s)) {
      errors.push(invalid(path.index(i), s, `must have at most ${SYSCTL_MAX_LENGTH} characters and match regex ${SYSCTL_PATTERN_FMT}`));
    } else if (s.startsWith("*")) coversAll = true;
  });
  if (coversAll && sysctls.length > 1) errors.push(forbidden(path.child("items"), "if '*' is present, must not specify other sysctls"));
  return errors;
}

/** A sysctl entry as a name or, with a trailing `*`, a prefix. */
function sysctlPattern(s: string): { prefix: string; wildcard: boolean } {
  return s.endsWith("*") ? { prefix: s.slice(0, -1), wildcard: true } : { prefix: s, wildcard: false };
}

function sysctlListsOverlap(allowedPath: FieldPath, forbiddenPath: FieldPath, allowed: string[], forbiddenList: string[]): FieldError[] {
  const errors: FieldError[] = [];
  allowed.forEach((a, i) => {
    const ap = sysctlPattern(a);
    forbiddenList.forEach((f, j) => {
      const fp = sysctlPattern(f);
      if (ap.wildcard && fp.wildcard) {
        if (ap.prefix.startsWith(fp.prefix)) errors.push(invalid(allowedPath.index(i), a, `sysctl overlaps with ${f}`));
        else if (fp.prefix.startsWith(ap.prefix)) errors.push(invalid(forbiddenPath.index(j), f, `sysctl overlaps with ${a}`));
      } else if (ap.wildcard) {
        if (f.startsWith(ap.prefix)) errors.push(invalid(forbiddenPath.index(j), f, `sysctl overlaps with ${a}`));
      } else if (fp.wildcard) {
        if (a.startsWith(fp.prefix)) errors.push(invalid(allowedPath.index(i), a, `sysctl overlaps with ${f}`));
      } else if (a === f) errors.push(invalid(allowedPath.index(i), a, `sysctl overlaps with ${f}`));
    });
  });
  return errors;
}

function validateRuntimeClass(path: FieldPath, rc: RuntimeClassStrategy): FieldError[] {
  const errors: FieldError[] = [];
  const allowedPath = path.child("allowedRuntimeClassNames");
  const seen = new Set<string>();
  let hasWildcard = false;
  rc.allowedRuntimeClassNames.forEach((name, i) => {
    if (name === ALLOW_ALL_RUNTIME_CLASSES) hasWildcard = true;
    else if (!isDns1123Subdomain(name)) errors.push(invalid(allowedPath.index(i), name, "must be a valid RuntimeClass name (a lowercase RFC 1123 subdomain)"));
    if (seen.has(name)) errors.push(duplicate(allowedPath.index(i), name));
    seen.add(name);
  });
  if (hasWildcard && rc.allowedRuntimeClassNames.length > 1) {
    errors.push(invalid(allowedPath, rc.allowedRuntimeClassNames, "if '*' is present, must not specify other RuntimeClass names"));
  }
  if (rc.defaultRuntimeClassName !== undefined) {
    const defPath = path.child("defaultRuntimeClassName");
    if (!isDns1123Subdomain(rc.defaultRuntimeClassName)) {
      errors.push(invalid(defPath, rc.defaultRuntimeClassName, "must be a valid RuntimeClass name (a lowercase RFC 1123 subdomain)"));
    }
    if (!hasWildcard && !seen.has(rc.defaultRuntimeClassName)) errors.push(invalid(defPath, rc.defaultRuntimeClassName, "default must be allowed"));
  }
  return errors;
}

/** Seccomp profile names as the pod annotations accept them (ValidateSeccompProfile). */
export function isValidSeccompProfileName(p: string): boolean {
  if (p === "runtime/default" || p === "docker/default" || p === "unconfined") return true;
  if (!p.startsWith("localhost/")) return false;
  const local = p.slice("localhost/".length);
  return local !== "" && !local.startsWith("/") && !local.split("/").includes("..");
}

/** AppArmor profile names as the annotations accept them (apparmor.ValidateProfileFormat). */
export function isValidAppArmorProfileName(p: string): boolean {
  return p === "" || p === "runtime/default" || p === "unconfined" || p.startsWith("localhost/");
}

function validateAnnotations(annotations: Record<string, string>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const aaDefault = annotations[APPARMOR_DEFAULT_PROFILE_ANNOTATION];
  if (aaDefault && !isValidAppArmorProfileName(aaDefault)) {
    errors.push(invalid(path.key(APPARMOR_DEFAULT_PROFILE_ANNOTATION), aaDefault, `invalid AppArmor profile name: ${JSON.stringify(aaDefault)}`));
  }
  const aaAllowed = annotations[APPARMOR_ALLOWED_PROFILES_ANNOTATION];
  if (aaAllowed) {
    for (const p of aaAllowed.split(",")) {
      if (!isValidAppArmorProfileName(p)) errors.push(invalid(path.key(APPARMOR_ALLOWED_PROFILES_ANNOTATION), aaAllowed, `invalid AppArmor profile name: ${JSON.stringify(p)}`));
    }
  }
  const scDefault = annotations[SECCOMP_DEFAULT_PROFILE_ANNOTATION];
  if (scDefault && !isValidSeccompProfileName(scDefault)) {
    errors.push(invalid(path.key(SECCOMP_DEFAULT_PROFILE_ANNOTATION), scDefault, "must be a valid seccomp profile"));
  }
  const scAllowed = annotations[SECCOMP_ALLOWED_PROFILES_ANNOTATION];
  if (scAllowed) {
    for (const p of scAllowed.split(",")) {
      if (p === SECCOMP_ALLOW_ANY) continue;
      if (!isValidSeccompProfileName(p)) errors.push(invalid(path.key(SECCOMP_ALLOWED_PROFILES_ANNOTATION), p, "must be a valid seccomp profile"));
    }
  }
  return errors;
}
