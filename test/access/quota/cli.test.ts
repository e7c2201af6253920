import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  it("shows what the quota controller recorded (status.used) beside what the workloads need, when a quota carries it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-quota-"));
    const file = join(dir, "exported.yaml");
    writeFileSync(
      file,
      readFileSync(example, "utf8").replace(
        "    count/deployments.apps: \"5\"\n",
        "    count/deployments.apps: \"5\"\nstatus:\n  used: {requests.cpu: 450m, requests.memory: 1Gi, pods: \"3\", count/deployments.apps: \"2\", bogus: twelve}\n",
      ),
    );
    const result = await runCli(registerQuotaCommand, ["quota", file]);
    expect(result.stdout).toMatch(/^NAMESPACE +QUOTA +RESOURCE +USED +REPORTED +HARD +PODS +REJECTED\n/);
    expect(result.stdout).toMatch(/tenant-a +compute +requests\.cpu +860m +450m +1 +5 +2\n/);
    // A resource the controller recorded nothing for.
    expect(result.stdout).toMatch(/tenant-a +compute +limits\.memory +\S+ +- +4Gi/);
    const report = JSON.parse((await runCli(registerQuotaCommand, ["quota", file, "-o", "json"])).stdout) as { namespaces: Array<{ quotas: Array<{ reported?: Record<string, string> }> }> };
    // What the controller wrote that is no quantity is left out, not charged to the user.
    expect(report.namespaces.flatMap((n) => n.quotas.map((q) => q.reported)).filter(Boolean)).toEqual([{ "count/deployments.apps": "2", pods: "3", "requests.cpu": "450m", "requests.memory": "1Gi" }]);
    // Without status, no column.
    expect((await runCli(registerQuotaCommand, ["quota", example])).stdout).not.toContain("REPORTED");
  });

  it("asks for input when given neither paths nor --cluster", async () => {
    const result = await runCli(registerQuotaCommand, ["quota"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nothing to read/);
  });

  it("exits 2 on unreadable input", async () => {
    const result = await runCli(registerQuotaCommand, ["quota", `${repoRoot}/examples/does-not-exist.yaml`]);
    expect(result.code).toBe(2);
  });
});
