import { describe, expect, it } from "vitest";
import { formatFieldError } from "../../src/psp/field-errors.js";
import type { PodJson } from "../../src/psp/pod.js";
import { createProvider, hasPathPrefix } from "../../src/psp/provider.js";
import { equalSELinuxLevels } from "../../src/psp/strategies/selinux.js";
import { pod, policy } from "./helpers.js";

function run(spec: Record<string, unknown>, p: PodJson, annotations: Record<string, string> = {}): { pod: PodJson; errors: string[] } {
  const provider = createProvider(policy(spec, "test", annotations));
  if ("error" in provider) throw new Error(provider.error);
  const copy = structuredClone(p);
  provider.mutatePod(copy);
  return { pod: copy, errors: provider.validatePod(copy).map(formatFieldError) };
}

const c0 = (p: PodJson) => p.spec.containers![0]!;

describe("host namespaces, privileged, host ports", () => {
  it("forbids host namespaces unless allowed", () => {
    const p = pod({ hostNetwork: true, hostPID: true, hostIPC: true });
    expect(run({}, p).errors).toEqual([
      "spec.hostNetwork: Invalid value: true: Host network is not allowed to be used",
      "spec.hostPID: Invalid value: true: Host PID is not allowed to be used",
      "spec.hostIPC: Invalid value: true: Host IPC is not allowed to be used",
    ]);
    expect(run({ hostNetwork: true, hostPID: true, hostIPC: true }, p).errors).toEqual([]);
  });

  it("defaults privileged to nothing and forbids privileged: true unless allowed", () => {
    const p = pod({ containers: [{ name: "app", securityContext: { privileged: true } }] });
    expect(run({}, p).errors).toEqual(["spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed"]);
    expect(run({ privileged: true }, p).errors).toEqual([]);
  });

  it("checks host ports against every range, in init containers too", () => {
    const p = pod({ initContainers: [{ name: "init", ports: [{ containerPort: 80, hostPort: 80 }] }], containers: [{ name: "app", ports: [{ containerPort: 1, hostPort: 8443 }, { containerPort: 2 }] }] });
    expect(run({ hostPorts: [{ min: 8000, max: 8999 }, { min: 9090, max: 9090 }] }, p).errors).toEqual([
      "spec.initContainers[0].hostPort: Invalid value: 80: Host port 80 is not allowed to be used. Allowed ports: [8000-8999,9090]",
    ]);
    expect(run({}, p).errors).toHaveLength(2);
  });
});

