/** PSA's cluster-wide configuration among the scanned files: its defaults and exemptions, as PSA applies them. */
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { podSecurityFamily } from "../../src/podsecurity/family.js";
import { runScan } from "../../src/scan/run.js";
import { scanStreaming } from "../../src/scan/stream.js";
import type { ScanOptions } from "../../src/scan/family.js";

const ADMISSION_CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      enforce: baseline
      enforce-version: v1.30
      audit: restricted
    exemptions:
      namespaces: [kube-system]
      runtimeClasses: [kata]
`;

/** Privileged and running as root: baseline rejects it, restricted too. */
const pod = (name: string, namespace: string, runtimeClass?: string) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  ${runtimeClass ? `runtimeClassName: ${runtimeClass}` : "restartPolicy: Always"}
  containers:
  - name: c
    image: x
    securityContext: {privileged: true}
`;

const NAMESPACES = `---
apiVersion: v1
kind: Namespace
metadata: {name: labelled, labels: {pod-security.kubernetes.io/warn: restricted}}
`;

const WORKLOADS = pod("web", "apps") + pod("proxy", "kube-system") + pod("sandboxed", "apps", "kata") + pod("tool", "labelled") + NAMESPACES;

async function scan(text: string, options: ScanOptions = {}): Promise<Finding[]> {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: text });
  const batch = runScan(snapshot, options, [podSecurityFamily]).findings;
  // A streaming scan reads the configuration ahead of the pods, wherever it is in the input.
  const streamed = (await scanStreaming({ paths: ["-"], stdinText: text }, options, [podSecurityFamily])).result.findings;
  expect(streamed).toEqual(batch);
  return batch;
}

const summary = (findings: Finding[]) => [...new Set(findings.map((f) => `${f.object?.name} ${f.properties?.mode} ${f.properties?.podSecurity} ${f.properties?.levelSource}`))].sort();

describe("PSA's cluster configuration in the scanned files", () => {
  it("judges unlabelled namespaces at its defaults, fills missing modes of labelled ones, and skips its exemptions", async () => {
    const findings = await scan(WORKLOADS + "---\n" + ADMISSION_CONFIG);
    expect(summary(findings)).toEqual(
      [
        // apps has no labels: enforce baseline:v1.30 and audit restricted, the cluster's defaults.
        "web enforce baseline:v1.30 cluster-default",
        "web audit restricted:latest cluster-default",
        // labelled asks for warn restricted itself; its enforce and audit come from the defaults.
        "tool enforce baseline:v1.30 namespace-labels",
        "tool warn restricted:latest namespace-labels",
      ].sort(),
    );
    // kube-system and the kata runtime class are exempt: PSA judges nothing there.
    expect(findings.some((f) => f.object?.name === "proxy" || f.object?.name === "sandboxed")).toBe(false);
    expect(findings.find((f) => f.object?.name === "web" && f.ruleId === "pss/privileged")?.note).toBe("PSA enforce baseline:v1.30 (the cluster's default) would reject this pod");
  });

  it("reads a PodSecurityConfiguration of its own too, ahead of the pods it judges", async () => {
    const standalone = ADMISSION_CONFIG.split("  configuration:\n")[1]!.replace(/^ {4}/gm, "");
    const findings = await scan(standalone + WORKLOADS);
    expect(summary(findings)).toContain("web enforce baseline:v1.30 cluster-default");
  });

  it("without one, judges unlabelled namespaces at the scan's default level, and exempts nothing", async () => {
    const findings = await scan(WORKLOADS);
    expect(summary(findings).filter((line) => line.startsWith("proxy") || line.startsWith("sandboxed") || line.startsWith("web"))).toEqual(["proxy scan restricted:latest default", "sandboxed scan restricted:latest default", "web scan restricted:latest default"]);
  });

  it("--level judges every pod, exempt or not, and a plugin configured by path is not read", async () => {
    expect(summary(await scan(WORKLOADS + "---\n" + ADMISSION_CONFIG, { podSecurity: { level: "baseline" } }))).toContain("proxy scan baseline:latest override");
    const byPath = "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  path: /etc/kubernetes/psa.yaml\n";
    expect(summary(await scan(WORKLOADS + "---\n" + byPath))).toContain("web scan restricted:latest default");
  });
});
