import { APPARMOR_ALLOWED_PROFILES_ANNOTATION, APPARMOR_CONTAINER_ANNOTATION_PREFIX, APPARMOR_DEFAULT_PROFILE_ANNOTATION } from "../constants.js";
import { FieldPath, forbidden, type FieldError } from "../field-errors.js";

/** AppArmor by annotation, as PSP knew it (pkg/security/podsecuritypolicy/apparmor). */
export interface AppArmorStrategy {
  /** The container's profile annotation to add, when the policy has a default and none is set. */
  generate(annotations: Readonly<Record<string, string>>, containerName: string): { key: string; value: string } | undefined;
  validate(annotations: Readonly<Record<string, string>>, containerName: string): FieldError[];
}

export function createAppArmorStrategy(pspAnnotations: Readonly<Record<string, string>>): AppArmorStrategy {
  const defaultProfile = pspAnnotations[APPARMOR_DEFAULT_PROFILE_ANNOTATION] ?? "";
  const allowedText = pspAnnotations[APPARMOR_ALLOWED_PROFILES_ANNOTATION];
  // Absent annotation: unrestricted. Present (even empty): only the listed profiles.
  const allowed = allowedText === undefined ? undefined : new Set(allowedText.split(","));
  return {
    generate(annotations, name) {
      const key = APPARMOR_CONTAINER_ANNOTATION_PREFIX + name;
      if ((annotations[key] ?? "") !== "" || defaultProfile === "") return undefined;
      return { key, value: defaultProfile };
    },
    validate(annotations, name) {
      if (!allowed) return [];
      const key = APPARMOR_CONTAINER_ANNOTATION_PREFIX + name;
      const path = FieldPath.root("metadata", "annotations").key(key);
      const profile = annotations[key] ?? "";
      if (profile === "") return allowed.size > 0 ? [forbidden(path, "AppArmor profile must be set")] : [];
      if (!allowed.has(profile)) return [forbidden(path, `${profile} is not an allowed profile. Allowed values: ${JSON.stringify(allowedText)}`)];
      return [];
    },
  };
}
