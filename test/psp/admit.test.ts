import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admitPod, type MayUse } from "../../src/psp/admit.js";
import type { PodJson } from "../../src/psp/pod.js";
import { createProvider } from "../../src/psp/provider.js";
import { pod, policy } from "./helpers.js";

const restricted = policy({ runAsUser: { rule: "MustRunAsNonRoot" }, allowPrivilegeEscalation: false, requiredDropCapabilities: ["ALL"], volumes: ["configMap", "secret", "emptyDir"] }, "restricted");
const permissive = policy({ privileged: true, hostNetwork: true, allowedCapabilities: ["*"] }, "permissive");

describe("policy choice", () => {
  it("prefers a policy that admits the pod unchanged, even if later by name", () => {
    const r = admitPod([restricted, permissive], { pod: pod() });
    expect(r.allowed).toBe(true);
    expect(r.policy).toBe("permissive");
    expect(r.mutated).toBe(false);
    expect(r.pod.metadata?.annotations?.["kubernetes.io/psp"]).toBe("permissive");
    expect(r.patch).toEqual([{ op: "add", path: "/metadata/annotations", value: { "kubernetes.io/psp": "permissive" } }]);
  });

  it("otherwise takes the first by name that admits after defaulting", () => {
    const other = policy({ runAsUser: { rule: "MustRunAs", ranges: [{ min: 1000, max: 1000 }] } }, "a-uid-1000");
    const r = admitPod([restricted, other], { pod: pod() });
    expect(r.policy).toBe("a-uid-1000");
    expect(r.mutated).toBe(true);
    expect(r.pod.spec.containers?.[0]?.securityContext).toEqual({ runAsUser: 1000 });
  });

  it("orders by name, not by input order", () => {
    const a = policy({}, "aaa");
    const b = policy({}, "bbb");
    expect(admitPod([b, a], { pod: pod() }).policy).toBe("aaa");
  });

  it("refuses with every usable policy's reasons", () => {
    const p = pod({ hostPID: true });
    const r = admitPod([restricted, policy({}, "baseline")], { pod: p });
    expect(r.allowed).toBe(false);
    expect(r.pod).toBe(p);
    expect(r.refusals.map((x) => x.policy)).toEqual(["baseline", "restricted"]);
    expect(r.message).toBe(
      "PodSecurityPolicy: unable to admit pod: [spec.hostPID: Invalid value: true: Host PID is not allowed to be used, spec.hostPID: Invalid value: true: Host PID is not allowed to be used]",
    );
  });

  it("asks mayUse about the user and the pod's service account", () => {
    const calls: unknown[] = [];
    const mayUse: MayUse = (name, user, sa) => {
      calls.push([name, user, sa]);
      return name === "restricted" && sa === "system:serviceaccount:ns:builder";
    };
    const r = admitPod([restricted, permissive], { pod: pod({ serviceAccountName: "builder" }), user: "alice" }, mayUse);
    expect(r.policy).toBe("restricted");
    expect(calls).toContainEqual(["permissive", "alice", "system:serviceaccount:ns:builder"]);
    const denied = admitPod([restricted, permissive], { pod: pod({ hostNetwork: true }), user: "alice" }, () => false);
    expect(denied.allowed).toBe(false);
    expect(denied.refusals.every((x) => x.reason === "not-usable")).toBe(true);
    expect(denied.message).toBe("PodSecurityPolicy: unable to admit pod: []");
  });

  it("on update accepts only unchanged admission and tries the previous policy first", () => {
    const r = admitPod([restricted], { pod: pod(), operation: "update" });
    expect(r.allowed).toBe(false);
    expect(r.refusals[0]?.reason).toBe("would-mutate");
    const a = policy({}, "aaa");
    const z = policy({}, "zzz");
    expect(admitPod([a, z], { pod: pod(), operation: "update", validatedPolicyHint: "zzz" }).policy).toBe("zzz");
  });

  it("skips a policy that cannot make a provider and says why", () => {
    const broken = policy({ fsGroup: { rule: "MustRunAs" } }, "broken");
    const r = admitPod([broken], { pod: pod() });
    expect(r.allowed).toBe(false);
    expect(r.message).toBe("no providers available to validate pod request");
    expect(r.refusals[0]?.message).toMatch(/ranges must be supplied for MustRunAs/);
    expect(admitPod([], { pod: pod() }).allowed).toBe(false);
  });
});

