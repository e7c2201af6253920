/**
 * The audit Policy judged as kube-apiserver applies it: first match, exact strings, the `*`,
 * `*\/sub` and `res/*` resource forms, omitStages, and a policy it would refuse.
 */
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { HARDENED_APISERVER_FLAGS } from "../support/apiserver-flags.js";

function scan(files: Record<string, string>) {
  const objects = Object.entries(files).flatMap(([name, text]) => parseYamlFile(name, text).objects);
  return checkControlPlane({ ...emptySnapshot(), objects })
    .filter((f) => f.ruleId !== "apiserver/encryption-config-unchecked")
    .map((f) => `${f.ruleId} ${f.fieldPath} | ${f.message}`);
}
const policy = (rules: string) => scan({ "audit.yaml": `apiVersion: audit.k8s.io/v1\nkind: Policy\n${rules}` });
const ids = (found: string[]) => found.map((f) => f.split(" ")[0]);
const logged = (found: string[]) => found.filter((f) => f.startsWith("audit/secrets-logged"));
const unaudited = (found: string[]) => found.filter((f) => f.startsWith("audit/key-requests-not-audited"));

// Metadata for the credential kinds and a catch-all: what CIS 3.2.2 and the upstream example recommend.
const GOOD_HEAD = `- level: Metadata
  resources:
  - group: ""
    resources: [secrets, configmaps, serviceaccounts/token]
  - group: authentication.k8s.io
    resources: [tokenreviews]
`;

