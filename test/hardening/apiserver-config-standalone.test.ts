/**
 * AuthenticationConfiguration and AuthorizationConfiguration judged on their own, once, whether or
 * not the kube-apiserver manifest naming them is in the scan; the manifest adds only what its flags decide.
 */
import { describe, expect, it } from "vitest";
import { controlPlaneFamily } from "../../src/hardening/family.js";
import { apiserverPod, hardenedFlags, scanControlPlaneFiles } from "../support/apiserver-flags.js";

const pod = apiserverPod;

const scan = scanControlPlaneFiles;

const withFlags = hardenedFlags;
const AUTHN = (body: string) => `apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n${body}`;
const AUTHZ = (body: string) => `apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\n${body}`;
const NODE_RBAC = "- {type: Node, name: node}\n- {type: RBAC, name: rbac}\n";
const webhook = (fields: string) => `authorizers:\n${NODE_RBAC}- type: Webhook\n  name: extra\n  webhook:\n${fields}`;

describe("AuthenticationConfiguration on its own", () => {
  it("reports anonymous requests to every path at the file's field, and not when conditions limit them", () => {
    expect(scan({ "authn.yaml": AUTHN("anonymous:\n  enabled: true\n") })).toEqual([
      "apiserver/anonymous-auth AuthenticationConfiguration anonymous.enabled | anonymous.enabled: true with no conditions: unauthenticated requests to every path are served as system:anonymous",
    ]);
    expect(scan({ "authn.yaml": AUTHN("anonymous:\n  enabled: true\n  conditions:\n  - path: /livez\n") })).toEqual([]);
    expect(scan({ "authn.yaml": AUTHN("anonymous:\n  enabled: false\n") })).toEqual([]);
  });

  it("says nothing of a missing anonymous section: only the manifest's --anonymous-auth decides then", () => {
    expect(scan({ "authn.yaml": AUTHN("jwt: []\n") })).toEqual([]);
  });

  it("reports a JWT issuer that is not https as a file kube-apiserver refuses, without echoing the URL", () => {
    const found = scan({ "authn.yaml": AUTHN("jwt:\n- issuer: {url: 'http://user:hunter2@issuer.example', audiences: [k8s]}\n  claimMappings: {username: {claim: sub, prefix: 'oidc:'}}\n") });
    // validateURL reports every fault of the URL, the credentials in it too, and echoes none of it.
    expect(found).toEqual([
      "apiserver/config-file-refused AuthenticationConfiguration jwt[0].issuer.url | jwt[0].issuer.url uses the http scheme: kube-apiserver accepts only https issuers and refuses the file",
      "apiserver/config-file-refused AuthenticationConfiguration jwt[0].issuer.url | jwt[0].issuer.url: URL must not contain a username or password: kube-apiserver refuses the file",
    ]);
    expect(found.join()).not.toContain("hunter2");
    expect(scan({ "authn.yaml": AUTHN("jwt:\n- issuer: {url: 'https://issuer.example', audiences: [k8s]}\n  claimMappings: {username: {claim: sub, prefix: 'oidc:'}}\n") })).toEqual([]);
  });

  it("requires an explicit prefix beside a mapped claim, email included, and accepts prefix: \"\"", () => {
    const jwt = (mapping: string) => AUTHN(`jwt:\n- issuer: {url: 'https://issuer.example', audiences: [k8s]}\n  claimMappings:\n    username: ${mapping}\n`);
    expect(scan({ "a.yaml": jwt("{claim: email}") })).toEqual([
      'apiserver/config-file-refused AuthenticationConfiguration jwt[0].claimMappings.username | jwt[0].claimMappings.username maps the claim "email" without a prefix: kube-apiserver requires one (prefix: "" for none) and refuses the file',
    ]);
    expect(scan({ "a.yaml": jwt("{claim: sub, prefix: ''}") })).toEqual([]);
    expect(scan({ "a.yaml": jwt("{expression: 'claims.sub'}") })).toEqual([]);
  });

  it("reads hostile shapes as refusals, never a crash", () => {
    expect(scan({ "a.yaml": AUTHN("jwt: {issuer: x}\n") })).toEqual(["apiserver/config-file-refused AuthenticationConfiguration jwt | jwt is not a list of authenticators: kube-apiserver cannot read the file"]);
    // Go's decoding names only the first value of the wrong type, meeting the keys sorted: anonymous before jwt.
    expect(scan({ "a.yaml": AUTHN("jwt: {issuer: x}\nanonymous: true\n") })).toEqual(["apiserver/config-file-refused AuthenticationConfiguration anonymous | anonymous is not an object: kube-apiserver cannot read the file"]);
    expect(scan({ "a.yaml": AUTHN("jwt: [7, {issuer: 3, claimMappings: []}]\n") })).toEqual(["apiserver/config-file-refused AuthenticationConfiguration jwt[0] | jwt[0] is not an authenticator object: kube-apiserver cannot read the file"]);
  });
});