describe("volumes", () => {
  const vols = pod({ volumes: [{ name: "a", emptyDir: {} }, { name: "b", hostPath: { path: "/var/log" } }, { name: "c", cephfs: { monitors: [] } }] });
  it("allows listed types and * only", () => {
    expect(run({ volumes: ["emptyDir"] }, vols).errors).toEqual([
      'spec.volumes[1]: Invalid value: "hostPath": hostPath volumes are not allowed to be used',
      'spec.volumes[2]: Invalid value: "cephFS": cephFS volumes are not allowed to be used',
    ]);
    expect(run({ volumes: ["emptyDir", "hostPath", "cephFS"] }, vols).errors).toEqual([]);
    expect(run({ volumes: [] }, pod()).errors).toEqual([]);
  });

  it("matches host path prefixes by path segment and enforces readOnly", () => {
    expect(hasPathPrefix("/foo", "/foo")).toBe(true);
    expect(hasPathPrefix("/foo/bar", "/foo")).toBe(true);
    expect(hasPathPrefix("/foobar", "/foo")).toBe(false);
    expect(hasPathPrefix("/foo/bar", "/foo/")).toBe(true);
    // Upstream trims one trailing slash from both before comparing (util.hasPathPrefix).
    expect(hasPathPrefix("/foo", "/foo/")).toBe(true);
    expect(hasPathPrefix("/foo/", "/foo")).toBe(true);
    expect(hasPathPrefix("/foobar/", "/foo/")).toBe(false);
    expect(hasPathPrefix("/", "/")).toBe(true);
    expect(hasPathPrefix("/etc", "/")).toBe(true);
    expect(run({ allowedHostPaths: [{ pathPrefix: "/var/log/" }] }, pod({ volumes: [{ name: "l", hostPath: { path: "/var/log" } }] })).errors).toEqual([]);
    const p = pod({
      volumes: [{ name: "logs", hostPath: { path: "/var/log/app" } }],
      containers: [{ name: "app", volumeMounts: [{ name: "logs", mountPath: "/l" }] }, { name: "side", volumeMounts: [{ name: "logs", mountPath: "/l", readOnly: true }] }],
    });
    expect(run({ allowedHostPaths: [{ pathPrefix: "/var/lo" }] }, p).errors).toEqual([
      'spec.volumes[0].hostPath.pathPrefix: Invalid value: "/var/log/app": is not allowed to be used',
    ]);
    expect(run({ allowedHostPaths: [{ pathPrefix: "/var/log", readOnly: true }] }, p).errors).toEqual([
      "spec.containers[0].volumeMounts[0].readOnly: Invalid value: false: must be read-only",
    ]);
    // A writable entry that also matches wins over a read-only one.
    expect(run({ allowedHostPaths: [{ pathPrefix: "/var/log", readOnly: true }, { pathPrefix: "/var" }] }, p).errors).toEqual([]);
  });

  it("restricts flex volume and inline CSI drivers when lists are given", () => {
    const p = pod({ volumes: [{ name: "f", flexVolume: { driver: "acme/x" } }, { name: "c", csi: { driver: "secrets-store.csi.k8s.io" } }] });
    expect(run({}, p).errors).toEqual([]);
    expect(run({ allowedFlexVolumes: [{ driver: "acme/y" }], allowedCSIDrivers: [{ name: "other" }] }, p).errors).toEqual([
      'spec.volumes[0].driver: Invalid value: "acme/x": Flexvolume driver is not allowed to be used',
      'spec.volumes[1].csi.driver: Invalid value: "secrets-store.csi.k8s.io": Inline CSI driver is not allowed to be used',
    ]);
  });
});

describe("runAsUser", () => {
  it("MustRunAs defaults the first range's min and checks ranges", () => {
    const spec = { runAsUser: { rule: "MustRunAs", ranges: [{ min: 1000, max: 2000 }, { min: 5000, max: 5000 }] } };
    const r = run(spec, pod());
    expect(c0(r.pod).securityContext?.runAsUser).toBe(1000);
    expect(r.errors).toEqual([]);
    expect(run(spec, pod({ containers: [{ name: "app", securityContext: { runAsUser: 3000 } }] })).errors).toEqual([
      "spec.containers[0].securityContext.runAsUser: Invalid value: 3000: must be in the ranges: [{1000 2000} {5000 5000}]",
    ]);
    // A pod-level UID is inherited, not copied into the container.
    const inherited = run(spec, pod({ securityContext: { runAsUser: 5000 } }));
    expect(c0(inherited.pod).securityContext).toBeUndefined();
    expect(inherited.errors).toEqual([]);
  });

  it("MustRunAsNonRoot sets runAsNonRoot only when no UID is set, and forbids root", () => {
    const spec = { runAsUser: { rule: "MustRunAsNonRoot" } };
    expect(c0(run(spec, pod()).pod).securityContext).toEqual({ runAsNonRoot: true });
    const withUid = run(spec, pod({ containers: [{ name: "app", securityContext: { runAsUser: 1000 } }] }));
    expect(c0(withUid.pod).securityContext).toEqual({ runAsUser: 1000 });
    expect(withUid.errors).toEqual([]);
    expect(run(spec, pod({ containers: [{ name: "app", securityContext: { runAsUser: 0 } }] })).errors).toEqual([
      "spec.containers[0].securityContext.runAsUser: Invalid value: 0: running with the root UID is forbidden",
    ]);
    expect(run(spec, pod({ securityContext: { runAsNonRoot: false } })).errors).toEqual([
      "spec.containers[0].securityContext.runAsNonRoot: Invalid value: false: must be true",
    ]);
  });

  it("a MustRunAs policy without ranges cannot make a provider", () => {
    const r = createProvider(policy({ runAsUser: { rule: "MustRunAs" } }, "broken"));
    expect(r).toEqual({ error: "error creating provider for PSP broken: MustRunAs requires at least one range" });
  });
});

