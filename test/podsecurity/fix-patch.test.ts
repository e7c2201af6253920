import fc from "fast-check";
import fastJsonPatch from "fast-json-patch";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { checkPodSecurity } from "../../src/podsecurity/family.js";
import { editsAsJsonPatch } from "../../src/podsecurity/fix-patch.js";
import { LATEST, parseVersion, type Level, type Version } from "../../src/podsecurity/levels.js";
import type { ScanOptions } from "../../src/scan/family.js";
import { snapshotOf } from "../support/snapshot.js";

/** The checks `palisade fix` edits (src/fix/plan.ts), with the level each is judged at. */
const FIXABLE: ReadonlyArray<readonly [string, Level]> = [
  ["allowPrivilegeEscalation", "restricted"],
  ["runAsNonRoot", "restricted"],
  ["seccompProfile_restricted", "restricted"],
  ["capabilities_restricted", "restricted"],
  ["capabilities_baseline", "baseline"],
];
const FIXABLE_RULES = new Set(FIXABLE.map(([id]) => `pss/${id}`));

const VERSIONS: Version[] = [LATEST, parseVersion("v1.22") as Version, parseVersion("v1.25") as Version, parseVersion("v1.30") as Version];

// ---- objects as people write them: maps left out, null, empty or partly filled ----

const capabilityName = fc.constantFrom("NET_BIND_SERVICE", "CHOWN", "KILL", "SYS_ADMIN", "NET_RAW", "SYS_PTRACE");
const capabilities = fc.oneof(
  fc.constant(null),
  fc.record({ add: fc.uniqueArray(capabilityName, { maxLength: 3 }), drop: fc.constantFrom([], ["NET_RAW"], ["ALL"], ["CHOWN", "ALL"]) }, { requiredKeys: [] }),
);
const allowedSeccomp = fc.constantFrom({ type: "RuntimeDefault" }, { type: "Localhost", localhostProfile: "profiles/p.json" });

/** What a container may say that `palisade fix` can make pass: nothing it refuses to change. */
const fixableContainerContext = fc.record(
  { allowPrivilegeEscalation: fc.boolean(), capabilities, runAsNonRoot: fc.constant(true), runAsUser: fc.integer({ min: 1, max: 65535 }), seccompProfile: allowedSeccomp, readOnlyRootFilesystem: fc.boolean() },
  { requiredKeys: [] },
);
/** Beside that, what it refuses: privileged, root, Unconfined, explicit runAsNonRoot: false. */
const anyContainerContext = fc.record(
  {
    allowPrivilegeEscalation: fc.boolean(),
    capabilities: fc.oneof(capabilities, fc.constant({ add: ["ALL"] })),
    privileged: fc.boolean(),
    runAsNonRoot: fc.boolean(),
    runAsUser: fc.constantFrom(0, 1000),
    seccompProfile: fc.oneof(allowedSeccomp, fc.constant({ type: "Unconfined" })),
  },
  { requiredKeys: [] },
);

const container = (name: string, context: fc.Arbitrary<Record<string, unknown>>) =>
  fc.record({ name: fc.constant(name), image: fc.constant("registry.example.com/app:1"), securityContext: fc.oneof(context, fc.constant(null)) }, { requiredKeys: ["name", "image"] });

function podSpec(context: fc.Arbitrary<Record<string, unknown>>, podContext: fc.Arbitrary<Record<string, unknown>>, extra: Record<string, fc.Arbitrary<unknown>>) {
  return fc.record(
    {
      securityContext: fc.oneof(podContext, fc.constant(null)),
      containers: fc.tuple(container("a", context), container("b", context)).chain(([a, b]) => fc.constantFrom([a], [a, b])),
      initContainers: container("init", context).map((c) => [c]),
      restartPolicy: fc.constant("Always"),
      ...extra,
    },
    { requiredKeys: ["containers"] },
  );
}

