/**
 * kubeconfig/refused-entry: what kubectl and client-go refuse before they send a request
 * (clientcmd validation.go validateClusterInfo and validateAuthInfo, run by
 * DirectClientConfig.ConfirmUsable on the context in use; the api/v1 conversion's duplicate
 * names; and, for an https:// server, the transport's own refusals), each at its field with
 * kubectl's words, at low for an entry the current context does not use.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { palisade } from "../support/cli-in-process.js";
import { DEFAULT_KUBECONFIG_SERVER, kubeconfigText } from "../support/kubeconfig-text.js";
import { scanInEveryFormat } from "../support/every-format.js";

/** Marker values standing for secrets: none may reach any output. */
const TOKEN = "marker-token-5f1e0c";
const PASSWORD = "marker-password-a7d2";
const KEY_DATA = Buffer.from("marker-key-bytes-9b3c").toString("base64");
const CERT_DATA = Buffer.from("marker-cert-bytes-77e1").toString("base64");
const ENV_VALUE = "marker-env-value-4c0d";
const SECRETS = [TOKEN, PASSWORD, KEY_DATA, "marker-key-bytes-9b3c", ENV_VALUE];

const indent = (text: string, spaces: number) =>
  text
    .trim()
    .split("\n")
    .map((line) => " ".repeat(spaces) + line)
    .join("\n");

/** One cluster (prod) and one user (admin) used by the current context, with the fields given; "" for no server line. */
const kubeconfig = (cluster: string, user: string, server = DEFAULT_KUBECONFIG_SERVER) =>
  kubeconfigText({ server: server === "" ? null : server, cluster: cluster === "" ? undefined : cluster, userLines: user === "" ? "{}" : user, usersBeforeContexts: true });

function judge(text: string, file = "config") {
  return checkKubeconfigs({ ...emptySnapshot(), objects: parseYamlFile(file, text).objects }, {});
}
const refused = (text: string, file?: string) => judge(text, file).filter((f) => f.ruleId === "kubeconfig/refused-entry");
const summary = (text: string) => refused(text).map((f) => `${f.severity} ${f.fieldPath}`);

describe("kubeconfig/refused-entry: a cluster", () => {
  it("with certificate-authority-data and certificate-authority both set, at the file form kubectl ignores", () => {
    const found = refused(kubeconfig(`certificate-authority-data: ${CERT_DATA}\ncertificate-authority: /etc/ca.crt`, `token: ${TOKEN}`));
    expect(found.map((f) => [f.severity, f.fieldPath, f.message])).toEqual([
      ["medium", "clusters[0].cluster.certificate-authority", "cluster prod sets both certificate-authority-data and certificate-authority: kubectl refuses it (certificate-authority-data and certificate-authority are both specified for prod. certificate-authority-data will override.)"],
    ]);
    expect(summary(kubeconfig(`certificate-authority-data: ${CERT_DATA}`, `token: ${TOKEN}`))).toEqual([]);
  });

  it("with insecure-skip-tls-verify beside a CA, only for an https:// server (the TLS settings are never used over http)", () => {
    const both = `insecure-skip-tls-verify: true\ncertificate-authority: /etc/ca.crt`;
    expect(refused(kubeconfig(both, `token: ${TOKEN}`)).map((f) => [f.fieldPath, f.message])).toEqual([
      ["clusters[0].cluster.insecure-skip-tls-verify", "cluster prod sets insecure-skip-tls-verify beside a CA: kubectl refuses it (specifying a root certificates file with the insecure flag is not supported)"],
    ]);
    expect(summary(kubeconfig(both, `token: ${TOKEN}`, "http://127.0.0.1:8001"))).toEqual([]);
    // A server without a scheme is http:// to client-go when it decides whether to use TLS.
    expect(summary(kubeconfig(both, `token: ${TOKEN}`, "10.0.0.1:6443"))).toEqual([]);
    expect(summary(kubeconfig("insecure-skip-tls-verify: true", `token: ${TOKEN}`))).toEqual([]);
  });

  it("without a server: client-go refuses it, kubectl falls back to http://localhost:8080", () => {
    const [missing] = refused(kubeconfig(`certificate-authority-data: ${CERT_DATA}`, `token: ${TOKEN}`, ""));
    expect(missing).toMatchObject({ severity: "medium", fieldPath: "clusters[0].cluster" });
    expect(missing?.message).toBe('cluster prod has no server: client-go refuses it (no server found for cluster "prod"), and kubectl sends its requests to http://localhost:8080 (or $KUBERNETES_MASTER) instead');
    expect(refused(kubeconfig("", `token: ${TOKEN}`, '""'))[0]?.fieldPath).toBe("clusters[0].cluster.server");
  });
});