describe("groups: runAsGroup, fsGroup, supplementalGroups", () => {
  it("MustRunAs defaults the first min and rejects out-of-range groups", () => {
    const rng = { rule: "MustRunAs", ranges: [{ min: 100, max: 200 }] };
    const r = run({ fsGroup: rng, supplementalGroups: rng, runAsGroup: rng }, pod());
    expect(r.pod.spec.securityContext).toEqual({ supplementalGroups: [100], fsGroup: 100 });
    expect(c0(r.pod).securityContext).toEqual({ runAsGroup: 100 });
    expect(r.errors).toEqual([]);
    const bad = run({ fsGroup: rng, supplementalGroups: rng, runAsGroup: rng }, pod({ securityContext: { fsGroup: 5, supplementalGroups: [150, 300], runAsGroup: 0 } }));
    expect(bad.errors).toEqual([
      "spec.securityContext.fsGroup: Invalid value: [5]: group 5 must be in the ranges: [{100 200}]",
      "spec.securityContext.supplementalGroups: Invalid value: [150,300]: group 300 must be in the ranges: [{100 200}]",
      "spec.containers[0].securityContext.runAsGroup: Invalid value: [0]: group 0 must be in the ranges: [{100 200}]",
    ]);
  });

  it("MayRunAs defaults nothing and only checks what is set", () => {
    const rng = { rule: "MayRunAs", ranges: [{ min: 100, max: 200 }] };
    const r = run({ fsGroup: rng, supplementalGroups: rng }, pod());
    expect(r.pod.spec.securityContext).toBeUndefined();
    expect(r.errors).toEqual([]);
    expect(run({ fsGroup: rng }, pod({ securityContext: { fsGroup: 7 } })).errors).toEqual([
      "spec.securityContext.fsGroup: Invalid value: [7]: group 7 must be in the ranges: [{100 200}]",
    ]);
  });
});

describe("seLinux", () => {
  const opts = { user: "system_u", role: "system_r", type: "container_t", level: "s0:c1,c2" };
  it("MustRunAs sets pod options and checks pod and container options", () => {
    const r = run({ seLinux: { rule: "MustRunAs", seLinuxOptions: opts } }, pod());
    expect(r.pod.spec.securityContext?.seLinuxOptions).toEqual(opts);
    expect(c0(r.pod).securityContext).toBeUndefined();
    expect(r.errors).toEqual([]);
    const bad = run({ seLinux: { rule: "MustRunAs", seLinuxOptions: opts } }, pod({ containers: [{ name: "app", securityContext: { seLinuxOptions: { ...opts, type: "spc_t", level: "s0:c2,c1" } } }] }));
    expect(bad.errors).toEqual(['spec.containers[0].securityContext.seLinuxOptions.type: Invalid value: "spc_t": must be container_t']);
  });
  it("compares MCS categories as sets", () => {
    expect(equalSELinuxLevels("s0:c6,c0", "s0:c0,c6")).toBe(true);
    expect(equalSELinuxLevels("s0:c0", "s1:c0")).toBe(false);
    expect(equalSELinuxLevels("s0", "s0:c0")).toBe(false);
  });
});