const fixableSpec = podSpec(fixableContainerContext, fc.record({ runAsNonRoot: fc.constant(true), seccompProfile: allowedSeccomp, fsGroup: fc.integer({ min: 1, max: 9999 }) }, { requiredKeys: [] }), {});
const anySpec = podSpec(
  anyContainerContext,
  fc.record({ runAsNonRoot: fc.boolean(), runAsUser: fc.constantFrom(0, 1000), seccompProfile: fc.oneof(allowedSeccomp, fc.constant({ type: "Unconfined" })) }, { requiredKeys: [] }),
  { hostNetwork: fc.boolean(), os: fc.constantFrom({ name: "linux" }, { name: "windows" }) },
);

/** A Pod, a Deployment (through spec.template) or a CronJob (through spec.jobTemplate.spec.template). */
function objectOf(kind: "Pod" | "Deployment" | "CronJob", spec: Record<string, unknown>): K8sObject {
  if (kind === "Pod") return { apiVersion: "v1", kind, metadata: { name: "p" }, spec };
  const template = { metadata: { labels: { app: "w" } }, spec: kind === "CronJob" ? { ...spec, restartPolicy: "OnFailure" } : spec };
  if (kind === "Deployment") return { apiVersion: "apps/v1", kind, metadata: { name: "d" }, spec: { selector: { matchLabels: { app: "w" } }, template } };
  return { apiVersion: "batch/v1", kind, metadata: { name: "c" }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template } } } };
}

const kind = fc.constantFrom("Pod" as const, "Deployment" as const, "CronJob" as const);
const fixableObject = fc.tuple(kind, fixableSpec).map(([k, spec]) => objectOf(k, spec));
const anyObject = fc.tuple(kind, anySpec).map(([k, spec]) => objectOf(k, spec));

function judge(object: K8sObject, level: Level, version: Version, fixes: boolean): Finding[] {
  const options: ScanOptions = { podSecurity: { level, version }, ...(fixes ? { fixes: true } : {}) };
  return checkPodSecurity(snapshotOf(object), options);
}

/** The finding's patch applied alone to the object as scanned (validated: an operation on a missing parent throws). */
function patched(object: K8sObject, finding: Finding): K8sObject {
  return fastJsonPatch.applyPatch(structuredClone(object), finding.fix ?? [], true, false).newDocument;
}

/** Its patch alone clears the finding and makes no other check fail. */
function expectPatchClears(object: K8sObject, finding: Finding, level: Level, version: Version): void {
  const before = new Set(judge(object, level, version, false).map((f) => f.ruleId));
  const after = judge(patched(object, finding), level, version, false).map((f) => f.ruleId);
  expect(after, JSON.stringify(finding.fix)).not.toContain(finding.ruleId);
  for (const ruleId of after) expect(before.has(ruleId), `${ruleId} after ${JSON.stringify(finding.fix)}`).toBe(true);
}

