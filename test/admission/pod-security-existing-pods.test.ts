/**
 * The existing-pods check on a tighter enforce level stops where upstream PSA's
 * EvaluatePodsInNamespace stops (admission.go): at namespaceMaxPodsToCheck pods, at a 1 s
 * budget looked at after each pod, and at half of what is left of the request's own
 * deadline. The expectations mirror upstream's TestValidateNamespace cases ("timeout on
 * evaluate", "bound number of pods", "timeout on list"). Time is a fake clock moved on per
 * pod judged: nothing here sleeps or measures.
 */
import { describe, expect, it } from "vitest";
import { ClusterState } from "../../src/admission/cluster-state.js";
import { podSecurityPolicy, type PodSecuritySettings } from "../../src/admission/policies/pod-security.js";
import { existingPodWarnings, LIST_FAILED_WARNING, POD_CHECK_TIMEOUT_MS } from "../../src/admission/policies/pod-security-existing-pods.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { LATEST } from "../../src/podsecurity/levels.js";
import { DEFAULT_POLICY } from "../../src/podsecurity/namespace-levels.js";
import { namespace, pod, review } from "./fixtures.js";

const baseline = { level: "baseline" as const, version: LATEST };
const noExemptRuntimeClass = () => false;
const hostNetwork = (name: string): K8sObject => pod(name, "test", { hostNetwork: true });
const privileged = (name: string): K8sObject => pod(name, "test", { containers: [{ name: "app", image: "a", securityContext: { privileged: true } }] });
const VIOLATES = 'existing pods in namespace "test" violate the new PodSecurity enforce level "baseline:latest"';

/**
 * A clock read once when the check starts, then once after each pod is judged: each read
 * after the first is `step` ms later, so the clock moves on by `step` per pod judged.
 */
function perPodClock(step: number, start = 50_000): { now: () => number; start: number; reads: () => number } {
  let reads = 0;
  return { now: () => start + step * reads++, start, reads: () => reads };
}

/** A clock that never moves: only the limit of pods can stop the check. */
const frozen = () => 0;

describe("the limit of pods checked (namespaceMaxPodsToCheck)", () => {
  it("says how many of how many pods were checked, before the violations", () => {
    const pods = [1, 2, 3, 4, 5].map((i) => hostNetwork(`pod${i}`));
    expect(existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: frozen, maxPods: 4 })).toEqual([
      "new PodSecurity enforce level only checked against the first 4 of 5 existing pods",
      VIOLATES,
      "pod1 (and 3 other pods): host namespaces",
    ]);
  });

  it("is silent when every pod fits under the limit", () => {
    const pods = [1, 2, 3, 4].map((i) => hostNetwork(`pod${i}`));
    expect(existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: frozen, maxPods: 4 })).toEqual([VIOLATES, "pod1 (and 3 other pods): host namespaces"]);
  });
});