describe("AuthorizationConfiguration on its own", () => {
  it("judges the authorizers at the same weight as when the manifest is scanned", () => {
    const alone = scan({ "authz.yaml": AUTHZ("authorizers:\n- {type: AlwaysAllow, name: all}\n") });
    expect(alone).toEqual([
      "apiserver/always-allow AuthorizationConfiguration authorizers[0].type | authorizers include AlwaysAllow",
      "apiserver/rbac-disabled AuthorizationConfiguration authorizers | authorizers (AlwaysAllow) do not include RBAC",
      "apiserver/node-authorizer AuthorizationConfiguration authorizers | authorizers (AlwaysAllow) do not include Node",
    ]);
    expect(scan({ "authz.yaml": AUTHZ(`authorizers:\n${NODE_RBAC}`) })).toEqual([]);
  });

  it("reports a webhook failurePolicy kube-apiserver does not know (Allow) and accepts NoOpinion and Deny", () => {
    const ok = "    timeout: 3s\n    connectionInfo: {type: InClusterConfig}\n    subjectAccessReviewVersion: v1\n";
    expect(scan({ "a.yaml": AUTHZ(webhook(`${ok}    failurePolicy: Allow\n`)) })).toEqual([
      'apiserver/config-file-refused AuthorizationConfiguration authorizers[2].webhook.failurePolicy | authorizers[2].webhook.failurePolicy is "Allow": kube-apiserver accepts only NoOpinion or Deny and refuses the file',
    ]);
    expect(scan({ "a.yaml": AUTHZ(webhook(`${ok}    failurePolicy: Deny\n`)) })).toEqual([]);
    expect(scan({ "a.yaml": AUTHZ(webhook(`${ok}    failurePolicy: NoOpinion\n`)) })).toEqual([]);
  });

  it("reports an unknown connectionInfo.type and match conditions without matchConditionSubjectAccessReviewVersion v1", () => {
    const found = scan({ "a.yaml": AUTHZ(webhook("    failurePolicy: Deny\n    connectionInfo: {type: Remote}\n    matchConditions:\n    - expression: 'true'\n")) });
    expect(found).toEqual([
      'apiserver/config-file-refused AuthorizationConfiguration authorizers[2].webhook.connectionInfo.type | authorizers[2].webhook.connectionInfo.type is "Remote": kube-apiserver accepts only InClusterConfig or KubeConfigFile and refuses the file',
      "apiserver/config-file-refused AuthorizationConfiguration authorizers[2].webhook.matchConditionSubjectAccessReviewVersion | authorizers[2].webhook.matchConditionSubjectAccessReviewVersion must be v1 when matchConditions are set: kube-apiserver refuses the file",
    ]);
  });

  it("reads authorizers that are not a list as a refusal", () => {
    expect(scan({ "a.yaml": AUTHZ("authorizers: RBAC\n") })).toEqual(["apiserver/config-file-refused AuthorizationConfiguration authorizers | authorizers is not a non-empty list: kube-apiserver requires at least one authorization mode and refuses the file"]);
  });
});

describe("a file paired with its manifest is reported once", () => {
  it("gives the authorizers' findings once whether or not the manifest is scanned", () => {
    const file = AUTHZ("authorizers:\n- {type: RBAC, name: rbac}\n");
    const expected = ["apiserver/node-authorizer AuthorizationConfiguration authorizers | authorizers (RBAC) do not include Node"];
    expect(scan({ "authz.yaml": file })).toEqual(expected);
    expect(scan({ "apiserver.yaml": `${pod(withFlags(["authorization-mode"], ["--authorization-config=/etc/kubernetes/authz.yaml"]))}---\n${file}` })).toEqual(expected);
  });

  it("gives anonymous-everywhere once, at the file, when the manifest names it", () => {
    const manifest = pod(withFlags(["anonymous-auth"], ["--authentication-config=/etc/kubernetes/authn.yaml"]));
    expect(scan({ "apiserver.yaml": manifest, "authn.yaml": AUTHN("anonymous:\n  enabled: true\n") }).filter((f) => f.startsWith("apiserver/anonymous-auth"))).toHaveLength(1);
  });

  it("says that several scanned files of a kind cannot be told apart, and still judges each", () => {
    const manifest = pod(withFlags(["authorization-mode"], ["--authorization-config=/etc/kubernetes/authz.yaml"]));
    const found = scan({ "apiserver.yaml": manifest, "a.yaml": AUTHZ(`authorizers:\n${NODE_RBAC}`), "b.yaml": AUTHZ("authorizers:\n- {type: RBAC, name: rbac}\n") });
    expect(found.filter((f) => f.startsWith("apiserver/authorization-config-unchecked"))[0]).toContain("cannot be told apart among the 2 AuthorizationConfigurations scanned");
    expect(found.filter((f) => f.startsWith("apiserver/node-authorizer"))).toHaveLength(1);
  });
});

describe("registration", () => {
  it("lists the new rules with docs, and reads the files", () => {
    for (const id of ["apiserver/config-file-refused", "audit/secrets-logged", "audit/key-requests-not-audited", "audit/invalid-policy", "audit/policy-file-unchecked"]) {
      const rule = controlPlaneFamily.rules.find((r) => r.id === id);
      expect(rule?.docs.description, id).toBeTruthy();
      expect(rule?.docs.remediation, id).toBeTruthy();
      expect(rule?.docs.helpUri, id).toBeTruthy();
    }
    const reads = controlPlaneFamily.reads!({} as never);
    expect(reads({ apiVersion: "audit.k8s.io/v1", kind: "Policy" })).toBe(true);
    expect(reads({ apiVersion: "kyverno.io/v1", kind: "Policy" })).toBe(false);
  });
});
