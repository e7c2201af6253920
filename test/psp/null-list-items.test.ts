import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { admitPod } from "../../src/psp/admit.js";
import { checkWorkloads } from "../../src/psp/check.js";
import { mutateManifestText } from "../../src/psp/mutate-text.js";
import { policy, pod } from "./helpers.js";

// Go decodes JSON `null` in a list of structs as the struct's zero value, so a pod with
// `volumes: [null]` or `sysctls: [null]` reaches PSP admission and is judged like any other.
// These used to throw a TypeError: `psp check` died on the whole run, `psp mutate` called it
// an internal error.
describe("null items in a pod's lists", () => {
  it("a null volume is a zero Volume: no source, so an unknown volume type, as upstream refused it", () => {
    const r = admitPod([policy({ volumes: ["secret"] })], { pod: pod({ volumes: [null] }) });
    expect(r.allowed).toBe(false);
    expect(r.message).toContain('spec.volumes[0]: Invalid value: "": unknown volume type for volume: ""');
  });

  it("a null sysctl is a zero Sysctl: name \"\", an unsafe sysctl", () => {
    const r = admitPod([policy()], { pod: pod({ securityContext: { sysctls: [null, { value: "1" }] } }) });
    expect(r.allowed).toBe(false);
    expect(r.message).toContain('spec.securityContext.sysctls[0]: Forbidden: unsafe sysctl "" is not allowed');
    expect(r.message).toContain('spec.securityContext.sysctls[1]: Forbidden: unsafe sysctl "" is not allowed');
  });

  it("null volume mounts and ports are zero values: a read-only hostPath still needs its mounts read-only", () => {
    const p = pod({
      volumes: [{ name: "host", hostPath: { path: "/var/log" } }],
      containers: [{ name: "app", image: "x", ports: [null, { containerPort: 80 }], volumeMounts: [null, { name: "host", mountPath: "/l" }] }],
    });
    const r = admitPod([policy({ allowedHostPaths: [{ pathPrefix: "/var/log", readOnly: true }] })], { pod: p });
    expect(r.allowed).toBe(false);
    expect(r.refusals[0]?.errors.map((e) => e.field)).toEqual(["spec.containers[0].volumeMounts[1].readOnly"]);
  });

  it("psp check and psp mutate judge such a manifest instead of failing", async () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  volumes:\n  - null\n  containers:\n  - name: c\n    image: x\n";
    const objects = (await loadSnapshot({ paths: ["-"], stdinText: text })).objects;
    const findings = checkWorkloads([policy({ volumes: ["secret"] })], objects);
    expect(findings.map((f) => [f.ruleId, f.position?.line])).toEqual([["psp/not-admitted", 6]]);
    const mutated = mutateManifestText(text, [policy({ volumes: ["secret"] })]);
    expect(mutated.errors).toEqual([]);
    expect(mutated.documents[0]?.result.allowed).toBe(false);
  });
});
