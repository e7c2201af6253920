import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admitPod } from "../../src/psp/admit.js";
import { migratePolicy, newestFittingMinor, policyGaps } from "../../src/psp/migrate.js";
import type { PodJson } from "../../src/psp/pod.js";
import { evaluatePod } from "../../src/podsecurity/evaluate.js";
import { formatVersion } from "../../src/podsecurity/levels.js";
import type { PodView } from "../../src/podsecurity/pod.js";
import { pod, policy } from "./helpers.js";

const AA = { "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default", "apparmor.security.beta.kubernetes.io/defaultProfileName": "runtime/default" };
const SECCOMP = { "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default", "seccomp.security.alpha.kubernetes.io/defaultProfileName": "runtime/default" };
const tight = {
  seLinux: { rule: "MustRunAs", seLinuxOptions: { type: "container_t", level: "s0:c1,c2" } },
  runAsUser: { rule: "MustRunAsNonRoot" },
  allowPrivilegeEscalation: false,
  requiredDropCapabilities: ["ALL"],
  volumes: ["configMap", "secret", "emptyDir", "projected", "downwardAPI", "persistentVolumeClaim"],
};

describe("psp migrate", () => {
  it("a policy as tight as PSP allows fits baseline, pinned below the probe-host check, and never restricted", () => {
    const m = migratePolicy(policy(tight, "tight", { ...AA, ...SECCOMP }));
    expect(m.level).toBe("baseline");
    expect(formatVersion(m.version)).toBe("v1.33");
    expect(m.labels).toEqual({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/enforce-version": "v1.33",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": "latest",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/audit-version": "latest",
    });
    expect(m.gaps.filter((g) => g.level === "restricted").map((g) => g.checkId)).toEqual(["runAsNonRoot"]);
    expect(m.notes[0]).toMatch(/hostProbesAndHostLifecycle/);
    expect(m.defaultedByPsp).toContain("seccomp profile runtime/default (set seccompProfile in the pod)");
  });

  it("an empty AppArmor name in allowedProfileNames (a trailing comma) admits only an unset profile, which baseline allows", () => {
    const trailing = { ...AA, "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default," };
    expect(migratePolicy(policy(tight, "trailing", { ...trailing, ...SECCOMP })).level).toBe("baseline");
    const unconfined = { ...AA, "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default,unconfined" };
    expect(migratePolicy(policy(tight, "unconfined", { ...unconfined, ...SECCOMP })).level).toBe("privileged");
  });

  it("seLinux RunAsAny (the documentation's restricted policy) keeps a policy at privileged, and says so", () => {
    const m = migratePolicy(policy({ ...tight, seLinux: { rule: "RunAsAny" } }, "docs-restricted", { ...AA, ...SECCOMP }));
    expect(m.level).toBe("privileged");
    expect(m.gaps.find((g) => g.checkId === "seLinuxOptions")?.allows).toMatch(/RunAsAny/);
    expect(m.labels["pod-security.kubernetes.io/warn"]).toBe("baseline");
  });

  it("seLinux MustRunAs container_engine_t fits baseline from v1.31 on (the type baseline added then), not privileged", () => {
    const engine = { ...tight, seLinux: { rule: "MustRunAs", seLinuxOptions: { type: "container_engine_t" } } };
    const psp = policy(engine, "engine", { ...AA, ...SECCOMP });
    const m = migratePolicy(psp);
    expect(m.level).toBe("baseline");
    expect(formatVersion(m.version)).toBe("v1.33");
    expect(m.gaps.find((g) => g.checkId === "seLinuxOptions")).toMatchObject({ level: "baseline", sinceMinor: 0, untilMinor: 30 });
    // The pods the policy admits pass baseline at the chosen version, and would not before v1.31.
    const r = admitPod([psp], { pod: pod() });
    expect(r.allowed).toBe(true);
    const view = syncSeccompAnnotations(r.pod) as unknown as PodView;
    expect(evaluatePod(m.level, m.version, view)).toEqual([]);
    expect(evaluatePod("baseline", { latest: false, minor: 30 }, view).map((v) => v.checkId)).toContain("seLinuxOptions");
    // A custom user still keeps the policy out of baseline at every version.
    const withUser = migratePolicy(policy({ ...tight, seLinux: { rule: "MustRunAs", seLinuxOptions: { type: "container_engine_t", user: "system_u" } } }, "u", { ...AA, ...SECCOMP }));
    expect(withUser.level).toBe("privileged");
  });

  it("lists each field the policy allowed beyond a level, with the versions it applies to", () => {
    const gaps = policyGaps(policy({ hostNetwork: true, privileged: true, allowedCapabilities: ["SYS_ADMIN", "CHOWN"], volumes: ["hostPath"], hostPorts: [{ min: 80, max: 80 }], allowedProcMountTypes: ["Default", "Unmasked"], allowedUnsafeSysctls: ["net.core.*"] }));
    const ids = gaps.map((g) => g.checkId);
    for (const id of ["hostNamespaces", "privileged", "capabilities_baseline", "hostPathVolumes", "hostPorts", "procMount", "procMount_restricted", "sysctls", "restrictedVolumes", "allowPrivilegeEscalation", "runAsUser"]) expect(ids).toContain(id);
    expect(gaps.find((g) => g.checkId === "capabilities_baseline")?.allows).toBe("adding capabilities SYS_ADMIN");
    expect(gaps.find((g) => g.checkId === "allowPrivilegeEscalation")?.sinceMinor).toBe(8);
  });

  it("picks the newest version a level fits", () => {
    expect(newestFittingMinor([{ checkId: "x", level: "restricted", sinceMinor: 8, allows: "" }], "restricted")).toBe(7);
    expect(newestFittingMinor([{ checkId: "x", level: "restricted", sinceMinor: 0, allows: "" }], "restricted")).toBeUndefined();
    expect(newestFittingMinor([{ checkId: "x", level: "restricted", sinceMinor: 0, allows: "" }], "baseline")).toBe(37);
    expect(newestFittingMinor([{ checkId: "s", level: "baseline", sinceMinor: 0, untilMinor: 21, allows: "" }], "baseline")).toBe(37);
  });

  it("says what the chosen level allows that the policy forbade", () => {
    const m = migratePolicy(policy({ ...tight, readOnlyRootFilesystem: true, runAsUser: { rule: "MustRunAs", ranges: [{ min: 1000, max: 2000 }] }, fsGroup: { rule: "MustRunAs", ranges: [{ min: 1, max: 10 }] } }, "t", { ...AA, ...SECCOMP }));
    expect(m.looser).toContain("a writable root filesystem (the policy required readOnlyRootFilesystem)");
    expect(m.looser.some((l) => l.startsWith("any UID (the policy required UIDs in 1000-2000)"))).toBe(true);
    expect(m.looser).toContain("any fsGroup (the policy required 1-10)");
  });
});

