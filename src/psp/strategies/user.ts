import { invalid, required, type FieldError, type FieldPath } from "../field-errors.js";
import type { RangeStrategy } from "../policy.js";
import { formatRanges, inRanges } from "./ranges.js";

/** runAsUser strategies (pkg/security/podsecuritypolicy/user). */
export interface RunAsUserStrategy {
  rule: string;
  /** The UID to default when neither the container nor the pod sets one. */
  generate(): number | undefined;
  validate(scPath: FieldPath, runAsNonRoot: boolean | undefined, runAsUser: number | undefined): FieldError[];
}

export function createRunAsUserStrategy(opts: RangeStrategy): RunAsUserStrategy | string {
  switch (opts.rule) {
    case "MustRunAs": {
      const first = opts.ranges[0];
      if (!first) return "MustRunAs requires at least one range";
      return {
        rule: opts.rule,
        generate: () => first.min,
        validate(scPath, _nonRoot, uid) {
          if (uid === undefined) return [required(scPath.child("runAsUser"))];
          if (!inRanges(uid, opts.ranges)) return [invalid(scPath.child("runAsUser"), uid, `must be in the ranges: ${formatRanges(opts.ranges)}`)];
          return [];
        },
      };
    }
    case "MustRunAsNonRoot":
      return {
        rule: opts.rule,
        // No UID is generated: the image's user is trusted, checked by the kubelet via runAsNonRoot.
        generate: () => undefined,
        validate(scPath, nonRoot, uid) {
          if (nonRoot === undefined && uid === undefined) return [required(scPath.child("runAsNonRoot"), "must be true")];
          if (nonRoot === false) return [invalid(scPath.child("runAsNonRoot"), false, "must be true")];
          if (uid === 0) return [invalid(scPath.child("runAsUser"), 0, "running with the root UID is forbidden")];
          return [];
        },
      };
    case "RunAsAny":
      return { rule: opts.rule, generate: () => undefined, validate: () => [] };
    default:
      return `Unrecognized RunAsUser strategy type ${opts.rule}`;
  }
}
