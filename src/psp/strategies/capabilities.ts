import { ALLOW_ALL_CAPABILITIES } from "../constants.js";
import { invalid, type FieldError, type FieldPath } from "../field-errors.js";
import type { PodSecurityPolicySpec } from "../policy.js";
import type { Capabilities } from "../pod.js";

/** Capability defaulting and validation (pkg/security/podsecuritypolicy/capabilities). */
export interface CapabilitiesStrategy {
  /** The container's capabilities after defaulting; the same object when nothing changes. */
  generate(current: Capabilities | undefined): Capabilities | undefined;
  validate(path: FieldPath, caps: Capabilities | undefined): FieldError[];
}

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

export function createCapabilitiesStrategy(spec: PodSecurityPolicySpec): CapabilitiesStrategy {
  const defaultAdd = spec.defaultAddCapabilities;
  const requiredDrop = spec.requiredDropCapabilities;
  const allowed = new Set(spec.allowedCapabilities);
  return {
    generate(current) {
      const containerAdd = new Set(current?.add ?? []);
      const containerDrop = new Set(current?.drop ?? []);
      // A default add the container explicitly drops is not added.
      const combinedAdd = new Set([...defaultAdd.filter((c) => !containerDrop.has(c)), ...containerAdd]);
      const combinedDrop = new Set([...requiredDrop, ...containerDrop]);
      if (combinedAdd.size === containerAdd.size && combinedDrop.size === containerDrop.size) return current;
      const out: Capabilities = {};
      if (combinedAdd.size > 0) out.add = sortedUnique(combinedAdd);
      if (combinedDrop.size > 0) out.drop = sortedUnique(combinedDrop);
      return out;
    },
    validate(path, caps) {
      if (!caps) {
        if (defaultAdd.length === 0 && requiredDrop.length === 0) return [];
        return [invalid(path, null, "required capabilities are not set on the securityContext")];
      }
      if (allowed.has(ALLOW_ALL_CAPABILITIES)) return [];
      const errors: FieldError[] = [];
      for (const c of caps.add ?? []) {
        if (!defaultAdd.includes(c) && !allowed.has(c)) errors.push(invalid(path.child("add"), c, "capability may not be added"));
      }
      const drops = new Set(caps.drop ?? []);
      for (const d of requiredDrop) {
        if (!drops.has(d)) errors.push(invalid(path.child("drop"), caps.drop ?? null, `${d} is required to be dropped but was not found`));
      }
      return errors;
    },
  };
}