describe("audit/secrets-logged", () => {
  it("finds nothing when credentials are logged at Metadata before a RequestResponse catch-all", () => {
    expect(policy(`rules:\n${GOOD_HEAD}- level: RequestResponse\n`)).toEqual([]);
  });

  it("reports a catch-all at RequestResponse at its level, naming every credential kind", () => {
    expect(logged(policy("rules:\n- level: RequestResponse\n"))).toEqual([
      "audit/secrets-logged rules[0].level | rules[0] logs at RequestResponse the bodies of secrets create/update/patch/get/list/delete/deletecollection, tokenreviews create, serviceaccounts/token create: Secret data or tokens land in the audit log",
    ]);
  });

  it("at Request, reports the request bodies only: not the TokenRequest, whose token is in the response", () => {
    expect(logged(policy("rules:\n- level: Request\n"))).toEqual([
      "audit/secrets-logged rules[0].level | rules[0] logs at Request the bodies of secrets create/update/patch, tokenreviews create: Secret data or tokens land in the audit log",
    ]);
  });

  it("applies the first matching rule: a later RequestResponse rule for secrets decides nothing", () => {
    expect(logged(policy(`rules:\n${GOOD_HEAD}- level: RequestResponse\n  resources: [{group: "", resources: [secrets]}]\n`))).toEqual([]);
    expect(logged(policy(`rules:\n- level: RequestResponse\n  resources: [{group: "", resources: [secrets]}]\n${GOOD_HEAD}`))).toHaveLength(1);
  });

  it("a rule narrowed to some users does not decide for everyone: the catch-all after it logs the others", () => {
    const found = logged(policy(`rules:\n- level: Metadata\n  users: [alice]\n  resources: [{group: "", resources: [secrets]}]\n- level: RequestResponse\n  resources: [{group: "", resources: [secrets]}]\n${GOOD_HEAD}`));
    expect(found).toEqual(["audit/secrets-logged rules[1].level | rules[1] logs at RequestResponse the bodies of secrets create/update/patch/get/list/delete/deletecollection: Secret data or tokens land in the audit log"]);
  });

  it("a narrowed leaking rule is still reported, and says for whom", () => {
    const found = logged(policy(`rules:\n- level: Request\n  userGroups: [system:serviceaccounts]\n  verbs: [create]\n  resources: [{group: authentication.k8s.io, resources: [tokenreviews]}]\n${GOOD_HEAD}`));
    expect(found).toEqual(["audit/secrets-logged rules[0].level | rules[0] logs at Request (for userGroups system:serviceaccounts; verbs create) the bodies of tokenreviews create: Secret data or tokens land in the audit log"]);
  });

  it("earlier rules that together cover every verb leave nothing for the later rule", () => {
    const head = `- level: Metadata\n  verbs: [create, update, patch]\n  resources: [{group: "", resources: [secrets]}]\n- level: Metadata\n  verbs: [get, list, delete, deletecollection, watch]\n  resources: [{group: "", resources: [secrets]}]\n`;
    expect(logged(policy(`rules:\n${head}- level: Metadata\n  resources: [{group: authentication.k8s.io, resources: [tokenreviews]}, {group: "", resources: [serviceaccounts/token]}]\n- level: RequestResponse\n`))).toEqual([]);
  });

  it("matches the wildcard forms as checker.go does: *, */token, serviceaccounts/* (which also matches serviceaccounts itself)", () => {
    const tail = "- level: RequestResponse\n";
    const meta = (resources: string) => `rules:\n- level: Metadata\n  resources: [{group: "", resources: [${resources}]}, {group: authentication.k8s.io}]\n${tail}`;
    expect(logged(policy(meta('"*"')))).toEqual([]);
    expect(logged(policy(meta("secrets, '*/token'")))).toEqual([]);
    expect(logged(policy(meta("secrets, 'serviceaccounts/*'")))).toEqual([]);
    // serviceaccounts alone does not match the token subresource.
    expect(logged(policy(meta("secrets, serviceaccounts")))[0]).toContain("serviceaccounts/token create");
    // Another API group's rule does not match the core group's secrets; groups match exactly.
    expect(logged(policy(`rules:\n- level: Metadata\n  resources: [{group: apps, resources: ["*"]}]\n${tail}`))[0]).toContain("secrets create");
  });

  it("names in resourceNames only cover those objects; create has no name, so it stays logged", () => {
    const found = logged(policy(`rules:\n- level: Metadata\n  resources: [{group: "", resources: [secrets], resourceNames: [db]}]\n- level: RequestResponse\n  resources: [{group: "", resources: [secrets]}]\n${GOOD_HEAD}`));
    expect(found[0]).toContain("rules[1] logs at RequestResponse the bodies of secrets create/update/patch/get/list/delete/deletecollection");
  });

  it("a namespaced rule leaves other namespaces to later rules", () => {
    expect(logged(policy(`rules:\n- level: Metadata\n  namespaces: [prod]\n  resources: [{group: "", resources: [secrets]}]\n- level: Request\n`))[0]).toContain("rules[1] logs at Request the bodies of secrets create/update/patch");
  });

  it("omitStages dropping ResponseComplete and Panic (in the rule or the policy) keeps bodies out of the log", () => {
    expect(logged(policy("rules:\n- level: RequestResponse\n  omitStages: [ResponseComplete, Panic]\n"))).toEqual([]);
    expect(logged(policy("omitStages: [Panic]\nrules:\n- level: RequestResponse\n  omitStages: [ResponseComplete]\n"))).toEqual([]);
    expect(logged(policy("rules:\n- level: RequestResponse\n  omitStages: [RequestReceived]\n"))).toHaveLength(1);
  });

  it("nonResourceURLs-only rules never match resource requests", () => {
    expect(logged(policy(`rules:\n- level: None\n  nonResourceURLs: ["*"]\n- level: Request\n`))[0]).toContain("rules[1]");
  });
});