describe("kubeconfig/refused-entry: a user", () => {
  it("with client-certificate-data and client-certificate, or client-key-data and client-key, both set", () => {
    const found = refused(kubeconfig("", `client-certificate-data: ${CERT_DATA}\nclient-certificate: admin.crt\nclient-key-data: ${KEY_DATA}\nclient-key: admin.key`));
    expect(found.map((f) => [f.fieldPath, f.message])).toEqual([
      ["users[0].user.client-certificate", "user admin sets both client-certificate-data and client-certificate: kubectl refuses it (client-cert-data and client-cert are both specified for admin. client-cert-data will override.)"],
      ["users[0].user.client-key", "user admin sets both client-key-data and client-key: kubectl refuses it (client-key-data and client-key are both specified for admin; client-key-data will override)"],
    ]);
  });

  it("with a client certificate and no key; a key without a certificate is ignored by client-go, not refused", () => {
    expect(refused(kubeconfig("", `client-certificate-data: ${CERT_DATA}`)).map((f) => [f.fieldPath, f.message])).toEqual([
      ["users[0].user.client-certificate-data", "user admin has a client certificate but no client-key or client-key-data: kubectl refuses it (client-key-data or client-key must be specified for admin to use the clientCert authentication method.)"],
    ]);
    expect(summary(kubeconfig("", "client-certificate: admin.crt"))).toEqual(["medium users[0].user.client-certificate"]);
    expect(summary(kubeconfig("", `client-key-data: ${KEY_DATA}`))).toEqual([]);
  });

  it("with a token and basic auth; a token beside tokenFile, a client certificate or exec is allowed", () => {
    expect(refused(kubeconfig("", `token: ${TOKEN}\npassword: ${PASSWORD}`)).map((f) => [f.fieldPath, f.message])).toEqual([
      ["users[0].user.password", "user admin sets both a token and basic auth (username/password): kubectl refuses it (more than one authentication method found for admin; found [token basicAuth], only one is allowed)"],
    ]);
    expect(summary(kubeconfig("", `token: ${TOKEN}\nusername: admin`))).toEqual(["medium users[0].user.username"]);
    expect(summary(kubeconfig("", `token: ${TOKEN}\ntokenFile: /run/token`))).toEqual([]);
    expect(summary(kubeconfig("", `token: ${TOKEN}\nclient-certificate-data: ${CERT_DATA}\nclient-key-data: ${KEY_DATA}`))).toEqual([]);
    expect(summary(kubeconfig("", `token: ${TOKEN}\nexec: {apiVersion: client.authentication.k8s.io/v1, command: kubelogin, interactiveMode: Never}`))).toEqual([]);
  });

  it("with as-groups, as-uid or as-user-extra and no as", () => {
    expect(refused(kubeconfig("", `token: ${TOKEN}\nas-groups: [system:masters]`)).map((f) => [f.fieldPath, f.message])).toEqual([
      ["users[0].user.as-groups", "user admin sets as-groups without as (the user to impersonate): kubectl refuses it (requesting uid, groups or user-extra for admin without impersonating a user)"],
    ]);
    expect(summary(kubeconfig("", `token: ${TOKEN}\nas-uid: "1000"`))).toEqual(["medium users[0].user.as-uid"]);
    expect(summary(kubeconfig("", `token: ${TOKEN}\nas-user-extra: {team: [a]}`))).toEqual(["medium users[0].user.as-user-extra"]);
    expect(summary(kubeconfig("", `token: ${TOKEN}\nas: jane\nas-groups: [developers]`))).toEqual([]);
  });

  it("with an auth provider kubectl does not have, over https only", () => {
    expect(refused(kubeconfig("", "auth-provider: {name: openstack, config: {}}")).map((f) => [f.fieldPath, f.message])).toEqual([
      ["users[0].user.auth-provider.name", 'user admin uses auth provider "openstack", which kubectl does not have (only oidc): kubectl refuses it (no Auth Provider found for name "openstack")'],
    ]);
    expect(summary(kubeconfig("", "auth-provider: {name: oidc, config: {}}"))).toEqual([]);
    expect(summary(kubeconfig("", "auth-provider: {name: openstack}", "http://127.0.0.1:8001"))).toEqual([]);
  });
});

