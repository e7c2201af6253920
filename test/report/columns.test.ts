import { describe, expect, it } from "vitest";
import { canIText } from "../../src/access/rbac/render.js";
import { usageTable } from "../../src/cli/quota.js";
import { columns } from "../../src/report/columns.js";

describe("columns (the tables of quota, pki, etcd and rbac)", () => {
  it("pads every column but the last to its widest printed cell", () => {
    expect(columns([["NAME", "AGE"], ["a-long-name", "1d"]])).toEqual(["NAME         AGE", "a-long-name  1d"]);
    expect(columns([["A", "B", ""]], { gap: "   ", trimEnd: true })).toEqual(["A   B"]);
  });

  it("prints names from the input escaped, so a name cannot start a CI workflow command or rewrite a terminal line", () => {
    const hostile = "shop\n::error file=README.md::all good";
    const table = usageTable([{ namespace: hostile, quotas: [{ namespace: hostile, name: "q\u001b[2K", hard: { pods: "2" }, used: { pods: "1" }, scopes: [] }], limitRanges: [], pods: 1, rejectedPods: 0 }, { namespace: "::open", quotas: [], limitRanges: [], pods: 0, rejectedPods: 0 }]);
    for (const line of table.split("\n")) expect(line).not.toMatch(/^\s*::/);
    expect(table).not.toContain("\u001b");
    expect(table).toContain("shop\\n::error file=README.md::all good  q\\u001b[2K");
    expect(table).toContain("Namespaces without a ResourceQuota: ::open");
  });

  it("prints rbac's explanations escaped too", () => {
    const text = canIText({ allowed: false, reason: "", errors: ["role \"x\n::error::y\" not found"] });
    for (const line of text.split("\n")) expect(line).not.toMatch(/^\s*::/);
    expect(text).toContain('role "x\\n::error::y" not found');
  });
});
