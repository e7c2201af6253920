import { invalid, type FieldError, type FieldPath } from "../field-errors.js";
import type { RangeStrategy } from "../policy.js";
import { formatRanges, inRanges } from "./ranges.js";

/** Group strategies shared by fsGroup, supplementalGroups and runAsGroup (pkg/security/podsecuritypolicy/group). */
export interface GroupStrategy {
  rule: string;
  /** supplementalGroups default. */
  generate(): number[] | undefined;
  /** fsGroup / runAsGroup default. */
  generateSingle(): number | undefined;
  validate(path: FieldPath, groups: readonly number[]): FieldError[];
}

function groupsInRanges(path: FieldPath, ranges: RangeStrategy["ranges"], groups: readonly number[]): FieldError[] {
  return groups
    .filter((g) => !inRanges(g, ranges))
    .map((g) => invalid(path, [...groups], `group ${g} must be in the ranges: ${formatRanges(ranges)}`));
}

export function createGroupStrategy(opts: RangeStrategy, kind: string): GroupStrategy | string {
  switch (opts.rule) {
    case "MustRunAs": {
      const first = opts.ranges[0];
      if (!first) return "ranges must be supplied for MustRunAs";
      return {
        rule: opts.rule,
        generate: () => [first.min],
        generateSingle: () => first.min,
        validate(path, groups) {
          const errors: FieldError[] = [];
          if (groups.length === 0) errors.push(invalid(path, [...groups], "unable to validate empty groups against required ranges"));
          return [...errors, ...groupsInRanges(path, opts.ranges, groups)];
        },
      };
    }
    case "MayRunAs":
      if (opts.ranges.length === 0) return "ranges must be supplied for MayRunAs";
      return {
        rule: opts.rule,
        generate: () => undefined,
        generateSingle: () => undefined,
        validate: (path, groups) => groupsInRanges(path, opts.ranges, groups),
      };
    case "RunAsAny":
      return { rule: opts.rule, generate: () => undefined, generateSingle: () => undefined, validate: () => [] };
    default:
      return `Unrecognized ${kind} strategy type ${opts.rule}`;
  }
}
