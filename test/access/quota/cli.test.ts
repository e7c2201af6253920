import { describe, expect, it } from "vitest";
import { registerQuotaCommand } from "../../../src/cli/quota.js";
import { repoRoot } from "../../support/conformance.js";
import { runCli } from "../authn/run-cli.js";

const example = `${repoRoot}/examples/access-quota-tenants.yaml`;

describe("palisade quota", () => {
  it("shows usage per quota and the rejected workloads of the example, exit 1", async () => {
    const result = await runCli(registerQuotaCommand, ["quota", example]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^NAMESPACE +QUOTA +RESOURCE +USED +HARD +PODS +REJECTED\n/);
    // web: 2 x 400m admitted; worker: 50m default + 10m sidecar; report refused by the LimitRange.
    expect(result.stdout).toMatch(/tenant-a +compute +requests\.cpu +860m +1 +5 +2\n/);
    expect(result.stdout).toMatch(/tenant-a +compute +requests\.memory +672Mi +2Gi/);
    expect(result.stdout).toContain("Namespaces without a ResourceQuota: tenant-b");
    expect(result.stdout).toMatch(/quota\/exceeded +1 of 3 pod\(s\) would be rejected: exceeded quota: compute, requested: requests\.cpu=400m, used: requests\.cpu=800m, limited: requests\.cpu=1/);
    expect(result.stdout).toMatch(/quota\/limitrange-violation +LimitRange container-defaults: container nightly-report: maximum memory usage per Container is 1Gi, but limit is 2Gi/);
  });

  it("renders JSON and filters by -n", async () => {
    const result = await runCli(registerQuotaCommand, ["quota", example, "-o", "json", "-n", "tenant-b"]);
    const report = JSON.parse(result.stdout) as { namespaces: Array<{ namespace: string }>; findings: Array<{ ruleId: string }> };
    expect(report.namespaces.map((n) => n.namespace)).toEqual(["tenant-b"]);
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual(["quota/container-without-resources", "quota/namespace-without-limitrange", "quota/namespace-without-resourcequota"]);
    expect(result.code).toBe(0);
  });

  it("exits 2 on unreadable input", async () => {
    const result = await runCli(registerQuotaCommand, ["quota", `${repoRoot}/examples/does-not-exist.yaml`]);
    expect(result.code).toBe(2);
  });
});