// Properties over generated policies and pods.
const range = fc.integer({ min: 0, max: 3000 }).chain((min) => fc.integer({ min, max: min + 2000 }).map((max) => ({ min, max })));
const rangeRule = (rules: string[]) => fc.record({ rule: fc.constantFrom(...rules), ranges: fc.array(range, { minLength: 1, maxLength: 2 }) });
const caps = fc.subarray(["NET_BIND_SERVICE", "CHOWN", "SYS_TIME", "NET_RAW", "KILL"]);
const policyArb = fc
  .record({
    runAsUser: fc.oneof(rangeRule(["MustRunAs"]), fc.constant({ rule: "MustRunAsNonRoot" }), fc.constant({ rule: "RunAsAny" })),
    runAsGroup: rangeRule(["MustRunAs", "MayRunAs", "RunAsAny"]),
    fsGroup: rangeRule(["MustRunAs", "MayRunAs", "RunAsAny"]),
    supplementalGroups: rangeRule(["MustRunAs", "MayRunAs", "RunAsAny"]),
    seLinux: fc.constantFrom({ rule: "RunAsAny" }, { rule: "MustRunAs", seLinuxOptions: { type: "container_t", level: "s0:c1,c2" } }),
    readOnlyRootFilesystem: fc.boolean(),
    allowPrivilegeEscalation: fc.boolean(),
    defaultAddCapabilities: caps,
    requiredDropCapabilities: fc.constantFrom<string[]>([], ["ALL"], ["NET_RAW"]),
    runtimeClass: fc.constantFrom(undefined, { allowedRuntimeClassNames: ["gvisor"], defaultRuntimeClassName: "gvisor" }),
  })
  .filter((s) => !s.defaultAddCapabilities.some((c) => s.requiredDropCapabilities.includes(c)))
  .map((s) => {
    const spec: Record<string, unknown> = { ...s };
    if (s.runtimeClass === undefined) delete spec.runtimeClass;
    return spec;
  });
const sc = fc.record(
  {
    runAsUser: fc.integer({ min: 0, max: 6000 }),
    runAsNonRoot: fc.boolean(),
    readOnlyRootFilesystem: fc.boolean(),
    allowPrivilegeEscalation: fc.boolean(),
    capabilities: fc.record({ add: caps, drop: fc.subarray(["ALL", "NET_RAW", "CHOWN"]) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const podArb = fc
  .record({
    containers: fc.array(sc, { minLength: 1, maxLength: 2 }),
    init: fc.array(sc, { maxLength: 1 }),
    podSc: fc.record({ runAsUser: fc.integer({ min: 0, max: 6000 }), fsGroup: fc.integer({ min: 0, max: 6000 }) }, { requiredKeys: [] }),
  })
  .map(({ containers, init, podSc }) =>
    pod({
      securityContext: podSc,
      containers: containers.map((s, i) => ({ name: `c${i}`, securityContext: s })),
      ...(init.length ? { initContainers: init.map((s, i) => ({ name: `i${i}`, securityContext: s })) } : {}),
    }),
  );

describe("properties", () => {
  it("a pod a policy admits after mutation validates against that policy, and admitting it again changes nothing", () => {
    let admittedMutated = 0;
    fc.assert(
      fc.property(policyArb, podArb, (spec, p) => {
        const psp = policy(spec, "gen");
        const r = admitPod([psp], { pod: p });
        if (!r.allowed) return;
        if (r.mutated) admittedMutated++;
        const provider = createProvider(psp);
        if ("error" in provider) throw new Error(provider.error);
        expect(provider.validatePod(r.pod)).toEqual([]);
        const again = admitPod([psp], { pod: r.pod });
        expect(again.allowed).toBe(true);
        expect(again.mutated).toBe(false);
        expect(again.pod).toEqual(r.pod);
      }),
      { numRuns: 300 },
    );
    // The property must not hold vacuously: many generated pods are admitted only after defaulting.
    expect(admittedMutated).toBeGreaterThan(2);
  });

  it("mutating twice equals mutating once", () => {
    fc.assert(
      fc.property(policyArb, podArb, (spec, p) => {
        const provider = createProvider(policy(spec, "gen"));
        if ("error" in provider) throw new Error(provider.error);
        const once: PodJson = structuredClone(p);
        provider.mutatePod(once);
        const twice: PodJson = structuredClone(once);
        provider.mutatePod(twice);
        expect(twice).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });

  it("a pod with nothing set is admitted by every policy whose generated values satisfy it", () => {
    // MustRunAs everything, no caps to add: the defaulted empty pod must pass.
    fc.assert(
      fc.property(range, (r) => {
        const strict = policy({ runAsUser: { rule: "MustRunAs", ranges: [r] }, fsGroup: { rule: "MustRunAs", ranges: [r] }, supplementalGroups: { rule: "MustRunAs", ranges: [r] }, runAsGroup: { rule: "MustRunAs", ranges: [r] }, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, requiredDropCapabilities: ["ALL"] }, "strict");
        expect(admitPod([strict], { pod: pod() }).allowed).toBe(true);
      }),
    );
  });
});
