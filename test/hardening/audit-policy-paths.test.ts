/**
 * audit/invalid-policy names each field as upstream's field.Path prints it (rules[1].level,
 * rules[1].resources[0].group), the same way as the finding's field path: the messages
 * mixed that with a dotted rules.1.resources.0.group.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

function invalid(rules: string) {
  const text = `apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n${rules}`;
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile("audit.yaml", text).objects };
  return checkControlPlane(snapshot).filter((f) => f.ruleId === "audit/invalid-policy");
}

describe("audit/invalid-policy field paths", () => {
  it("are written as upstream writes them, the list entries of resources included", () => {
    const found = invalid(`- level: Metadata
- level: 5
  resources: [null, {group: "*", resources: "secrets"}, {group: "", resourceNames: [a]}]
  users: "bob"
`);
    expect(found.map((f) => f.message.replace(/: kube-apiserver refuses to load the policy$/, ""))).toEqual([
      "rules[1].level 5 is not one of None, Metadata, Request, RequestResponse",
      "rules[1].resources[0] is not a group/resources object",
      'rules[1].resources[1].group "*" is not an API group name: ' + found[2]?.message.split("is not an API group name: ")[1]?.replace(/: kube-apiserver refuses to load the policy$/, ""),
      "rules[1].resources[1].resources is not a list of strings",
      "rules[1].resources[2].resourceNames needs resources",
      "rules[1].users is not a list of strings",
    ]);
  });

  it("property: every message begins with the finding's own field path", () => {
    const entry = fc.constantFrom("null", "5", "{group: Apps}", '{group: "*"}', "{resources: x}", "{resourceNames: [a]}", "{group: apps, resources: [deployments]}");
    const field = fc.constantFrom("users: x", "verbs: [1]", "omitStages: [Never]", "nonResourceURLs: [api]", "namespaces: 5", "level: Loud", "level: Metadata");
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(entry, { maxLength: 3 }), field), { minLength: 1, maxLength: 3 }), (rules) => {
        const text = rules.map(([entries, other]) => `- ${other}\n  resources: [${entries.join(", ")}]\n`).join("");
        for (const f of invalid(text)) expect(f.message.startsWith(`${f.fieldPath} `), `${f.fieldPath}: ${f.message}`).toBe(true);
      }),
    );
  });
});
