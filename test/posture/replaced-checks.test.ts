/**
 * A Pod Security check and the baseline check it replaces at restricted are one problem:
 * a namespace that enforces baseline and warns at restricted has its pods judged at both
 * levels, and one hostPath volume fails hostPathVolumes and restrictedVolumes. The scan
 * reports both (PSA would reject and warn); the posture charges the problem once.
 */
import { describe, expect, it } from "vitest";
import { findingDeductions, REPLACED_BY } from "../../src/posture/finding-deductions.js";
import type { Finding } from "../../src/findings/types.js";
import { deployment, postureOf, ruleIds, workload } from "./support.js";

const BASELINE_WARN_RESTRICTED = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/warn: restricted}
---
`;

/** Deployment web in shop, restricted-compliant but for `edit` applied to its YAML. */
async function workloadPillar(edit: (yaml: string) => string) {
  const report = await postureOf(BASELINE_WARN_RESTRICTED + edit(deployment("web", "shop")));
  return workload(report, "web");
}

const CONTAINER_CONTEXT = "securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}";

describe("posture: a restricted check and the baseline check it replaces cost once", () => {
  it("one hostPath volume, failing hostPathVolumes (enforce baseline) and restrictedVolumes (warn restricted), is one high deduction", async () => {
    const web = await workloadPillar((yaml) => yaml.replace("\n---\n", "      volumes: [{name: exports, hostPath: {path: /srv/exports}}]\n---\n"));
    const volumes = web.pillars.workload.deductions.filter((d) => d.ruleId === "pss/hostPathVolumes" || d.ruleId === "pss/restrictedVolumes");
    expect(volumes).toHaveLength(1);
    expect(volumes[0]).toMatchObject({ points: 40, severity: "high", count: 1 });
    // The only thing wrong with it: 100 less 40 %, not 100 less 40 % twice (36).
    expect(web.pillars.workload.score).toBe(60);
  });

  it("an added capability, an unconfined seccomp profile and an unmasked /proc cost once each too", async () => {
    const web = await workloadPillar((yaml) =>
      yaml
        .replace(CONTAINER_CONTEXT, "securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [SYS_ADMIN]}, procMount: Unmasked}")
        .replace("seccompProfile: {type: RuntimeDefault}", "seccompProfile: {type: Unconfined}"),
    );
    const ids = ruleIds(web);
    for (const [replaced, replacing] of [
      ["pss/capabilities_baseline", "pss/capabilities_restricted"],
      ["pss/seccompProfile_baseline", "pss/seccompProfile_restricted"],
      ["pss/procMount", "pss/procMount_restricted"],
    ]) {
      expect(ids.filter((id) => id === replaced || id === replacing), `${replaced} and ${replacing}`).toHaveLength(1);
    }
  });

  it("folds every pair the Pod Security checks record as an override, and only those", () => {
    expect(Object.fromEntries(REPLACED_BY)).toEqual({
      "pss/capabilities_baseline": "pss/capabilities_restricted",
      "pss/hostPathVolumes": "pss/restrictedVolumes",
      "pss/procMount": "pss/procMount_restricted",
      "pss/seccompProfile_baseline": "pss/seccompProfile_restricted",
    });
  });

  it("keeps the more severe of the pair, and counts the problem's findings, not the pair's", () => {
    const finding = (ruleId: string, severity: Finding["severity"]): Finding => ({ ruleId, severity, pillar: "workload", message: ruleId });
    const [only, ...rest] = findingDeductions([finding("pss/capabilities_restricted", "medium"), finding("pss/capabilities_baseline", "high")]);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ ruleId: "pss/capabilities_baseline", severity: "high", count: 1 });
    // Two findings of one rule (a Deployment and its ReplicaSet) still count two.
    expect(findingDeductions([finding("pss/restrictedVolumes", "high"), finding("pss/restrictedVolumes", "high"), finding("pss/hostPathVolumes", "high")])).toMatchObject([{ ruleId: "pss/restrictedVolumes", count: 2 }]);
  });

  it("checks that replace nothing still cost once each", async () => {
    const web = await workloadPillar((yaml) => yaml.replace(CONTAINER_CONTEXT, "securityContext: {allowPrivilegeEscalation: true, privileged: true, capabilities: {drop: [ALL]}}"));
    expect(ruleIds(web)).toEqual(expect.arrayContaining(["pss/privileged", "pss/allowPrivilegeEscalation"]));
  });
});
