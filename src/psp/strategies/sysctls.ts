import { PSP_SAFE_SYSCTLS } from "../constants.js";
import { forbidden, type FieldError, type FieldPath } from "../field-errors.js";

/** Sysctl validation (pkg/security/podsecuritypolicy/sysctl, MustMatchPatterns). */

/** An entry matches by name, or by prefix when it ends in `*`. */
export function matchesSysctlPattern(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : name === p));
}

export function validateSysctls(
  path: FieldPath,
  sysctls: readonly { name: string }[],
  allowedUnsafe: readonly string[],
  forbiddenList: readonly string[],
): FieldError[] {
  const errors: FieldError[] = [];
  sysctls.forEach((s, i) => {
    if (matchesSysctlPattern(s.name, forbiddenList)) errors.push(forbidden(path.index(i), `sysctl ${JSON.stringify(s.name)} is not allowed`));
    else if ((PSP_SAFE_SYSCTLS as readonly string[]).includes(s.name)) return;
    else if (matchesSysctlPattern(s.name, allowedUnsafe)) return;
    else errors.push(forbidden(path.index(i), `unsafe sysctl ${JSON.stringify(s.name)} is not allowed`));
  });
  return errors;
}