describe("audit/key-requests-not-audited (CIS 3.2.2)", () => {
  it("finds nothing when a catch-all at Metadata ends the policy", () => {
    expect(unaudited(policy(`rules:\n${GOOD_HEAD}- level: Metadata\n`))).toEqual([]);
  });

  it("reports the requests no rule matches, at rules, as the default level None", () => {
    expect(unaudited(policy(`rules:\n${GOOD_HEAD}`))).toEqual([
      "audit/key-requests-not-audited rules | no rule matches some pods create/update/patch/delete/deletecollection, deployments create/update/patch/delete/deletecollection, pods/exec get/create, pods/portforward get/create, pods/proxy get/create/update/patch/delete, services/proxy get/create/update/patch/delete requests, so the default level None applies and they are not audited (CIS 3.2.2)",
    ]);
  });

  it("reports a level None rule that decides some key requests, at that rule", () => {
    const found = unaudited(policy(`rules:\n- level: None\n  users: [system:kube-proxy]\n  resources: [{group: "", resources: ["pods/*"]}]\n${GOOD_HEAD}- level: Metadata\n`));
    expect(found).toEqual([
      "audit/key-requests-not-audited rules[0].level | rules[0] (level None) (for users system:kube-proxy) leaves pods create/update/patch/delete/deletecollection, pods/exec get/create, pods/portforward get/create, pods/proxy get/create/update/patch/delete requests unaudited (CIS 3.2.2)",
    ]);
  });

  it("a None rule for get only leaves writes to later rules", () => {
    expect(unaudited(policy(`rules:\n- level: None\n  verbs: [get]\n  resources: [{group: "", resources: [configmaps]}]\n${GOOD_HEAD}- level: Metadata\n`))[0]).toContain("configmaps get requests");
  });

  it("a rule for a service account's user covers that user's groups too", () => {
    const first = "- level: Metadata\n  userGroups: [system:serviceaccounts]\n";
    expect(unaudited(policy(`rules:\n${first}- level: None\n  users: [system:serviceaccount:kube-system:robot]\n- level: Metadata\n`))).toEqual([]);
  });
});

describe("audit/invalid-policy", () => {
  it("reports rules that are not a list, or an empty list, and judges nothing else", () => {
    expect(policy("rules: {level: None}\n")).toEqual(["audit/invalid-policy rules | rules is not a list: kube-apiserver refuses to load the policy"]);
    expect(policy("rules: []\n")).toEqual(["audit/invalid-policy rules | the policy has no rules, which kube-apiserver refuses to load: kube-apiserver refuses to load the policy"]);
  });

  it("reports an unknown or missing level, an unknown stage, a bad group and mixed resource kinds", () => {
    const found = policy(`rules:\n- level: Everything\n- {}\n- level: Metadata\n  omitStages: [Sometimes]\n- level: Metadata\n  resources: [{group: "*"}]\n- level: Metadata\n  nonResourceURLs: [/healthz]\n  namespaces: [default]\n- 42\n- level: Metadata\n  users: admin\n`);
    expect(ids(found).every((id) => id === "audit/invalid-policy")).toBe(true);
    expect(found.map((f) => f.split(" |")[0])).toEqual([
      "audit/invalid-policy rules[0].level",
      "audit/invalid-policy rules[1].level",
      "audit/invalid-policy rules[2].omitStages[0]",
      "audit/invalid-policy rules[3].resources[0].group",
      "audit/invalid-policy rules[4].nonResourceURLs",
      "audit/invalid-policy rules[5]",
      "audit/invalid-policy rules[6].users",
    ]);
  });
});

describe("--audit-policy-file and the scanned Policy", () => {
  const pod = ["apiVersion: v1", "kind: Pod", "metadata: {name: kube-apiserver, namespace: kube-system}", "spec:", "  containers:", "  - name: kube-apiserver", "    command:", "    - kube-apiserver", ...HARDENED_APISERVER_FLAGS.map((a) => `    - ${JSON.stringify(a)}`), ""].join("\n");
  const file = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Request\n";

  it("judges a paired policy once, as on its own", () => {
    const alone = scan({ "audit.yaml": file });
    expect(scan({ "apiserver.yaml": `${pod}---\n${file}` })).toEqual(alone);
    expect(logged(alone)).toHaveLength(1);
  });

  it("says when several scanned policies cannot be told apart", () => {
    const found = scan({ "apiserver.yaml": pod, "a.yaml": file, "b.yaml": file });
    expect(found.filter((f) => f.startsWith("audit/policy-file-unchecked"))).toHaveLength(1);
    expect(scan({ "apiserver.yaml": pod, "a.yaml": file }).filter((f) => f.startsWith("audit/policy-file-unchecked"))).toEqual([]);
  });
});
