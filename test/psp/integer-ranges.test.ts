/**
 * A PodSecurityPolicy's integers as Go decodes them: HostPortRange's bounds are int32 and
 * IDRange's int64, so a whole number beyond them fails decoding, as a fraction does, and
 * the policy never exists.
 */
import { describe, expect, it } from "vitest";
import { formatFieldError } from "../../src/psp/field-errors.js";
import { readPodSecurityPolicy } from "../../src/psp/policy.js";

function decodeErrors(spec: Record<string, unknown>): string[] {
  const { errors } = readPodSecurityPolicy({
    apiVersion: "policy/v1beta1",
    kind: "PodSecurityPolicy",
    metadata: { name: "p" },
    spec: { seLinux: { rule: "RunAsAny" }, runAsUser: { rule: "RunAsAny" }, supplementalGroups: { rule: "RunAsAny" }, fsGroup: { rule: "RunAsAny" }, ...spec },
  });
  return errors.map(formatFieldError);
}

describe("PodSecurityPolicy integers", () => {
  it("refuses host port bounds beyond int32, which Go cannot decode", () => {
    expect(decodeErrors({ hostPorts: [{ min: 0, max: 1e300 }] })).toEqual([expect.stringContaining("spec.hostPorts[0].max: Invalid value: 1e+300: expected an integer that fits int32")]);
    expect(decodeErrors({ hostPorts: [{ min: 0, max: 2 ** 31 }] })).toHaveLength(1);
    expect(decodeErrors({ hostPorts: [{ min: 0, max: 2 ** 31 - 1 }] })).toEqual([]);
  });

  it("takes IDRange bounds up to int64, as a user ID range may reach past int32", () => {
    expect(decodeErrors({ runAsUser: { rule: "MustRunAs", ranges: [{ min: 1, max: 2 ** 40 }] } })).toEqual([]);
    expect(decodeErrors({ runAsUser: { rule: "MustRunAs", ranges: [{ min: 1, max: 1e300 }] } })).toHaveLength(1);
  });
});
