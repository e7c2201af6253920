import { describe, expect, it } from "vitest";
import { admitPod } from "../../src/psp/admit.js";
import { policy, pod } from "./helpers.js";

// `runtimeClassName: null` (what a Helm template renders for an empty value) decodes as a nil
// *string: unset. Upstream defaulted it (`pod.Spec.RuntimeClassName == nil`) and allowed an
// unset name whatever the list; it was refused here as "Invalid value: null".
describe("runtimeClassName: null is unset", () => {
  const rc = (defaultName?: string) =>
    policy({ runtimeClass: { allowedRuntimeClassNames: ["gvisor"], ...(defaultName ? { defaultRuntimeClassName: defaultName } : {}) } });

  it("is defaulted to the policy's defaultRuntimeClassName", () => {
    const r = admitPod([rc("gvisor")], { pod: pod({ runtimeClassName: null }) });
    expect(r.allowed).toBe(true);
    expect(r.mutated).toBe(true);
    expect(r.pod.spec.runtimeClassName).toBe("gvisor");
  });

  it("is allowed, unchanged, when the policy has no default", () => {
    const r = admitPod([rc()], { pod: pod({ runtimeClassName: null }) });
    expect(r.allowed).toBe(true);
    expect(r.mutated).toBe(false);
  });

  it("an empty name is still a name, and refused when not listed", () => {
    expect(admitPod([rc("gvisor")], { pod: pod({ runtimeClassName: "" }) }).allowed).toBe(false);
  });
});
