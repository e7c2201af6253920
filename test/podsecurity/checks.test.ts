import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { joinQuote } from "../../src/podsecurity/check.js";
import { evaluatePod, psaDenialMessage } from "../../src/podsecurity/evaluate.js";
import { formatVersion, LATEST, parseVersion, type Level, type Version } from "../../src/podsecurity/levels.js";
import { namespacePolicy } from "../../src/podsecurity/namespace-levels.js";
import type { PodView } from "../../src/podsecurity/pod.js";
import { checksFor } from "../../src/podsecurity/registry.js";

const v = (s: string): Version => parseVersion(s) as Version;

/** The minimal pod that passes restricted at every version (as upstream's base_linux). */
function restrictedPod(extra: Partial<PodView["spec"]> = {}): PodView {
  const sc = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
  return {
    metadata: { name: "p" },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      initContainers: [{ name: "init", image: "x", securityContext: { ...sc } }],
      containers: [{ name: "app", image: "x", securityContext: { ...sc } }],
      ...extra,
    },
  };
}

const ids = (level: Level, version: Version, pod: PodView) => evaluatePod(level, version, pod).map((x) => x.checkId);

describe("Pod Security checks beyond the upstream fixtures", () => {
  it("names a volume whose name YAML read as a boolean by what it read (`name: n` is false), not as an empty name", () => {
    const pod = restrictedPod({ volumes: [{ name: false, hostPath: { path: "/" } }] });
    expect(evaluatePod("baseline", LATEST, pod).find((x) => x.checkId === "hostPathVolumes")?.detail).toBe('volume "false"');
  });

  it("allows an image volume at restricted at every version, as kubernetes/kubernetes#130394 made restrictedVolumes_1_0 do", () => {
    const image = { name: "models", image: { reference: "registry.example/models:v1", pullPolicy: "IfNotPresent" } };
    for (const version of [v("v1.0"), v("v1.25"), v("v1.33"), LATEST]) {
      expect(ids("restricted", version, restrictedPod({ volumes: [image] }))).toEqual([]);
      const beside = evaluatePod("restricted", version, restrictedPod({ volumes: [image, { name: "host", hostPath: { path: "/" } }] }));
      expect(beside.find((x) => x.checkId === "restrictedVolumes")?.detail).not.toContain("models");
    }
  });

  it("words capabilities and probe hosts as PSA does, and points at the offending entries", () => {
    const pod = restrictedPod({
      containers: [
        { name: "app", image: "x", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: [7, "SYS_ADMIN", "NET_BIND_SERVICE", "NET_RAW"] } } },
        { name: "side", image: "x", securityContext: { allowPrivilegeEscalation: false }, readinessProbe: { httpGet: { host: "10.0.0.1", port: 80 } }, lifecycle: { preStop: { tcpSocket: { host: "db", port: 5432 } } } },
      ],
    });
    const violations = evaluatePod("restricted", LATEST, pod);
    const caps = violations.find((x) => x.checkId === "capabilities_restricted")!;
    expect(caps.detail).toBe('container "side" must set securityContext.capabilities.drop=["ALL"]; container "app" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add');
    // The index in the list as written, the non-string entry included.
    expect(caps.fields).toEqual([
      ["spec", "containers", 0, "securityContext", "capabilities", "add", 1],
      ["spec", "containers", 0, "securityContext", "capabilities", "add", 3],
      ["spec", "containers", 1, "securityContext", "capabilities", "drop"],
    ]);
    const baseline = evaluatePod("baseline", LATEST, pod).find((x) => x.checkId === "capabilities_baseline")!;
    expect(baseline.fields).toEqual([
      ["spec", "containers", 0, "securityContext", "capabilities", "add", 1],
      ["spec", "containers", 0, "securityContext", "capabilities", "add", 3],
    ]);
    const hosts = violations.find((x) => x.checkId === "hostProbesAndHostLifecycle")!;
    expect(hosts.detail).toBe('container "side" uses probe or lifecycle hosts "10.0.0.1", "db"');
    expect(hosts.fields).toEqual([
      ["spec", "containers", 1, "readinessProbe", "httpGet", "host"],
      ["spec", "containers", 1, "lifecycle", "preStop", "tcpSocket", "host"],
    ]);
  });

  it("visits ephemeral containers for every container check", () => {
    const pod = restrictedPod({
      ephemeralContainers: [{ name: "debugger", image: "busybox", securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN"] } } }],
    });
    const violations = evaluatePod("restricted", LATEST, pod);
    expect(violations.map((x) => x.checkId)).toEqual(["privileged", "allowPrivilegeEscalation", "capabilities_restricted"]);
    expect(violations[0]?.detail).toBe('container "debugger" must not set securityContext.privileged=true');
    expect(violations[0]?.fields).toEqual([["spec", "ephemeralContainers", 0, "securityContext", "privileged"]]);
    expect(ids("baseline", LATEST, pod)).toEqual(["capabilities_baseline", "privileged"]);
  });

  it("exempts Windows pods from allowPrivilegeEscalation, capabilities and seccomp from v1.25, not before", () => {
    const windows: PodView = {
      metadata: {},
      spec: { os: { name: "windows" }, securityContext: { runAsNonRoot: true }, containers: [{ name: "w", image: "x" }] },
    };
    expect(ids("restricted", v("v1.25"), windows)).toEqual([]);
    expect(ids("restricted", LATEST, windows)).toEqual([]);
    expect(ids("restricted", v("v1.24"), windows)).toEqual(["allowPrivilegeEscalation", "capabilities_restricted", "seccompProfile_restricted"]);
    // Windows host process stays forbidden at baseline.
    windows.spec.securityContext = { windowsOptions: { hostProcess: true } };
    expect(evaluatePod("baseline", LATEST, windows).map((x) => x.detail)).toEqual(["pod must not set securityContext.windowsOptions.hostProcess=true"]);
  });

  it("allows SELinux type container_engine_t from v1.31 only", () => {
    const pod = restrictedPod();
    (pod.spec.containers as Array<Record<string, unknown>>)[0]!.securityContext = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seLinuxOptions: { type: "container_engine_t" },
    };
    expect(ids("baseline", v("v1.30"), pod)).toEqual(["seLinuxOptions"]);
    expect(evaluatePod("baseline", v("v1.30"), pod)[0]?.detail).toBe('container "app" set forbidden securityContext.seLinuxOptions: type "container_engine_t"');
    expect(ids("baseline", v("v1.31"), pod)).toEqual([]);
    expect(ids("restricted", LATEST, pod)).toEqual([]);
  });

  it("relaxes runAsNonRoot, runAsUser and (baseline) procMount for user-namespace pods from v1.35", () => {
    const pod = restrictedPod({ hostUsers: false, securityContext: { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } } });
    (pod.spec.containers as Array<Record<string, unknown>>)[0]!.securityContext = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      procMount: "Unmasked",
    };
    expect(ids("restricted", v("v1.34"), pod)).toEqual(["procMount", "runAsNonRoot", "runAsUser"]);
    // From v1.35 restricted still refuses Unmasked /proc through procMount_restricted.
    expect(ids("restricted", v("v1.35"), pod)).toEqual(["procMount_restricted"]);
    expect(ids("baseline", v("v1.35"), pod)).toEqual([]);
    // hostUsers: true (or unset) gets no relaxation.
    pod.spec.hostUsers = true;
    expect(ids("restricted", v("v1.35"), pod)).toEqual(["procMount_restricted", "runAsNonRoot", "runAsUser"]);
  });

  it("applies API-server defaulting: a sourceless volume is emptyDir, hostNetwork ports get hostPorts", () => {
    const pod = restrictedPod({ volumes: [{ name: "scratch" }] });
    expect(ids("restricted", LATEST, pod)).toEqual([]);
    const host: PodView = { metadata: {}, spec: { hostNetwork: true, containers: [{ name: "c", ports: [{ containerPort: 8080 }] }] } };
    const violations = evaluatePod("baseline", LATEST, host);
    expect(psaDenialMessage("baseline", LATEST, violations)).toBe(
      'violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), hostPort (container "c" uses hostPort 8080)',
    );
  });

  it("words multi-container violations as PSA does", () => {
    const pod: PodView = {
      metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/a": "unconfined" } },
      spec: {
        containers: [
          { name: "a", ports: [{ hostPort: 80 }, { hostPort: 8080 }], securityContext: { appArmorProfile: { type: "Unconfined" } } },
          { name: "b", ports: [{ hostPort: 443 }] },
        ],
      },
    };
    const details = Object.fromEntries(evaluatePod("baseline", LATEST, pod).map((x) => [x.checkId, `${x.reason} (${x.detail})`]));
    expect(details.hostPorts).toBe('hostPort (containers "a", "b" use hostPorts 443, 80, 8080)');
    expect(details.appArmorProfile).toBe(
      'forbidden AppArmor profiles (container "a" and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="unconfined"")',
    );
  });

  it("quotes annotation values as Go's %q does (strconv.Quote), not as JSON does", () => {
    const appArmor: PodView = {
      metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "un\u0007confined\u00a0\u{1F600}\uE000\u{E0001}\u007f\"" } },
      spec: { containers: [{ name: "app", image: "x" }] },
    };
    expect(evaluatePod("baseline", LATEST, appArmor)[0]?.detail).toBe(
      'annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="un\\aconfined\\u00a0\u{1F600}\\ue000\\U000e0001\\x7f\\"""',
    );
    // Before v1.19 seccomp is read from annotations; a key with no value is there, empty (Go decodes null to "").
    const seccomp: PodView = {
      metadata: { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "unconfined\t\u0085", "container.seccomp.security.alpha.kubernetes.io/app": null } },
      spec: { containers: [{ name: "app", image: "x" }] },
    };
    expect(evaluatePod("baseline", v("v1.18"), seccomp)[0]?.detail).toBe(
      'forbidden annotations container.seccomp.security.alpha.kubernetes.io/app="", seccomp.security.alpha.kubernetes.io/pod="unconfined\\t\\u0085"',
    );
  });

  it("orders lists as Go sorts strings (UTF-8 bytes), not as JavaScript compares UTF-16 units", () => {
    const pod: PodView = {
      metadata: {},
      spec: { containers: [{ name: "app", image: "x", securityContext: { capabilities: { add: ["\u{1F600}", "\uFF5E", "A"] } } }] },
    };
    expect(evaluatePod("baseline", LATEST, pod)[0]?.detail).toBe('container "app" must not include "A", "\uFF5E", "\u{1F600}" in securityContext.capabilities.add');
  });

  it("joins no items to nothing, as PSA's joinQuote does", () => {
    expect(joinQuote([])).toBe("");
    expect(joinQuote([""])).toBe('""');
    expect(joinQuote(["a", "b"])).toBe('"a", "b"');
  });

  it("never judges the privileged level, and a stricter level finds a superset of checks (property)", () => {
    const anyValue = fc.oneof(fc.boolean(), fc.constant(undefined), fc.integer({ min: 0, max: 2 }), fc.constantFrom("Unconfined", "RuntimeDefault", "Unmasked", "ALL", "SYS_ADMIN"));
    const container = fc.record({
      name: fc.constantFrom("a", "b"),
      securityContext: fc.record({
        privileged: anyValue,
        allowPrivilegeEscalation: anyValue,
        runAsNonRoot: anyValue,
        runAsUser: anyValue,
        procMount: anyValue,
        capabilities: fc.record({ add: fc.array(fc.constantFrom("NET_BIND_SERVICE", "SYS_ADMIN", "CHOWN")), drop: fc.array(fc.constantFrom("ALL", "CHOWN")) }),
        seccompProfile: fc.record({ type: anyValue }),
      }, { requiredKeys: [] }),
    });
    const pod = fc.record({
      metadata: fc.constant({}),
      spec: fc.record({
        hostNetwork: anyValue,
        hostPID: anyValue,
        hostUsers: anyValue,
        containers: fc.array(container, { maxLength: 2 }),
        volumes: fc.array(fc.constantFrom({ name: "h", hostPath: { path: "/" } }, { name: "e", emptyDir: {} }, { name: "n", nfs: {} }), { maxLength: 2 }),
      }, { requiredKeys: ["containers"] }),
    }) as fc.Arbitrary<PodView>;
    fc.assert(
      fc.property(pod, fc.integer({ min: 0, max: 40 }), (p, minor) => {
        const version: Version = { latest: false, minor };
        expect(evaluatePod("privileged", version, p)).toEqual([]);
        const baseline = evaluatePod("baseline", version, p);
        const restricted = evaluatePod("restricted", version, p);
        // Every baseline failure is caught at restricted, by the same check or the one that replaces it.
        const replacedBy: Record<string, string> = {
          hostPathVolumes: "restrictedVolumes",
          seccompProfile_baseline: "seccompProfile_restricted",
          capabilities_baseline: "capabilities_restricted",
          procMount: "procMount_restricted",
        };
        const restrictedIds = new Set(restricted.map((x) => x.checkId));
        for (const b of baseline) {
          const replacement = replacedBy[b.checkId];
          const replaced = replacement !== undefined && checksFor("restricted", version).some((c) => c.id === replacement);
          expect(restrictedIds.has(b.checkId) || (replaced && restrictedIds.has(replacement))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("namespace labels, as PSA reads them", () => {
  it("reads modes and versions, with PSA's fallbacks for invalid values", () => {
    const { policy, errors } = namespacePolicy({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.30",
      "pod-security.kubernetes.io/warn": "bogus",
      "pod-security.kubernetes.io/audit": "baseline",
      "pod-security.kubernetes.io/audit-version": "1.30",
    });
    expect(policy.enforce).toEqual({ level: "restricted", version: { latest: false, minor: 30 } });
    expect(policy.warn).toEqual({ level: "privileged", version: LATEST });
    expect(policy.audit).toEqual({ level: "baseline", version: LATEST });
    expect(errors).toHaveLength(2);
    const invalidEnforce = namespacePolicy({ "pod-security.kubernetes.io/enforce": "strict" });
    expect(invalidEnforce.policy.enforce.level).toBe("restricted");
  });

  it("reads a minor Go's strconv.Atoi cannot hold (past int64) as an invalid version, and names large ones exactly", () => {
    expect(parseVersion("v1.9223372036854775808")).toBeUndefined();
    expect(parseVersion("v1.100000000000000000000")).toBeUndefined();
    const { policy, errors } = namespacePolicy({ "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.9223372036854775808" });
    expect(policy.enforce.version).toEqual(LATEST);
    expect(errors).toHaveLength(1);
    const largest = parseVersion("v1.9223372036854775807") as Version;
    expect(formatVersion(largest)).toBe("v1.9223372036854775807");
    expect(formatVersion(parseVersion("v1.9007199254740993") as Version)).toBe("v1.9007199254740993");
    const host: PodView = { metadata: {}, spec: { hostPID: true, containers: [{ name: "c" }] } };
    expect(psaDenialMessage("baseline", largest, evaluatePod("baseline", largest, host))).toBe(
      'violates PodSecurity "baseline:v1.9223372036854775807": host namespaces (hostPID=true)',
    );
  });

  it("evaluates future versions with the newest rules", () => {
    const pod = restrictedPod();
    expect(evaluatePod("restricted", v("v1.40"), pod)).toEqual(evaluatePod("restricted", LATEST, pod));
  });
});
