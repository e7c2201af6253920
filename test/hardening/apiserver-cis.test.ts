/**
 * kube-apiserver settings the CIS benchmark checks that the flag audit now judges too: default-on
 * admission plugins turned off, the serving certificate, client CA, service-account keys and
 * token lifetime, audit-log retention, and the structured authentication and authorization files.
 */
import { describe, expect, it } from "vitest";
import { controlPlaneFamily } from "../../src/hardening/family.js";
import { apiserverPod, hardenedFlags, scanControlPlaneFiles, HARDENED_APISERVER_FLAGS } from "../support/apiserver-flags.js";

const HARDENED = [...HARDENED_APISERVER_FLAGS];

const pod = apiserverPod;

const scan = scanControlPlaneFiles;

/** HARDENED without the flags named, plus `extra`. */
const args = hardenedFlags;
const only = (list: string[]) => scan({ "apiserver.yaml": pod(list) });

describe("default-on admission plugins", () => {
  it("reports ServiceAccount and NamespaceLifecycle turned off by --disable-admission-plugins (CIS 1.2.12, 1.2.13)", () => {
    expect(only(args([], ["--disable-admission-plugins=ServiceAccount,NamespaceLifecycle"]))).toEqual([
      `apiserver/default-admission-disabled Pod spec.containers[0].command[${HARDENED.length + 1}] | --disable-admission-plugins turns off ServiceAccount, NamespaceLifecycle`,
    ]);
  });

  it("reports every default-on plugin the deprecated --admission-control leaves out, which it turns off", () => {
    const found = only(args(["enable-admission-plugins"], ["--admission-control=NodeRestriction,ServiceAccount,PodSecurity"]));
    expect(found).toEqual([
      `apiserver/policy-admission-disabled Pod spec.containers[0].command[${HARDENED.length}] | --admission-control=NodeRestriction,ServiceAccount,PodSecurity names the whole plugin list, so default-on ValidatingAdmissionWebhook, MutatingAdmissionWebhook, ValidatingAdmissionPolicy are off`,
      `apiserver/default-admission-disabled Pod spec.containers[0].command[${HARDENED.length}] | --admission-control=NodeRestriction,ServiceAccount,PodSecurity names the whole plugin list, so default-on NamespaceLifecycle, CertificateApproval, CertificateSigning, CertificateSubjectRestriction, ResourceQuota, LimitRanger are off`,
    ]);
  });

  it("reads an empty --admission-control as pflag does: a list of no plugins, every one off", () => {
    expect(only(args(["enable-admission-plugins"], ["--admission-control="])).map((f) => f.split(" |")[0])).toEqual([
      `apiserver/node-restriction Pod spec.containers[0]`,
      `apiserver/policy-admission-disabled Pod spec.containers[0].command[${HARDENED.length}]`,
      `apiserver/default-admission-disabled Pod spec.containers[0].command[${HARDENED.length}]`,
    ]);
  });

  it("says nothing of plugins disabled that are off by default anyway, or of default-on ones outside its lists", () => {
    expect(only(args([], ["--disable-admission-plugins=AlwaysPullImages,DefaultStorageClass"]))).toEqual([]);
  });
});

describe("credentials and token lifetime", () => {
  it("finds nothing on a server with all of them set", () => {
    expect(only(HARDENED)).toEqual([]);
  });

  it("reports a missing serving certificate, client CA and service-account keys", () => {
    expect(only(args(["tls-cert-file", "tls-private-key-file", "client-ca-file", "service-account-key-file"]))).toEqual([
      "apiserver/serving-certificate Pod spec.containers[0] | --tls-cert-file and --tls-private-key-file are not set: kube-apiserver serves a self-signed certificate no client can verify",
      "apiserver/client-ca Pod spec.containers[0] | --client-ca-file is not set: no client certificate authenticates",
      "apiserver/service-account-key Pod spec.containers[0] | --service-account-key-file is not set, and nothing stands in for it: kube-apiserver refuses to start",
    ]);
  });

  it("says that without a signing key kube-apiserver refuses to start: the serving key stands in for verifying only where v1.20 refuses the server", () => {
    expect(only(args(["service-account-key-file", "service-account-signing-key-file"]))).toEqual([
      "apiserver/service-account-key Pod spec.containers[0] | --service-account-key-file and --service-account-signing-key-file are not set: kube-apiserver refuses to start (no service-account token can be issued)",
    ]);
    // An external signer hands out the verifying keys itself.
    expect(only(args(["service-account-key-file", "service-account-signing-key-file"], ["--service-account-signing-endpoint=/run/signer.sock"]))).toEqual([]);
  });

  it("reports a serving certificate without its key as a server that does not start", () => {
    expect(only(args(["tls-private-key-file"]))).toContainEqual(`apiserver/serving-certificate Pod spec.containers[0].command[${HARDENED.indexOf("--tls-cert-file=/pki/apiserver.crt") + 1}] | --tls-cert-file is set without --tls-private-key-file: kube-apiserver cannot load the pair and refuses to start`);
  });

  it("reports year-long tokens when --service-account-extend-token-expiration is left at its default", () => {
    expect(only(args(["service-account-extend-token-expiration"]))).toEqual([
      "apiserver/extend-token-expiration Pod spec.containers[0] | --service-account-extend-token-expiration is not set, and defaults to true: projected service-account tokens requested for an hour stay valid for a year",
    ]);
  });
});