describe("capabilities", () => {
  it("adds defaults unless dropped, adds required drops, and checks adds", () => {
    const spec = { defaultAddCapabilities: ["NET_BIND_SERVICE"], requiredDropCapabilities: ["ALL"], allowedCapabilities: ["SYS_TIME"] };
    expect(c0(run(spec, pod()).pod).securityContext?.capabilities).toEqual({ add: ["NET_BIND_SERVICE"], drop: ["ALL"] });
    const dropsDefault = run(spec, pod({ containers: [{ name: "app", securityContext: { capabilities: { drop: ["NET_BIND_SERVICE"] } } }] }));
    expect(c0(dropsDefault.pod).securityContext?.capabilities).toEqual({ drop: ["ALL", "NET_BIND_SERVICE"] });
    const bad = run(spec, pod({ containers: [{ name: "app", securityContext: { capabilities: { add: ["SYS_ADMIN", "SYS_TIME"] } } }] }));
    expect(bad.errors).toEqual(['spec.containers[0].securityContext.capabilities.add: Invalid value: "SYS_ADMIN": capability may not be added']);
  });
  it("the * wildcard allows any add", () => {
    expect(run({ allowedCapabilities: ["*"] }, pod({ containers: [{ name: "app", securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }] })).errors).toEqual([]);
  });
  it("leaves capabilities alone when nothing is required", () => {
    const r = run({}, pod({ containers: [{ name: "app", securityContext: { capabilities: { add: ["CHOWN"] } } }] }));
    expect(r.errors).toEqual(['spec.containers[0].securityContext.capabilities.add: Invalid value: "CHOWN": capability may not be added']);
  });
});

describe("readOnlyRootFilesystem, privilege escalation, procMount", () => {
  it("defaults readOnlyRootFilesystem and rejects an explicit false", () => {
    expect(c0(run({ readOnlyRootFilesystem: true }, pod()).pod).securityContext).toEqual({ readOnlyRootFilesystem: true });
    expect(run({ readOnlyRootFilesystem: true }, pod({ containers: [{ name: "app", securityContext: { readOnlyRootFilesystem: false } }] })).errors).toEqual([
      "spec.containers[0].securityContext.readOnlyRootFilesystem: Invalid value: false: ReadOnlyRootFilesystem must be set to true",
    ]);
  });
  it("allowPrivilegeEscalation: false defaults false and rejects true", () => {
    expect(c0(run({ allowPrivilegeEscalation: false }, pod()).pod).securityContext).toEqual({ allowPrivilegeEscalation: false });
    expect(run({ allowPrivilegeEscalation: false }, pod({ containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: true } }] })).errors).toEqual([
      "spec.containers[0].securityContext.allowPrivilegeEscalation: Invalid value: true: Allowing privilege escalation for containers is not allowed",
    ]);
  });
  it("defaultAllowPrivilegeEscalation sets the default without forbidding true", () => {
    expect(c0(run({ defaultAllowPrivilegeEscalation: false }, pod()).pod).securityContext).toEqual({ allowPrivilegeEscalation: false });
    expect(run({ defaultAllowPrivilegeEscalation: false }, pod({ containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: true } }] })).errors).toEqual([]);
  });
  it("allows only the Default proc mount unless listed", () => {
    const p = pod({ containers: [{ name: "app", securityContext: { procMount: "Unmasked" } }] });
    expect(run({}, p).errors).toEqual(['spec.containers[0].securityContext.procMount: Invalid value: "Unmasked": ProcMountType is not allowed']);
    expect(run({ allowedProcMountTypes: ["Default", "Unmasked"] }, p).errors).toEqual([]);
  });
});

describe("sysctls", () => {
  const p = pod({ securityContext: { sysctls: [{ name: "kernel.shm_rmid_forced", value: "1" }, { name: "net.core.somaxconn", value: "1" }, { name: "kernel.msgmax", value: "1" }] } });
  it("allows safe sysctls, listed unsafe ones, and forbids forbidden ones first", () => {
    expect(run({}, p).errors).toEqual([
      'spec.securityContext.sysctls[1]: Forbidden: unsafe sysctl "net.core.somaxconn" is not allowed',
      'spec.securityContext.sysctls[2]: Forbidden: unsafe sysctl "kernel.msgmax" is not allowed',
    ]);
    expect(run({ allowedUnsafeSysctls: ["net.core.*", "kernel.msgmax"], forbiddenSysctls: ["kernel.shm_rmid_forced"] }, p).errors).toEqual([
      'spec.securityContext.sysctls[0]: Forbidden: sysctl "kernel.shm_rmid_forced" is not allowed',
    ]);
  });
});

