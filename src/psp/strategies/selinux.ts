import { invalid, required, type FieldError, type FieldPath } from "../field-errors.js";
import type { PodSecurityPolicySpec, SELinuxOptions } from "../policy.js";
import type { SELinuxOptionsJson } from "../pod.js";

/** seLinux strategies (pkg/security/podsecuritypolicy/selinux). */
export interface SELinuxStrategy {
  rule: string;
  generate(): SELinuxOptionsJson | undefined;
  validate(path: FieldPath, options: SELinuxOptionsJson | undefined): FieldError[];
}

/** MCS levels compare with categories as a set: `s0:c6,c0` equals `s0:c0,c6`. */
export function equalSELinuxLevels(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  const e = splitOnce(expected);
  const a = splitOnce(actual);
  if (!e || !a) return false;
  if (e[0] !== a[0]) return false;
  const ec = e[1].split(",").sort();
  const ac = a[1].split(",").sort();
  return ec.length === ac.length && ec.every((c, i) => c === ac[i]);
}

function splitOnce(level: string): [string, string] | undefined {
  const i = level.indexOf(":");
  return i < 0 ? undefined : [level.slice(0, i), level.slice(i + 1)];
}

export function createSELinuxStrategy(opts: PodSecurityPolicySpec["seLinux"]): SELinuxStrategy | string {
  switch (opts.rule) {
    case "MustRunAs": {
      const want: SELinuxOptions | undefined = opts.seLinuxOptions;
      if (!want) return "MustRunAs requires SELinuxOptions";
      return {
        rule: opts.rule,
        generate: () => ({ ...want }),
        validate(path, got) {
          if (!got) return [required(path)];
          const errors: FieldError[] = [];
          if (!equalSELinuxLevels(want.level ?? "", got.level ?? "")) errors.push(invalid(path.child("level"), got.level ?? "", `must be ${want.level ?? ""}`));
          for (const k of ["role", "type", "user"] as const) {
            if ((got[k] ?? "") !== (want[k] ?? "")) errors.push(invalid(path.child(k), got[k] ?? "", `must be ${want[k] ?? ""}`));
          }
          return errors;
        },
      };
    }
    case "RunAsAny":
      return { rule: opts.rule, generate: () => undefined, validate: () => [] };
    default:
      return `Unrecognized SELinuxContext strategy type ${opts.rule}`;
  }
}