describe("audit-log retention", () => {
  it("reports rotated logs deleted within days, or too few kept", () => {
    expect(only(args([], ["--audit-log-maxage=7"]))).toEqual([`apiserver/audit-log-retention Pod spec.containers[0].command[${HARDENED.length + 1}] | --audit-log-maxage=7: rotated audit logs are deleted after 7 days`]);
    expect(only(args([], ["--audit-log-maxbackup=2"]))).toEqual([`apiserver/audit-log-retention Pod spec.containers[0].command[${HARDENED.length + 1}] | --audit-log-maxbackup=2: at most 300 MB of audit history is kept`]);
    expect(only(args([], ["--audit-log-maxbackup=10", "--audit-log-maxsize=1"]))).toEqual([`apiserver/audit-log-retention Pod spec.containers[0].command[${HARDENED.length + 2}] | --audit-log-maxbackup=10 with --audit-log-maxsize=1: at most 11 MB of audit history is kept`]);
  });

  it("says nothing when nothing is deleted (0, the default), the CIS values are met, or the log goes to stdout", () => {
    expect(only(args([], ["--audit-log-maxage=0", "--audit-log-maxsize=1"]))).toEqual([]);
    expect(only(args([], ["--audit-log-maxage=30", "--audit-log-maxbackup=10", "--audit-log-maxsize=100"]))).toEqual([]);
    expect(only(args(["audit-log-path"], ["--audit-log-path=-", "--audit-log-maxage=1"]))).toEqual([]);
  });
});

const AUTHN = (anonymous: string) => `apiVersion: apiserver.config.k8s.io/v1beta1
kind: AuthenticationConfiguration
${anonymous}`;

describe("--authentication-config", () => {
  const withConfig = args(["anonymous-auth"], ["--authentication-config=/etc/kubernetes/authn.yaml"]);

  it("lets the AuthenticationConfiguration decide anonymous requests: health endpoints only is no finding", () => {
    const file = AUTHN("anonymous:\n  enabled: true\n  conditions:\n  - path: /livez\n  - path: /readyz\n");
    expect(scan({ "apiserver.yaml": `${pod(withConfig)}---\n${file}` })).toEqual([]);
  });

  it("reports anonymous requests enabled for every path at the file's field", () => {
    expect(scan({ "apiserver.yaml": pod(withConfig), "authn.yaml": AUTHN("anonymous:\n  enabled: true\n") })).toEqual([
      "apiserver/anonymous-auth AuthenticationConfiguration anonymous.enabled | anonymous.enabled: true with no conditions: unauthenticated requests to every path are served as system:anonymous",
    ]);
  });

  it("falls back to the flag's default when the file has no anonymous section", () => {
    expect(scan({ "apiserver.yaml": pod(withConfig), "authn.yaml": AUTHN("jwt: []\n") })).toEqual([
      "apiserver/anonymous-auth Pod spec.containers[0] | --anonymous-auth is not set, and the AuthenticationConfiguration has no anonymous section, so it defaults to true: unauthenticated requests are served as system:anonymous",
    ]);
  });

  it("says the file was not checked when it is not in the scan, instead of claiming the flag's default", () => {
    expect(only(withConfig)).toEqual([
      `apiserver/authentication-config-unchecked Pod spec.containers[0].command[${withConfig.length}] | --authentication-config=/etc/kubernetes/authn.yaml is not among the scanned files, so Palisade did not check whether anonymous requests are served`,
    ]);
  });
});

describe("--authorization-config", () => {
  const withConfig = args(["authorization-mode"], ["--authorization-config=/etc/kubernetes/authz.yaml"]);
  const AUTHZ = (types: string[]) => `apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n${types.map((t) => `- {type: ${t}, name: ${t.toLowerCase()}}`).join("\n")}\n`;

  it("judges the authorizers as --authorization-mode is judged", () => {
    expect(scan({ "apiserver.yaml": `${pod(withConfig)}---\n${AUTHZ(["Node", "RBAC"])}` })).toEqual([]);
    expect(scan({ "apiserver.yaml": `${pod(withConfig)}---\n${AUTHZ(["AlwaysAllow"])}` })).toEqual([
      "apiserver/always-allow AuthorizationConfiguration authorizers[0].type | authorizers include AlwaysAllow",
      "apiserver/rbac-disabled AuthorizationConfiguration authorizers | authorizers (AlwaysAllow) do not include RBAC",
      "apiserver/node-authorizer AuthorizationConfiguration authorizers | authorizers (AlwaysAllow) do not include Node",
    ]);
  });

  it("says the file was not checked when it is not in the scan", () => {
    expect(only(withConfig)).toEqual([
      `apiserver/authorization-config-unchecked Pod spec.containers[0].command[${withConfig.length}] | --authorization-config=/etc/kubernetes/authz.yaml is not among the scanned files, so Palisade did not check its authorizers (AlwaysAllow, RBAC, Node)`,
    ]);
  });
});

describe("registration", () => {
  it("lists every new rule with docs", () => {
    const ids = ["apiserver/policy-admission-disabled", "apiserver/default-admission-disabled", "apiserver/serving-certificate", "apiserver/client-ca", "apiserver/service-account-key", "apiserver/extend-token-expiration", "apiserver/audit-log-retention", "apiserver/authentication-config-unchecked", "apiserver/authorization-config-unchecked"];
    for (const id of ids) {
      const rule = controlPlaneFamily.rules.find((r) => r.id === id);
      expect(rule?.docs.description, id).toBeTruthy();
      expect(rule?.docs.helpUri, id).toBeTruthy();
    }
  });
});