describe("kubeconfig/refused-entry: an exec plugin", () => {
  const exec = (fields: string) => kubeconfig("", `exec:\n${indent(fields, 2)}`);

  it("without a command, an apiVersion or an env name", () => {
    const found = refused(exec("args: [get-token]\nenv:\n- {value: x}"));
    expect(found.map((f) => [f.fieldPath, f.message])).toEqual([
      ["users[0].user.exec", "user admin's exec plugin has no command: kubectl refuses it (command must be specified for admin to use exec authentication plugin)"],
      ["users[0].user.exec", "user admin's exec plugin has no apiVersion: kubectl refuses it (apiVersion must be specified for admin to use exec authentication plugin)"],
      ["users[0].user.exec.env[0]", "an env entry of user admin's exec plugin has no name: kubectl refuses it (env variable name must be specified for admin to use exec authentication plugin)"],
      ["users[0].user.exec", "user admin's exec plugin has no interactiveMode, which an exec plugin must set (Never, IfAvailable or Always): kubectl refuses it (interactiveMode must be specified for admin to use exec authentication plugin)"],
    ]);
  });

  it("without interactiveMode under client.authentication.k8s.io/v1 (v1beta1 defaults it to IfAvailable), or with one that is not Never, IfAvailable or Always", () => {
    expect(summary(exec("apiVersion: client.authentication.k8s.io/v1\ncommand: kubelogin"))).toEqual(["medium users[0].user.exec"]);
    expect(summary(exec("apiVersion: client.authentication.k8s.io/v1beta1\ncommand: kubelogin"))).toEqual([]);
    const [invalid] = refused(exec("apiVersion: client.authentication.k8s.io/v1\ncommand: kubelogin\ninteractiveMode: never"));
    expect([invalid?.fieldPath, invalid?.message]).toEqual(["users[0].user.exec.interactiveMode", 'user admin\'s exec plugin has interactiveMode never, not Never, IfAvailable or Always: kubectl refuses it (invalid interactiveMode for admin: "never")']);
    expect(summary(exec("apiVersion: client.authentication.k8s.io/v1\ncommand: kubelogin\ninteractiveMode: Always"))).toEqual([]);
  });

  it("of an apiVersion client-go no longer speaks (v1alpha1, removed in v1.24), over https only", () => {
    const old = "apiVersion: client.authentication.k8s.io/v1alpha1\ncommand: aws-iam-authenticator";
    expect(refused(exec(old)).map((f) => [f.fieldPath, f.message])).toEqual([
      ["users[0].user.exec.apiVersion", 'user admin\'s exec plugin asks for apiVersion client.authentication.k8s.io/v1alpha1, which client-go no longer speaks (only client.authentication.k8s.io/v1 and v1beta1): kubectl refuses it (exec plugin: invalid apiVersion "client.authentication.k8s.io/v1alpha1")'],
    ]);
    expect(summary(kubeconfig("", `exec:\n${indent(old, 2)}`, "http://127.0.0.1:8001"))).toEqual([]);
  });

  it("beside an auth provider", () => {
    expect(refused(kubeconfig("", "auth-provider: {name: oidc}\nexec: {apiVersion: client.authentication.k8s.io/v1, command: kubelogin, interactiveMode: Never}")).map((f) => [f.fieldPath, f.message])).toEqual([
      ["users[0].user.auth-provider", "user admin sets both auth-provider and exec: kubectl refuses it (authProvider cannot be provided in combination with an exec plugin for admin)"],
    ]);
  });
});

