import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { checkWorkloads, loadPolicies, parseFieldPath } from "../../src/psp/check.js";
import { mutateManifestText } from "../../src/psp/mutate-text.js";
import { PSP_RULE_LIST } from "../../src/psp/rules.js";
import { repoRoot } from "../support/conformance.js";

const restrictedFile = `${repoRoot}/examples/psp-restricted.yaml`;
const privilegedFile = `${repoRoot}/examples/psp-privileged.yaml`;

const WORKLOADS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}  # selected by the Service
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  hostNetwork: true
  containers:
  - name: agent
    image: agent:1
    securityContext:
      privileged: true
`;

async function load(text: string) {
  return (await loadSnapshot({ paths: ["-"], stdinText: text })).objects;
}

describe("psp check", () => {
  it("reads the example policies, and reports refused fields at their lines", async () => {
    const { policies, findings } = loadPolicies((await loadSnapshot({ paths: [restrictedFile] })).objects);
    expect(findings).toEqual([]);
    expect(policies.map((p) => p.name)).toEqual(["restricted"]);
    const out = checkWorkloads(policies, await load(WORKLOADS));
    expect(out.map((f) => [f.ruleId, f.position?.line, f.message])).toEqual([
      ["psp/admitted-after-defaulting", 7, expect.stringContaining('admitted by PodSecurityPolicy "restricted" after it sets')],
      ["psp/not-admitted", 20, 'not admitted by PodSecurityPolicy "restricted": spec.hostNetwork: Invalid value: true: Host network is not allowed to be used'],
      ["psp/not-admitted", 25, 'not admitted by PodSecurityPolicy "restricted": spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed'],
    ]);
    expect(out[0]?.message).toContain("spec.containers[0].securityContext.runAsNonRoot");
    expect(out[0]?.message).toContain("metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]");
  });

  it("with the privileged policy too, everything is admitted (unchanged where it can be)", async () => {
    const { policies } = loadPolicies((await loadSnapshot({ paths: [restrictedFile, privilegedFile] })).objects);
    const out = checkWorkloads(policies, await load(WORKLOADS));
    expect(out).toEqual([]);
  });

  it("reports invalid policies at their fields", async () => {
    const objects = await load(`apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: broken
spec:
  runAsUser:
    rule: MustRunAs
  seLinux:
    rule: RunAsAny
  supplementalGroups:
    rule: RunAsAny
  fsGroup:
    rule: Sometimes
`);
    const { policies, findings } = loadPolicies(objects);
    expect(policies).toEqual([]);
    expect(findings.map((f) => [f.ruleId, f.position?.line, f.message])).toEqual([
      ["psp/invalid-policy", 13, 'spec.fsGroup.rule: Unsupported value: "Sometimes": supported values: "MayRunAs", "MustRunAs", "RunAsAny"'],
    ]);
  });

  it("parses field paths with annotation keys", () => {
    expect(parseFieldPath("metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]")).toEqual(["metadata", "annotations", "container.apparmor.security.beta.kubernetes.io/app"]);
    expect(parseFieldPath("spec.containers[2].securityContext")).toEqual(["spec", "containers", 2, "securityContext"]);
  });

  it("every rule has docs", () => {
    for (const r of PSP_RULE_LIST) expect(r.docs.description.length).toBeGreaterThan(60);
  });
});

describe("psp mutate", () => {
  it("writes the defaulted template back with comments, and refuses what no policy admits", async () => {
    const { policies } = loadPolicies((await loadSnapshot({ paths: [restrictedFile] })).objects);
    const r = mutateManifestText(WORKLOADS, policies);
    expect(r.errors).toEqual([]);
    expect(r.documents.map((d) => d.result.allowed)).toEqual([true, false]);
    expect(r.text).toContain("labels: {app: web}  # selected by the Service");
    expect(r.text).toContain("seccomp.security.alpha.kubernetes.io/pod: runtime/default");
    expect(r.text).toContain("container.apparmor.security.beta.kubernetes.io/web: runtime/default");
    expect(r.text).not.toContain("kubernetes.io/psp:");
    expect(r.text).toContain("runAsNonRoot: true");
    expect(r.text).toContain("allowPrivilegeEscalation: false");
    expect(r.text.endsWith(WORKLOADS.slice(WORKLOADS.indexOf("---")))).toBe(true);
    // The result is admitted unchanged: mutating is idempotent on text too.
    expect(mutateManifestText(r.text, policies).text).toBe(r.text);
    const again = checkWorkloads(policies, await load(r.text.slice(0, r.text.indexOf("---"))));
    expect(again).toEqual([]);
  });

  it("keeps the example file readable", () => {
    expect(readFileSync(restrictedFile, "utf8")).toContain("kind: PodSecurityPolicy");
  });
});

describe("API server defaulting before admission", () => {
  it("a sourceless volume is an emptyDir and host-network ports are host ports", async () => {
    const { policies } = loadPolicies((await loadSnapshot({ paths: [restrictedFile] })).objects);
    const objects = await load(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  volumes:
  - name: scratch
  containers:
  - name: a
    image: x
`);
    expect(checkWorkloads(policies, objects).filter((f) => f.ruleId === "psp/not-admitted")).toEqual([]);
    const hostNet = await load(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  containers:
  - name: a
    image: x
    ports:
    - containerPort: 8080
`);
    const { policies: withPriv } = loadPolicies((await loadSnapshot({ paths: [privilegedFile] })).objects);
    const tight = policies.map((p) => ({ ...p, name: "hostnet", spec: { ...p.spec, hostNetwork: true, hostPorts: [{ min: 80, max: 80 }] } }));
    const messages = checkWorkloads(tight, hostNet).map((f) => f.message);
    expect(messages.some((m) => m.includes("Host port 8080 is not allowed to be used. Allowed ports: [80]"))).toBe(true);
    expect(checkWorkloads(withPriv, hostNet)).toEqual([]);
  });
});
