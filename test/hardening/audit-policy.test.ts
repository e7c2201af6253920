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
      "audit/key-requests-not-audited rules[0].level | rules[0] (level None) is an exemption for users system:kube-proxy: their pods create/update/patch/delete/deletecollection, pods/exec get/create, pods/portforward get/create, pods/proxy get/create/update/patch/delete requests are not audited, while the same requests by other identities go on to later rules (CIS 3.2.2)",
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

/** The findings themselves, with their severity. */
function findingsOf(text: string) {
  return checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile("audit.yaml", text).objects }).filter((f) => f.ruleId.startsWith("audit/"));
}
const secretsRule = (level: string, users: string[]) => ({ level, users, resources: [{ group: "", resources: ["secrets"] }] });
const policyText = (rules: unknown[]) => `apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: ${JSON.stringify(rules)}\n`;

describe("the witness search is exact on large policies", () => {
  it("finds the leaking rule 500 after 499 rules of 100 users each", () => {
    const head = Array.from({ length: 499 }, (_, i) => secretsRule("Metadata", Array.from({ length: 100 }, (_, j) => `user-${i}-${j}`)));
    const found = logged(scan({ "audit.yaml": policyText([...head, secretsRule("RequestResponse", ["late-user"]), { level: "Metadata" }]) }));
    expect(found).toEqual([expect.stringMatching(/^audit\/secrets-logged rules\[499\]\.level \| rules\[499\] logs at RequestResponse \(for users late-user\) the bodies of secrets create\//)]);
  });

  it("judges 2,000 rules of 50 users each, distinct or shared, and finds the planted rule", () => {
    for (const shared of [false, true]) {
      const head = Array.from({ length: 1999 }, (_, i) => secretsRule("Metadata", Array.from({ length: 50 }, (_, j) => (shared ? `user-${j}` : `user-${i}-${j}`))));
      const found = findingsOf(policyText([...head, secretsRule("RequestResponse", ["late-user"]), { level: "Metadata" }]));
      expect(found.map((f) => `${f.ruleId} ${f.fieldPath}`)).toEqual(["audit/secrets-logged rules[1999].level"]);
    }
  });

  it("a rule named only through earlier rules' values is still found: the class of a value is which earlier rules name it", () => {
    // alice is covered for get by rule 0, bob by nobody: rule 2 decides bob's get, and rule 1's alice-only verbs.
    const rules = [{ level: "Metadata", users: ["alice"], verbs: ["get"], resources: [{ group: "", resources: ["secrets"] }] }, secretsRule("Metadata", ["carol"]), secretsRule("RequestResponse", ["alice", "bob", "carol"]), { level: "Metadata" }];
    const found = logged(scan({ "audit.yaml": policyText(rules) }));
    expect(found).toEqual(["audit/secrets-logged rules[2].level | rules[2] logs at RequestResponse (for users alice,bob,carol) the bodies of secrets create/update/patch/get/list/delete/deletecollection: Secret data or tokens land in the audit log"]);
  });

  it("says, at info, when a policy's classes multiply past the search's budget, instead of dropping findings silently", () => {
    const users = Array.from({ length: 500 }, (_, i) => `user-${i}`);
    const namespaces = Array.from({ length: 500 }, (_, i) => `ns-${i}`);
    const head = [...users.map((u) => ({ level: "Metadata", users: [u], verbs: ["watch"] })), ...namespaces.map((ns) => ({ level: "Metadata", namespaces: [ns], verbs: ["watch"] }))];
    const found = findingsOf(policyText([...head, { level: "RequestResponse", users, namespaces, resources: [{ group: "", resources: ["secrets"] }] }, { level: "Metadata" }]));
    const partial = found.filter((f) => f.ruleId === "audit/policy-not-fully-judged");
    expect(partial.map((f) => [f.severity, f.fieldPath, f.message])).toEqual([["info", "rules", expect.stringMatching(/^the policy was not fully judged: .* to try every class of secrets requests/)]]);
  });
});

describe("stages an ordinary request writes", () => {
  const head = GOOD_HEAD.replace("- level: Metadata\n", "- level: Metadata\n  omitStages: [RequestReceived]\n");
  it("a rule dropping RequestReceived and ResponseComplete writes nothing for requests that are not long-running", () => {
    const found = unaudited(policy(`rules:\n${head}- level: Metadata\n  omitStages: [RequestReceived, ResponseComplete]\n`));
    // exec, port-forward and proxy are long-running: their ResponseStarted event is still written.
    expect(found).toEqual([
      "audit/key-requests-not-audited rules[1].omitStages | rules[1] (omitStages dropping every stage these requests write) leaves pods create/update/patch/delete/deletecollection, deployments create/update/patch/delete/deletecollection requests unaudited (CIS 3.2.2)",
    ]);
  });

  it("a watch writes ResponseStarted, so only its other verbs go unaudited", () => {
    const found = unaudited(policy(`rules:\n- level: Metadata\n  omitStages: [RequestReceived, ResponseComplete]\n  resources: [{group: "", resources: [secrets]}]\n${GOOD_HEAD}- level: Metadata\n`));
    expect(found).toEqual(["audit/key-requests-not-audited rules[0].omitStages | rules[0] (omitStages dropping every stage these requests write) leaves secrets get/list/create/update/patch/delete/deletecollection requests unaudited (CIS 3.2.2)"]);
  });

  it("policy-wide omitStages join the rule's", () => {
    expect(unaudited(policy(`omitStages: [RequestReceived]\nrules:\n${GOOD_HEAD}- level: Metadata\n  omitStages: [ResponseComplete]\n`))[0]).toContain("rules[1] (omitStages dropping every stage these requests write) leaves pods create");
  });
});

// A faithful subset of the audit policy kube-up writes for GCE (cluster/gce/gci/configure-helper.sh, create-master-audit-policy).
const GCE_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  users: ["system:kube-proxy"]
  verbs: ["watch"]
  resources: [{group: "", resources: ["endpoints", "services", "services/status"]}]
- level: None
  users: ["system:unsecured"]
  namespaces: ["kube-system"]
  verbs: ["get"]
  resources: [{group: "", resources: ["configmaps"]}]
- level: None
  userGroups: ["system:nodes"]
  verbs: ["get"]
  resources: [{group: "", resources: ["nodes", "nodes/status"]}]
- level: None
  users: ["cluster-autoscaler"]
  verbs: ["get", "update"]
  namespaces: ["kube-system"]
  resources: [{group: "", resources: ["configmaps", "endpoints"]}]
- level: None
  nonResourceURLs: ["/healthz*", "/version", "/swagger*"]
- level: None
  resources: [{group: "", resources: ["events"]}]
- level: Request
  users: ["system:serviceaccount:kube-system:namespace-controller"]
  verbs: ["deletecollection"]
  omitStages: ["RequestReceived"]
- level: Metadata
  resources:
  - {group: "", resources: ["secrets", "configmaps", "serviceaccounts/token"]}
  - {group: authentication.k8s.io, resources: ["tokenreviews"]}
  omitStages: ["RequestReceived"]
- level: Request
  verbs: ["get", "list", "watch"]
  resources: [{group: ""}, {group: "apps"}, {group: "authentication.k8s.io"}]
  omitStages: ["RequestReceived"]
- level: RequestResponse
  resources: [{group: ""}, {group: "apps"}, {group: "authentication.k8s.io"}]
  omitStages: ["RequestReceived"]
- level: Metadata
  omitStages: ["RequestReceived"]
`;

describe("the GCE kube-up reference policy", () => {
  it("reports only the exemptions for named identities, at low, as exemptions", () => {
    const found = findingsOf(GCE_POLICY);
    expect(found.map((f) => [f.ruleId, f.severity, f.fieldPath, f.message])).toEqual([
      ["audit/key-requests-not-audited", "low", "rules[1].level", "rules[1] (level None) (for verbs get; namespaces kube-system) is an exemption for users system:unsecured: their configmaps get requests are not audited, while the same requests by other identities go on to later rules (CIS 3.2.2)"],
      ["audit/key-requests-not-audited", "low", "rules[3].level", "rules[3] (level None) (for verbs get,update; namespaces kube-system) is an exemption for users cluster-autoscaler: their configmaps get/update requests are not audited, while the same requests by other identities go on to later rules (CIS 3.2.2)"],
    ]);
  });

  it("a None rule for everyone stays medium, and a rule for system:authenticated is for everyone", () => {
    const everyone = findingsOf(`apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  userGroups: [system:authenticated]\n  verbs: [get]\n  resources: [{group: "", resources: [configmaps]}]\n${GOOD_HEAD}- level: Metadata\n`);
    expect(everyone.map((f) => [f.severity, f.message])).toEqual([["medium", "rules[0] (level None) (for userGroups system:authenticated; verbs get) leaves configmaps get requests unaudited (CIS 3.2.2)"]]);
  });
});

describe("messages", () => {
  it("list the first 5 users or namespaces and how many more", () => {
    const users = Array.from({ length: 8 }, (_, i) => `u${i}`);
    const found = logged(scan({ "audit.yaml": policyText([{ level: "Request", users, namespaces: ["a", "b", "c", "d", "e", "f"], resources: [{ group: "", resources: ["secrets"] }] }]) }));
    expect(found[0]).toContain("(for users u0,u1,u2,u3,u4 +3 more; namespaces a,b,c,d,e +1 more)");
  });
});

describe("audit/invalid-policy: versions, policy-wide stages and group names", () => {
  it("refuses audit.k8s.io/v1beta1 and v1alpha1, removed in Kubernetes 1.24, and judges nothing else", () => {
    for (const version of ["v1beta1", "v1alpha1"]) {
      expect(scan({ "audit.yaml": `apiVersion: audit.k8s.io/${version}\nkind: Policy\nrules:\n- level: RequestResponse\n` })).toEqual([
        `audit/invalid-policy apiVersion | apiVersion "audit.k8s.io/${version}" was removed in Kubernetes 1.24 (use audit.k8s.io/v1): kube-apiserver refuses to load the policy`,
      ]);
    }
    expect(scan({ "audit.yaml": "apiVersion: audit.k8s.io/v2\nkind: Policy\nrules:\n- level: Metadata\n" })).toEqual([
      'audit/invalid-policy apiVersion | apiVersion "audit.k8s.io/v2" is not audit.k8s.io/v1, the only version kube-apiserver decodes: kube-apiserver refuses to load the policy',
    ]);
  });

  it("validates the policy-wide omitStages like a rule's", () => {
    expect(policy("omitStages: [RequestReceived, Sometimes]\nrules:\n- level: Metadata\n")).toEqual([
      'audit/invalid-policy omitStages[1] | omitStages[1] "Sometimes" is not one of RequestReceived, ResponseStarted, ResponseComplete, Panic: kube-apiserver refuses to load the policy',
    ]);
  });

  it("says why a group is not a DNS subdomain, with IsDNS1123Subdomain's errors", () => {
    const long = `${"a".repeat(250)}.com`;
    const found = policy(`rules:\n- level: Metadata\n  resources: [{group: Apps}, {group: ${long}}]\n`);
    expect(found[0]).toContain('rules[0].resources[0].group "Apps" is not an API group name: a lowercase RFC 1123 subdomain must consist of');
    expect(found[1]).toContain(`group "${long}" is not an API group name: must be no more than 253 characters`);
  });
});

describe("requests by someone no rule names", () => {
  it("include anonymous ones, whose only group is system:unauthenticated: a policy for system:authenticated leaves them to the default", () => {
    const forAuthenticated = `- level: Metadata\n  userGroups: [system:authenticated]\n`;
    expect(unaudited(policy(`rules:\n${forAuthenticated}`))).toEqual([
      "audit/key-requests-not-audited rules | no rule matches some secrets get/list/watch/create/update/patch/delete/deletecollection, configmaps get/list/watch/create/update/patch/delete/deletecollection, tokenreviews create, pods create/update/patch/delete/deletecollection, deployments create/update/patch/delete/deletecollection, pods/exec get/create, pods/portforward get/create, pods/proxy get/create/update/patch/delete, services/proxy get/create/update/patch/delete requests, so the default level None applies and they are not audited (CIS 3.2.2)",
    ]);
    expect(unaudited(policy(`rules:\n${forAuthenticated}- level: Metadata\n  userGroups: [system:unauthenticated]\n`))).toEqual([]);
  });

  it("an anonymous request carries no other group: a rule for another group does not match it", () => {
    expect(logged(policy(`rules:\n- level: Metadata\n  userGroups: [system:authenticated]\n- level: RequestResponse\n  userGroups: [devs]\n- level: Metadata\n`))).toEqual([]);
  });
});