describe("kubeconfig/refused-entry: the file and the context in use", () => {
  it("a current-context the file does not define", () => {
    const text = kubeconfig("", `token: ${TOKEN}`).replace("current-context: prod", "current-context: staging");
    expect(refused(text).map((f) => [f.severity, f.fieldPath, f.message])).toEqual([["medium", "current-context", "current-context names context staging, which the file does not define: kubectl refuses it (context was not found for specified context: staging)"]]);
  });

  it("a current context naming a cluster the file does not define", () => {
    const text = kubeconfig("", `token: ${TOKEN}`).replace("context: {cluster: prod,", "context: {cluster: production,");
    expect(refused(text).map((f) => [f.fieldPath, f.message])).toEqual([
      ["contexts[0].context.cluster", "context prod names cluster production, which the file does not define: client-go refuses it (no server), and kubectl sends its requests to http://localhost:8080 (or $KUBERNETES_MASTER) instead"],
    ]);
  });

  it("another context naming a cluster the file does not define: low, refused once chosen with --context", () => {
    const text = kubeconfig("", `token: ${TOKEN}`).replace("current-context: prod", "- name: old\n  context: {cluster: retired, user: admin}\ncurrent-context: prod");
    expect(refused(text).map((f) => [f.severity, f.fieldPath, f.message])).toEqual([
      [
        "low",
        "contexts[1].context.cluster",
        "context old names cluster retired, which the file does not define: client-go refuses it (no server), and kubectl sends its requests to http://localhost:8080 (or $KUBERNETES_MASTER) instead; the current context does not use it, so kubectl refuses it only when it is chosen (--context, --user or --cluster)",
      ],
    ]);
  });

  it("two clusters, users or contexts of one name: the whole file is refused", () => {
    const text = kubeconfig("", `token: ${TOKEN}`).replace("users:\n", "- name: prod\n  cluster: {server: https://10.0.0.2:6443}\nusers:\n");
    expect(refused(text).map((f) => [f.severity, f.fieldPath, f.message])).toEqual([["medium", "clusters[1].name", 'clusters has two entries named "prod": kubectl refuses the whole file (duplicate name "prod" in list)']]);
  });

  it("an entry the current context does not use is refused only when chosen: low, and said so", () => {
    const text = `${kubeconfig("", `token: ${TOKEN}`)}`.replace(
      "contexts:\n",
      `- name: ci\n  user:\n    client-certificate-data: ${CERT_DATA}\ncontexts:\n`,
    );
    const [other] = refused(text);
    expect([other?.severity, other?.fieldPath]).toEqual(["low", "users[1].user.client-certificate-data"]);
    expect(other?.message).toMatch(/kubectl refuses it \(client-key-data or client-key must be specified for ci .*\); the current context does not use it, so kubectl refuses it only when it is chosen \(--context, --user or --cluster\)$/);
  });
});

describe("a tokenFile kubectl cannot read (kubeconfig/unreadable-file)", () => {
  function scratch(): string {
    const dir = mkdtempSync(join(tmpdir(), "palisade-tokenfile-"));
    mkdirSync(join(dir, "tokens"));
    writeFileSync(join(dir, "tokens", "present"), TOKEN);
    return dir;
  }
  const unreadable = (dir: string, text: string) => judge(text, join(dir, "config")).filter((f) => f.ruleId === "kubeconfig/unreadable-file");

  it("is reported when token is empty, relative to the kubeconfig's directory, without reading the token into any finding", () => {
    const dir = scratch();
    const found = unreadable(dir, kubeconfig("", "tokenFile: tokens/missing"));
    expect(found.map((f) => [f.fieldPath, f.message])).toEqual([
      ["users[0].user.tokenFile", `the tokenFile file tokens/missing (${join(dir, "tokens", "missing")}) of user admin does not exist: kubectl and client-go stop with an error before connecting with it`],
    ]);
    expect(unreadable(dir, kubeconfig("", "tokenFile: tokens"))[0]?.message).toContain("is a directory");
    expect(unreadable(dir, kubeconfig("", "tokenFile: tokens/present"))).toEqual([]);
  });

  it("is not read when token is set, nor when the user only ever talks to a plain-HTTP server", () => {
    const dir = scratch();
    expect(unreadable(dir, kubeconfig("", `token: ${TOKEN}\ntokenFile: tokens/missing`))).toEqual([]);
    expect(unreadable(dir, kubeconfig("", "tokenFile: tokens/missing", "http://127.0.0.1:8001"))).toEqual([]);
  });
});

describe("palisade", () => {
  it("rules documents kubeconfig/refused-entry", async () => {
    const listed = JSON.parse((await palisade(["rules", "kubeconfig/refused-entry", "-o", "json"])).stdout) as Array<{ id: string; docs: { description: string } }>;
    expect(listed.map((r) => r.id)).toEqual(["kubeconfig/refused-entry"]);
    expect(listed[0]?.docs.description).toContain("validation.go");
  });

  it("scan prints no token, password, key or env value of a refused entry, in any format", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-refused-"));
    const file = join(dir, "config");
    writeFileSync(
      file,
      kubeconfig(
        "",
        `token: ${TOKEN}\npassword: ${PASSWORD}\nclient-certificate-data: ${CERT_DATA}\nclient-key-data: ${KEY_DATA}\nclient-key: admin.key\nexec:\n  command: ""\n  env:\n  - {name: "", value: ${ENV_VALUE}}`,
      ),
    );
    const out = scanInEveryFormat(file);
    expect(out).toContain("kubeconfig/refused-entry");
    for (const secret of SECRETS) expect(out).not.toContain(secret);
  });
});