/** The API server's create-time sync of seccomp annotations into fields (v1.19+), which PSA then reads. */
function syncSeccompAnnotations(p: PodJson): PodJson {
  const out = structuredClone(p);
  const ann = out.metadata?.annotations ?? {};
  const toField = (v: string) => (v === "runtime/default" || v === "docker/default" ? { type: "RuntimeDefault" } : v === "unconfined" ? { type: "Unconfined" } : v.startsWith("localhost/") ? { type: "Localhost", localhostProfile: v.slice(10) } : undefined);
  const podValue = ann["seccomp.security.alpha.kubernetes.io/pod"];
  if (podValue && !out.spec.securityContext?.seccompProfile) {
    const f = toField(podValue);
    if (f) out.spec.securityContext = { ...(out.spec.securityContext ?? {}), seccompProfile: f };
  }
  return out;
}

describe("migrate soundness (property)", () => {
  it("the tight policy's defaulted pods pass the level it maps to", () => {
    const psp = policy(tight, "tight", { ...AA, ...SECCOMP });
    const m = migratePolicy(psp);
    for (const candidate of [pod(), pod({ containers: [{ name: "a", image: "x", securityContext: { runAsUser: 1000 } }] }), pod({ volumes: [{ name: "v", emptyDir: {} }] })]) {
      const r = admitPod([psp], { pod: candidate });
      expect(r.allowed).toBe(true);
      expect(evaluatePod(m.level, m.version, syncSeccompAnnotations(r.pod) as unknown as PodView)).toEqual([]);
    }
  });

  it("every pod the policy admits passes the level and version migrate chose", () => {
    const anyPolicyArb = fc.record({
      // Weighted towards tight policies, so that baseline and restricted outcomes are exercised.
      seLinux: fc.constantFrom({ rule: "RunAsAny" }, { rule: "MustRunAs", seLinuxOptions: { type: "container_t" } }, { rule: "MustRunAs", seLinuxOptions: { type: "container_t" } }, { rule: "MustRunAs", seLinuxOptions: { type: "spc_t" } }),
      runAsUser: fc.constantFrom({ rule: "MustRunAsNonRoot" }, { rule: "RunAsAny" }, { rule: "MustRunAs", ranges: [{ min: 1000, max: 2000 }] }, { rule: "MustRunAs", ranges: [{ min: 0, max: 10 }] }),
      allowPrivilegeEscalation: fc.boolean(),
      privileged: fc.constantFrom(false, false, false, true),
      hostNetwork: fc.constantFrom(false, false, false, true),
      requiredDropCapabilities: fc.constantFrom<string[]>([], ["ALL"]),
      allowedCapabilities: fc.constantFrom<string[]>([], [], ["NET_BIND_SERVICE"], ["CHOWN"], ["SYS_ADMIN"]),
      volumes: fc.constantFrom(["*"], ["configMap", "emptyDir"], ["configMap", "emptyDir"], ["hostPath", "emptyDir"]),
      allowedProcMountTypes: fc.constantFrom<string[]>([], [], [], ["Default", "Unmasked"]),
      annotations: fc.constantFrom({}, { ...AA, ...SECCOMP }, { ...AA, ...SECCOMP }, { ...AA, ...SECCOMP }, { ...AA, "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "*" }),
    });
    // Half the policies are tight ones (baseline-clean apart from a few relaxations), so
    // that the baseline and restricted outcomes are judged often, not by luck.
    const tightPolicyArb = fc.record({
      seLinux: fc.constant({ rule: "MustRunAs", seLinuxOptions: { type: "container_t" } }),
      runAsUser: fc.constantFrom({ rule: "MustRunAsNonRoot" }, { rule: "MustRunAs", ranges: [{ min: 1000, max: 2000 }] }, { rule: "RunAsAny" }),
      allowPrivilegeEscalation: fc.boolean(),
      privileged: fc.constant(false),
      hostNetwork: fc.constant(false),
      requiredDropCapabilities: fc.constantFrom<string[]>([], ["ALL"]),
      allowedCapabilities: fc.constantFrom<string[]>([], ["NET_BIND_SERVICE"], ["CHOWN"]),
      volumes: fc.constantFrom(["configMap", "emptyDir"], ["*"]),
      allowedProcMountTypes: fc.constant<string[]>([]),
      annotations: fc.constant({ ...AA, ...SECCOMP }),
    });
    const policyArb = fc.oneof(anyPolicyArb, tightPolicyArb);
    // Pods weighted towards what tight policies admit, with every kind of violation still reachable.
    const scArb = fc.record(
      {
        privileged: fc.constantFrom(false, false, true),
        allowPrivilegeEscalation: fc.boolean(),
        runAsUser: fc.constantFrom(0, 5, 1500),
        runAsNonRoot: fc.boolean(),
        procMount: fc.constantFrom("Default", "Default", "Unmasked"),
        seLinuxOptions: fc.constantFrom({ type: "container_t" }, { type: "container_t" }, { type: "spc_t" }),
        capabilities: fc.record({ add: fc.constantFrom<string[]>([], [], ["NET_BIND_SERVICE"], ["CHOWN"], ["SYS_ADMIN"]), drop: fc.subarray(["ALL"]) }, { requiredKeys: [] }),
        seccompProfile: fc.constantFrom({ type: "RuntimeDefault" }, { type: "RuntimeDefault" }, { type: "Unconfined" }),
      },
      { requiredKeys: [] },
    );
    const podArb = fc.record({
      sc: scArb,
      hostNetwork: fc.constantFrom(false, false, false, true),
      volume: fc.constantFrom(undefined, { name: "v", emptyDir: {} }, { name: "v", emptyDir: {} }, { name: "v", hostPath: { path: "/" } }),
    });
    // Tight policies with pods they admit at baseline or restricted: run first, so the
    // property is never judged over no strict admission at all, whatever the random seed.
    const tight = { seLinux: { rule: "MustRunAs", seLinuxOptions: { type: "container_t" } }, allowPrivilegeEscalation: false, privileged: false, hostNetwork: false, requiredDropCapabilities: ["ALL"], allowedCapabilities: [], volumes: ["configMap", "emptyDir"], allowedProcMountTypes: [], annotations: { ...AA, ...SECCOMP } };
    const cleanSc = { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };
    type PolicyCase = typeof policyArb extends fc.Arbitrary<infer T> ? T : never;
    type PodCase = typeof podArb extends fc.Arbitrary<infer T> ? T : never;
    const examples = (<T extends Array<[unknown, unknown]>>(cases: T) => cases as unknown as Array<[PolicyCase, PodCase]>)([
      [{ ...tight, runAsUser: { rule: "MustRunAsNonRoot" } }, { sc: cleanSc, hostNetwork: false }],
      [{ ...tight, runAsUser: { rule: "MustRunAsNonRoot" } }, { sc: { ...cleanSc, runAsUser: 1500 }, hostNetwork: false, volume: { name: "v", emptyDir: {} } }],
      [{ ...tight, runAsUser: { rule: "MustRunAs", ranges: [{ min: 1000, max: 2000 }] } }, { sc: { ...cleanSc, runAsUser: 1500 }, hostNetwork: false }],
      [{ ...tight, runAsUser: { rule: "MustRunAs", ranges: [{ min: 1000, max: 2000 }] } }, { sc: cleanSc, hostNetwork: false, volume: { name: "v", emptyDir: {} } }],
    ]);
    let admittedAtStrictLevel = 0;
    fc.assert(
      fc.property(policyArb, podArb, ({ annotations, ...spec }, p) => {
        const psp = policy(spec, "gen", annotations);
        const m = migratePolicy(psp);
        const candidate = pod({
          ...(p.hostNetwork ? { hostNetwork: true } : {}),
          ...(p.volume ? { volumes: [p.volume] } : {}),
          containers: [{ name: "app", image: "x", securityContext: p.sc }],
        });
        const r = admitPod([psp], { pod: candidate });
        if (!r.allowed) return;
        if (m.level !== "privileged") admittedAtStrictLevel++;
        const violations = evaluatePod(m.level, m.version, syncSeccompAnnotations(r.pod) as unknown as PodView);
        expect(violations.map((v) => v.checkId)).toEqual([]);
      }),
      { numRuns: 600, examples },
    );
    // Not vacuous: admitted pods were judged at baseline or restricted (the examples at least).
    expect(admittedAtStrictLevel).toBeGreaterThan(3);
  });
});