describe("the time budget (namespacePodCheckTimeout)", () => {
  it("stops once 1 s has passed, counting the pod that crossed it as checked", () => {
    // upstream "timeout on evaluate": 550 ms per pod, so the budget runs out on the second of four.
    const clock = perPodClock(550);
    const pods = [hostNetwork("noruntimeclasspod"), hostNetwork("runtimeclass1pod"), hostNetwork("runtimeclass2pod"), privileged("runtimeclass3pod")];
    expect(existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: clock.now })).toEqual([
      "new PodSecurity enforce level only checked against the first 2 of 4 existing pods",
      VIOLATES,
      "noruntimeclasspod (and 1 other pod): host namespaces",
    ]);
    expect(clock.reads()).toBe(3);
  });

  it("uses 1 s by default", () => {
    expect(POD_CHECK_TIMEOUT_MS).toBe(1000);
    const pods = [1, 2, 3, 4, 5].map((i) => hostNetwork(`pod${i}`));
    // 999 ms after the first pod, 1998 ms after the second.
    expect(existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: perPodClock(999).now })[0]).toBe(
      "new PodSecurity enforce level only checked against the first 2 of 5 existing pods",
    );
  });

  it("stops on a clock that reaches the end of the budget exactly", () => {
    const pods = [1, 2, 3, 4].map((i) => hostNetwork(`pod${i}`));
    expect(existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: perPodClock(500).now })[0]).toBe(
      "new PodSecurity enforce level only checked against the first 2 of 4 existing pods",
    );
  });

  it("says nothing of the budget when it runs out on the last pod: every pod was checked", () => {
    const pods = [1, 2, 3].map((i) => hostNetwork(`pod${i}`));
    expect(existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: perPodClock(400).now })).toEqual([VIOLATES, "pod1 (and 2 other pods): host namespaces"]);
  });

  it("keeps the warnings of the pods judged in time, grouped and sorted as upstream, and drops the rest", () => {
    // Judged in time: zeta and alpha (privileged), mike (host namespaces). Too late: aaa-late, host-late.
    const pods = [privileged("zeta"), hostNetwork("mike"), privileged("alpha"), privileged("aaa-late"), hostNetwork("host-late")];
    expect(existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: perPodClock(350).now })).toEqual([
      "new PodSecurity enforce level only checked against the first 3 of 5 existing pods",
      VIOLATES,
      "alpha (and 1 other pod): privileged",
      "mike: host namespaces",
    ]);
  });

  it("reports the limit and the budget in one warning: the pods checked in time of all there are", () => {
    const pods = [1, 2, 3, 4, 5, 6].map((i) => hostNetwork(`pod${i}`));
    expect(existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: perPodClock(550).now, maxPods: 4 })).toEqual([
      "new PodSecurity enforce level only checked against the first 2 of 6 existing pods",
      VIOLATES,
      "pod1 (and 1 other pod): host namespaces",
    ]);
  });

  it("counts the pods left after exempt runtime classes, as the limit does", () => {
    const pods = [pod("exempt", "test", { hostNetwork: true, runtimeClassName: "kata" }), ...[1, 2, 3].map((i) => hostNetwork(`pod${i}`))];
    const exempt = (spec: Record<string, unknown>) => spec.runtimeClassName === "kata";
    expect(existingPodWarnings(pods, "test", baseline, exempt, { now: perPodClock(550).now })[0]).toBe("new PodSecurity enforce level only checked against the first 2 of 3 existing pods");
  });
});

describe("the request's own deadline", () => {
  const pods = [1, 2, 3, 4, 5].map((i) => hostNetwork(`pod${i}`));

  it("bounds the check to half of the time left when that is under 1 s", () => {
    const clock = perPodClock(300);
    // 1000 ms left: 500 ms of budget, run out after the second pod (600 ms).
    const warnings = existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: clock.now, requestDeadline: clock.start + 1000 });
    expect(warnings[0]).toBe("new PodSecurity enforce level only checked against the first 2 of 5 existing pods");
  });

  it("leaves the 1 s budget alone when more than 2 s are left", () => {
    const clock = perPodClock(300);
    const warnings = existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: clock.now, requestDeadline: clock.start + 10_000 });
    expect(warnings[0]).toBe("new PodSecurity enforce level only checked against the first 4 of 5 existing pods");
  });

  it("answers as upstream's failed pod list when the deadline has already passed", () => {
    const clock = perPodClock(300);
    expect(existingPodWarnings(pods, "test", baseline, noExemptRuntimeClass, { now: clock.now, requestDeadline: clock.start })).toEqual([LIST_FAILED_WARNING]);
    expect(LIST_FAILED_WARNING).toBe("failed to list pods while checking new PodSecurity enforce level");
  });
});

describe("through the Pod Security policy on a namespace update", () => {
  const settings: PodSecuritySettings = { defaults: DEFAULT_POLICY, exemptions: { usernames: [], runtimeClasses: [], namespaces: [] } };
  const state = new ClusterState();
  state.seed([namespace("test"), ...[1, 2, 3, 4, 5].map((i) => hostNetwork(`pod${i}`))]);
  const tighten = review(namespace("test", { "pod-security.kubernetes.io/enforce": "baseline" }), { operation: "UPDATE", oldObject: namespace("test") });
  const validate = (now: () => number, deadline?: number) =>
    podSecurityPolicy(settings, "enforce", { now }).validate({ request: tighten, cluster: state, excepted: () => false, ...(deadline === undefined ? {} : { deadline }) });

  it("judges existing pods against the policy's clock", () => {
    expect(validate(perPodClock(550).now).warn[0]).toBe("new PodSecurity enforce level only checked against the first 2 of 5 existing pods");
  });

  it("stays within the request's deadline", () => {
    const clock = perPodClock(300);
    expect(validate(clock.now, clock.start + 1000).warn[0]).toBe("new PodSecurity enforce level only checked against the first 2 of 5 existing pods");
  });

  it("checks every pod when time allows", () => {
    expect(validate(frozen).warn).toEqual(['existing pods in namespace "test" violate the new PodSecurity enforce level "baseline:latest"', "pod1 (and 4 other pods): host namespaces"]);
  });
});