describe("runtimeClass", () => {
  it("defaults the runtime class and allows only listed ones", () => {
    const spec = { runtimeClass: { allowedRuntimeClassNames: ["gvisor"], defaultRuntimeClassName: "gvisor" } };
    expect(run(spec, pod()).pod.spec.runtimeClassName).toBe("gvisor");
    expect(run(spec, pod({ runtimeClassName: "runc" })).errors).toEqual(['spec.runtimeClassName: Invalid value: "runc"']);
    expect(run({ runtimeClass: { allowedRuntimeClassNames: ["*"] } }, pod({ runtimeClassName: "runc" })).errors).toEqual([]);
  });
});

describe("seccomp and AppArmor annotations", () => {
  const seccomp = { "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default,localhost/good.json", "seccomp.security.alpha.kubernetes.io/defaultProfileName": "runtime/default" };
  it("defaults the pod seccomp annotation and checks pod, container and field profiles", () => {
    const r = run({}, pod(), seccomp);
    expect(r.pod.metadata?.annotations?.["seccomp.security.alpha.kubernetes.io/pod"]).toBe("runtime/default");
    expect(r.errors).toEqual([]);
    const bad = run({}, pod({ containers: [{ name: "app", securityContext: { seccompProfile: { type: "Unconfined" } } }] }), seccomp);
    expect(bad.errors).toEqual([
      "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]: Forbidden: unconfined is not an allowed seccomp profile. Valid values are runtime/default,localhost/good.json",
    ]);
    // The pod's field stands for the annotation and is kept.
    const field = run({}, pod({ securityContext: { seccompProfile: { type: "Localhost", localhostProfile: "good.json" } } }), seccomp);
    expect(field.errors).toEqual([]);
    expect(field.pod.metadata?.annotations?.["seccomp.security.alpha.kubernetes.io/pod"]).toBe("localhost/good.json");
  });
  it("takes docker/default and runtime/default for each other, as the API server converts one into the other", () => {
    const docker = { "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "docker/default" };
    expect(run({}, pod({ securityContext: { seccompProfile: { type: "RuntimeDefault" } } }), docker).errors).toEqual([]);
    const runtime = { "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default" };
    expect(run({}, pod({}, { "seccomp.security.alpha.kubernetes.io/pod": "docker/default" }), runtime).errors).toEqual([]);
    // Any other profile is still refused.
    expect(run({}, pod({}, { "seccomp.security.alpha.kubernetes.io/pod": "localhost/x.json" }), docker).errors).toHaveLength(2);
  });
  it("without an allowed list, any set profile is forbidden", () => {
    expect(run({}, pod({}, { "seccomp.security.alpha.kubernetes.io/pod": "runtime/default" })).errors).toEqual([
      "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: Forbidden: seccomp may not be set",
      "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]: Forbidden: seccomp may not be set",
    ]);
  });
  it("defaults and restricts AppArmor per container", () => {
    const aa = { "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default", "apparmor.security.beta.kubernetes.io/defaultProfileName": "runtime/default" };
    const r = run({}, pod(), aa);
    expect(r.pod.metadata?.annotations?.["container.apparmor.security.beta.kubernetes.io/app"]).toBe("runtime/default");
    expect(r.errors).toEqual([]);
    expect(run({}, pod({}, { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" }), aa).errors).toEqual([
      'metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: Forbidden: unconfined is not an allowed profile. Allowed values: "runtime/default"',
    ]);
    const noDefault = { "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default" };
    expect(run({}, pod(), noDefault).errors).toEqual(["metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: Forbidden: AppArmor profile must be set"]);
  });
});

describe("ephemeral containers", () => {
  it("are defaulted and validated like the others", () => {
    const r = run({ allowPrivilegeEscalation: false }, pod({ ephemeralContainers: [{ name: "debug", securityContext: { privileged: true } }] }));
    expect(r.pod.spec.ephemeralContainers?.[0]?.securityContext).toEqual({ privileged: true, allowPrivilegeEscalation: false });
    expect(r.errors).toEqual(["spec.ephemeralContainers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed"]);
  });
});
