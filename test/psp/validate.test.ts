import { describe, expect, it } from "vitest";
import { formatFieldError } from "../../src/psp/field-errors.js";
import { readPodSecurityPolicy } from "../../src/psp/policy.js";
import { validatePolicy } from "../../src/psp/validate.js";

const base = {
  seLinux: { rule: "RunAsAny" },
  runAsUser: { rule: "RunAsAny" },
  supplementalGroups: { rule: "RunAsAny" },
  fsGroup: { rule: "RunAsAny" },
};

function errorsOf(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: "p" }): string[] {
  const { policy, errors } = readPodSecurityPolicy({ apiVersion: "policy/v1beta1", kind: "PodSecurityPolicy", metadata, spec: { ...base, ...spec } });
  return [...errors, ...validatePolicy(policy)].map(formatFieldError);
}

describe("PodSecurityPolicy validation", () => {
  it("accepts a minimal policy and defaults allowPrivilegeEscalation to true", () => {
    expect(errorsOf({})).toEqual([]);
    const { policy } = readPodSecurityPolicy({ apiVersion: "policy/v1beta1", kind: "PodSecurityPolicy", metadata: { name: "p" }, spec: base });
    expect(policy.spec.allowPrivilegeEscalation).toBe(true);
  });

  it("requires a valid name", () => {
    expect(errorsOf({}, {})).toEqual(["metadata.name: Required value: name or generateName is required"]);
    expect(errorsOf({}, { name: "Bad_Name" })[0]).toMatch(/^metadata.name: Invalid value: "Bad_Name"/);
  });

  it("requires every strategy rule and rejects unknown ones", () => {
    const errs = errorsOf({ runAsUser: { rule: "Nope" }, seLinux: {}, fsGroup: { rule: "MustRunAsNonRoot" } });
    expect(errs).toContain('spec.runAsUser.rule: Unsupported value: "Nope": supported values: "MustRunAs", "MustRunAsNonRoot", "RunAsAny"');
    expect(errs).toContain('spec.seLinux.rule: Unsupported value: "": supported values: "MustRunAs", "RunAsAny"');
    expect(errs).toContain('spec.fsGroup.rule: Unsupported value: "MustRunAsNonRoot": supported values: "MayRunAs", "MustRunAs", "RunAsAny"');
    expect(errorsOf({ runAsGroup: { rule: "MayRunAs", ranges: [{ min: 1, max: 2 }] }, supplementalGroups: { rule: "MayRunAs", ranges: [{ min: 1, max: 2 }] } })).toEqual([]);
  });

  it("checks ID ranges", () => {
    const errs = errorsOf({ runAsUser: { rule: "MustRunAs", ranges: [{ min: -1, max: 5 }, { min: 10, max: 2 }] } });
    expect(errs).toEqual([
      "spec.runAsUser.ranges[0].min: Invalid value: -1: min cannot be negative",
      "spec.runAsUser.ranges[1].min: Invalid value: 10: min cannot be greater than max",
    ]);
  });

  it("checks volume types, accepting the * wildcard", () => {
    expect(errorsOf({ volumes: ["*", "configMap", "csi", "ephemeral"] })).toEqual([]);
    expect(errorsOf({ volumes: ["hostpath"] })[0]).toMatch(/^spec.volumes: Unsupported value: "hostpath"/);
  });

  it("checks capability lists against required drops and the wildcard", () => {
    expect(errorsOf({ requiredDropCapabilities: ["NET_RAW"], allowedCapabilities: ["*"] })).toEqual([
      'spec.requiredDropCapabilities: Invalid value: ["NET_RAW"]: must be empty when all capabilities are allowed by a wildcard',
    ]);
    expect(errorsOf({ requiredDropCapabilities: ["NET_RAW"], defaultAddCapabilities: ["NET_RAW"], allowedCapabilities: ["NET_RAW"] })).toEqual([
      'spec.defaultAddCapabilities: Invalid value: "NET_RAW": capability is listed in defaultAddCapabilities and requiredDropCapabilities',
      'spec.allowedCapabilities: Invalid value: "NET_RAW": capability is listed in allowedCapabilities and requiredDropCapabilities',
    ]);
  });

  it("forbids a default that escalation would not allow", () => {
    expect(errorsOf({ allowPrivilegeEscalation: false, defaultAllowPrivilegeEscalation: true })).toEqual([
      "spec.defaultAllowPrivilegeEscalation: Invalid value: true: Cannot set DefaultAllowPrivilegeEscalation to true without also setting AllowPrivilegeEscalation to true",
    ]);
    expect(errorsOf({ allowPrivilegeEscalation: true, defaultAllowPrivilegeEscalation: false })).toEqual([]);
  });

  it("checks allowed host paths", () => {
    expect(errorsOf({ allowedHostPaths: [{ pathPrefix: "/var/../etc" }] })).toEqual(['spec.allowedHostPaths[0]: Invalid value: "/var/../etc": must not contain \'..\'']);
    expect(errorsOf({ allowedHostPaths: [{ readOnly: true }, { pathPrefix: "" }] })).toEqual(["spec.allowedHostPaths[0]: Required value: is required"]);
  });

  it("requires flex volume drivers and CSI driver names", () => {
    expect(errorsOf({ allowedFlexVolumes: [{ driver: "" }], allowedCSIDrivers: [{}] })).toEqual([
      "spec.allowedFlexVolumes[0].driver: Required value: must specify a driver",
      "spec.allowedCSIDrivers[0].name: Required value: must specify the CSI driver name",
    ]);
  });

  it("checks sysctl patterns, the lone *, and overlaps", () => {
    expect(errorsOf({ allowedUnsafeSysctls: ["net.*", "kernel.msg*"], forbiddenSysctls: ["kernel.shm_rmid_forced"] })).toEqual([]);
    expect(errorsOf({ forbiddenSysctls: ["*", "net.core.somaxconn"] })).toEqual(["spec.forbiddenSysctls.items: Forbidden: if '*' is present, must not specify other sysctls"]);
    expect(errorsOf({ allowedUnsafeSysctls: ["Net.Core"] })[0]).toMatch(/^spec.allowedUnsafeSysctls\[0\]: Invalid value: "Net.Core": must have at most 253 characters/);
    expect(errorsOf({ allowedUnsafeSysctls: ["net.*"], forbiddenSysctls: ["net.core.somaxconn"] })).toEqual([
      'spec.forbiddenSysctls[0]: Invalid value: "net.core.somaxconn": sysctl overlaps with net.*',
    ]);
    expect(errorsOf({ allowedUnsafeSysctls: ["net.core.*"], forbiddenSysctls: ["net.*"] })).toEqual([
      'spec.allowedUnsafeSysctls[0]: Invalid value: "net.core.*": sysctl overlaps with net.*',
    ]);
    expect(errorsOf({ allowedUnsafeSysctls: ["a.b"], forbiddenSysctls: ["a.b"] })).toEqual(['spec.allowedUnsafeSysctls[0]: Invalid value: "a.b": sysctl overlaps with a.b']);
  });

  it("checks proc mount types and RuntimeClass names", () => {
    expect(errorsOf({ allowedProcMountTypes: ["Default", "Masked"] })).toEqual([
      'spec.allowedProcMountTypes[1]: Unsupported value: "Masked": supported values: "Default", "Unmasked"',
    ]);
    expect(errorsOf({ runtimeClass: { allowedRuntimeClassNames: ["gvisor", "gvisor"], defaultRuntimeClassName: "kata" } })).toEqual([
      'spec.runtimeClass.allowedRuntimeClassNames[1]: Duplicate value: "gvisor"',
      'spec.runtimeClass.defaultRuntimeClassName: Invalid value: "kata": default must be allowed',
    ]);
    expect(errorsOf({ runtimeClass: { allowedRuntimeClassNames: ["*"], defaultRuntimeClassName: "kata" } })).toEqual([]);
    expect(errorsOf({ runtimeClass: { allowedRuntimeClassNames: ["*", "kata"] } })[0]).toMatch(/if '\*' is present/);
  });

  it("checks seccomp and AppArmor annotations", () => {
    const errs = errorsOf({}, {
      name: "p",
      annotations: {
        "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default,*,localhost/../x",
        "seccomp.security.alpha.kubernetes.io/defaultProfileName": "default",
        "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default,foo",
      },
    });
    expect(errs).toEqual([
      'metadata.annotations[apparmor.security.beta.kubernetes.io/allowedProfileNames]: Invalid value: "runtime/default,foo": invalid AppArmor profile name: "foo"',
      'metadata.annotations[seccomp.security.alpha.kubernetes.io/defaultProfileName]: Invalid value: "default": must be a valid seccomp profile',
      'metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]: Invalid value: "localhost/../x": must be a valid seccomp profile',
    ]);
  });

  it("reports wrong types and unknown fields instead of guessing", () => {
    expect(errorsOf({ privileged: "yes", hostNetwrok: true })).toEqual([
      'spec.privileged: Invalid value: "yes": expected a boolean (true or false)',
      "spec.hostNetwrok: Invalid value: true: unknown field",
    ]);
  });
});