describe("pss/* findings carry the fix palisade fix would make, as a JSON patch (--fixes)", () => {
  describe.each(FIXABLE)("%s (judged at %s)", (checkId, level) => {
    it("every violating pod, Deployment and CronJob gets a patch that alone clears the finding and adds none", () => {
      fc.assert(
        fc.property(fixableObject, fc.constantFrom(...VERSIONS), (object, version) => {
          const finding = judge(object, level, version, true).find((f) => f.ruleId === `pss/${checkId}`);
          fc.pre(finding !== undefined);
          const found = finding as Finding;
          expect(found.fix?.length).toBeGreaterThan(0);
          // Through the template's path in the object as written.
          const prefix = object.kind === "Pod" ? "/spec/" : object.kind === "Deployment" ? "/spec/template/spec/" : "/spec/jobTemplate/spec/template/spec/";
          for (const operation of found.fix ?? []) expect(operation.path.startsWith(prefix)).toBe(true);
          expectPatchClears(object, found, level, version);
        }),
        { numRuns: 150 },
      );
    });
  });

  it("a patch, where one is given, alone clears its finding; checks palisade fix refuses never get one", () => {
    fc.assert(
      fc.property(anyObject, fc.constantFrom<Level>("baseline", "restricted"), fc.constantFrom(...VERSIONS), (object, level, version) => {
        for (const finding of judge(object, level, version, true)) {
          if (!FIXABLE_RULES.has(finding.ruleId)) expect(finding.fix, finding.ruleId).toBeUndefined();
          if (finding.fix) expectPatchClears(object, finding, level, version);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is left out when palisade fix would leave the check to a person", () => {
    const pod = (containerContext: Record<string, unknown>, podContext: Record<string, unknown> = {}, os?: string): K8sObject =>
      objectOf("Pod", { securityContext: podContext, containers: [{ name: "a", image: "x", securityContext: containerContext }], ...(os ? { os: { name: os } } : {}) });
    const fixOf = (object: K8sObject, ruleId: string, version: Version = LATEST) => {
      const finding = judge(object, "restricted", version, true).find((f) => f.ruleId === ruleId);
      expect(finding, ruleId).toBeDefined();
      return finding?.fix;
    };
    // A privileged container always allows privilege escalation.
    expect(fixOf(pod({ privileged: true }), "pss/allowPrivilegeEscalation")).toBeUndefined();
    expect(fixOf(pod({ privileged: true }), "pss/privileged")).toBeUndefined();
    // The workload says it may run as root.
    expect(fixOf(pod({ runAsNonRoot: false }), "pss/runAsNonRoot")).toBeUndefined();
    expect(fixOf(pod({}, { runAsUser: 0 }), "pss/runAsNonRoot")).toBeUndefined();
    // An Unconfined container beside a pod with no profile: setting the pod's would not clear it.
    expect(fixOf(pod({ seccompProfile: { type: "Unconfined" } }), "pss/seccompProfile_restricted")).toBeUndefined();
    // A Windows pod cannot set these fields before v1.25 exempts it.
    expect(fixOf(pod({}, {}, "windows"), "pss/allowPrivilegeEscalation", parseVersion("v1.24") as Version)).toBeUndefined();
    // But the same pod's other findings still get the object's fix, which leaves privileged alone.
    expect(fixOf(pod({ privileged: true }), "pss/runAsNonRoot")).toEqual([
      { op: "add", path: "/spec/containers/0/securityContext/capabilities", value: {} },
      { op: "add", path: "/spec/containers/0/securityContext/capabilities/drop", value: ["ALL"] },
      { op: "add", path: "/spec/securityContext/runAsNonRoot", value: true },
      { op: "add", path: "/spec/securityContext/seccompProfile", value: { type: "RuntimeDefault" } },
    ]);
  });

  it("is the object's whole fix, the same on every finding it resolves, creating the maps it writes into (a CronJob's job template)", () => {
    const cronJob = objectOf("CronJob", { containers: [{ name: "a", image: "x", securityContext: { capabilities: { add: ["SYS_ADMIN", "NET_BIND_SERVICE", "NET_RAW"] } } }, { name: "b", image: "y" }] });
    const findings = judge(cronJob, "restricted", LATEST, true);
    const spec = "/spec/jobTemplate/spec/template/spec";
    const expected = [
      // What it removes is held first: applied twice, or to a changed object, the patch is refused whole.
      { op: "test", path: `${spec}/containers/0/securityContext/capabilities/add/2`, value: "NET_RAW" },
      { op: "test", path: `${spec}/containers/0/securityContext/capabilities/add/0`, value: "SYS_ADMIN" },
      { op: "add", path: `${spec}/containers/0/securityContext/allowPrivilegeEscalation`, value: false },
      { op: "add", path: `${spec}/containers/1/securityContext`, value: {} },
      { op: "add", path: `${spec}/containers/1/securityContext/allowPrivilegeEscalation`, value: false },
      { op: "add", path: `${spec}/containers/0/securityContext/capabilities/drop`, value: ["ALL"] },
      { op: "add", path: `${spec}/containers/1/securityContext/capabilities`, value: {} },
      { op: "add", path: `${spec}/containers/1/securityContext/capabilities/drop`, value: ["ALL"] },
      // The pod's securityContext is made once, for both fields that go in it.
      { op: "add", path: `${spec}/securityContext`, value: {} },
      { op: "add", path: `${spec}/securityContext/runAsNonRoot`, value: true },
      { op: "add", path: `${spec}/securityContext/seccompProfile`, value: { type: "RuntimeDefault" } },
      // Highest index first, so that each index still names the item it meant.
      { op: "remove", path: `${spec}/containers/0/securityContext/capabilities/add/2` },
      { op: "remove", path: `${spec}/containers/0/securityContext/capabilities/add/0` },
    ];
    expect(findings.map((f) => f.ruleId).sort()).toEqual(["pss/allowPrivilegeEscalation", "pss/capabilities_restricted", "pss/runAsNonRoot", "pss/seccompProfile_restricted"]);
    for (const finding of findings) expect(finding.fix, finding.ruleId).toEqual(expected);
    // Applied once, it clears every one of them.
    expect(judge(patched(cronJob, findings[0] as Finding), "restricted", LATEST, false)).toEqual([]);
    // A value written is replaced, not added, and held by a test; a null map is filled.
    const deployment = objectOf("Deployment", { securityContext: null, containers: [{ name: "a", image: "x", securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ["NET_RAW"] } } }] });
    expect(judge(deployment, "restricted", LATEST, true)[0]?.fix).toEqual([
      { op: "test", path: "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation", value: true },
      { op: "test", path: "/spec/template/spec/containers/0/securityContext/capabilities/drop", value: ["NET_RAW"] },
      { op: "replace", path: "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation", value: false },
      { op: "add", path: "/spec/template/spec/containers/0/securityContext/capabilities/drop/-", value: "ALL" },
      { op: "add", path: "/spec/template/spec/securityContext", value: {} },
      { op: "add", path: "/spec/template/spec/securityContext/runAsNonRoot", value: true },
      { op: "add", path: "/spec/template/spec/securityContext/seccompProfile", value: { type: "RuntimeDefault" } },
    ]);
  });

  it("applies once: a second application is refused whole, or changes nothing", () => {
    fc.assert(
      fc.property(anyObject, fc.constantFrom<Level>("baseline", "restricted"), fc.constantFrom(...VERSIONS), (object, level, version) => {
        const findings = judge(object, level, version, true).filter((f) => f.fix);
        fc.pre(findings.length > 0);
        // Every finding of the object carries the same patch: applying them one after another is applying it twice.
        for (const finding of findings) expect(finding.fix).toEqual(findings[0]?.fix);
        const once = patched(object, findings[0] as Finding);
        let twice: K8sObject | undefined;
        try {
          twice = patched(once, findings[0] as Finding);
        } catch (err) {
          // Refused by one of its tests, not by a malformed operation.
          expect((err as { name?: string }).name).toBe("TEST_OPERATION_FAILED");
          return;
        }
        expect(twice).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });

  it("is absent without the option, and the findings are otherwise the same", () => {
    fc.assert(
      fc.property(anyObject, fc.constantFrom<Level>("baseline", "restricted"), (object, level) => {
        const plain = judge(object, level, LATEST, false);
        for (const finding of plain) expect(finding.fix).toBeUndefined();
        expect(judge(object, level, LATEST, true).map(({ fix: _fix, ...rest }) => rest)).toEqual(plain);
      }),
      { numRuns: 100 },
    );
  });

  it("escapes ~ and / in the pointer, as RFC 6901 says", () => {
    const root = { "a/b": { "c~d": null } };
    const operations = editsAsJsonPatch(root, ["x~y", "0/1"], [[{ op: "set", path: ["a/b", "c~d", "e/~"], value: 1 }]]);
    expect(operations).toEqual([
      { op: "add", path: "/x~0y/0~11/a~1b/c~0d", value: {} },
      { op: "add", path: "/x~0y/0~11/a~1b/c~0d/e~1~0", value: 1 },
    ]);
    const document = { "x~y": { "0/1": structuredClone(root) } };
    expect(fastJsonPatch.applyPatch(document, operations ?? [], true, false).newDocument).toEqual({ "x~y": { "0/1": { "a/b": { "c~d": { "e/~": 1 } } } } });
  });
});
