/**
 * np-guard invalid inputs: every policy the API server would refuse is refused with the
 * field and the reason. The one case Kubernetes accepts (a named port towards an ipBlock)
 * is accepted, matches nothing, and lint reports it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformancePath } from "../support/conformance.js";
import { formatFieldPath } from "../../src/k8s/types.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { readObjects } from "./support.js";

interface InvalidCase {
  dir: string;
  policyFile: string;
  expectedErrorContains: string;
  problem: string;
  kubernetesWouldRejectToo: boolean;
}

/** What our API-server-worded message says for each upstream error, and at which field. */
const OUR_WORDING: Record<string, { field: RegExp; message: RegExp }> = {
  bad_netpols__subdir1: { field: /ipBlock\.cidr$/, message: /must be a valid CIDR/ },
  bad_netpols__subdir2: { field: /spec\.podSelector\.matchLabels$/, message: /Invalid value: "app@b": name part must consist of alphanumeric characters/ },
  bad_netpols__subdir7: { field: /Selector\.matchLabels$/, message: /a valid label must be an empty string/ },
  bad_netpols__subdir3: { field: /from\[0\]$/, message: /may not specify both ipBlock and another peer/ },
  bad_netpols__subdir4: { field: /from\[0\]$/, message: /must specify a peer/ },
  np_bad_path_test_1: { field: /metadata\.name$/, message: /two NetworkPolicys named default\/backend-netpol/ },
  np_bad_path_test_2: { field: /endPort$/, message: /may not be specified when `port` is non-numeric/ },
  np_test_with_empty_port_range: { field: /endPort$/, message: /illegal port range 10-1/ },
};

const dir = conformancePath("netpol/np-guard-invalid");
const cases: InvalidCase[] = dir ? (JSON.parse(readFileSync(join(dir, "invalid.json"), "utf8")) as { cases: InvalidCase[] }).cases : [];

describe.skipIf(!dir)("np-guard invalid policies", () => {
  it("has 9 cases", () => expect(cases).toHaveLength(9));
  for (const c of cases) {
    it(`${c.dir}: ${c.problem}`, () => {
      const set = buildPolicySet(readObjects(join(dir!, c.dir, c.policyFile)).map((object) => ({ object })));
      if (!c.kubernetesWouldRejectToo) {
        expect(set.refused).toEqual([]);
        return;
      }
      const wording = OUR_WORDING[c.dir];
      expect(wording, "every refused case has an expected wording").toBeDefined();
      expect(set.refused.length).toBeGreaterThan(0);
      const hit = set.refused.find((r) => wording!.field.test(formatFieldPath(r.path)) && wording!.message.test(r.message));
      expect(hit, JSON.stringify(set.refused.map((r) => `${formatFieldPath(r.path)}: ${r.message}`))).toBeDefined();
    });
  }
});
