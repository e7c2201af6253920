/**
 * Credentials a kubeconfig stores beyond user.token: an auth provider's tokens (client-go's
 * oidc plugin sends id-token as the bearer token and renews it with refresh-token and
 * client-secret) and an exec plugin's credential-named arguments. Each is named by its key or
 * flag, never by its value.
 */
import { describe, expect, it } from "vitest";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { kubeconfigText } from "../support/kubeconfig-text.js";

const ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IifQ.marker-sig-31a";
const REFRESH = "marker-refresh-8c2";
const CLIENT_SECRET = "marker-client-secret-d41";
const ARG_TOKEN = "marker-arg-token-5e0";

function judge(userLines: string) {
  const text = kubeconfigText({ userLines });
  const found = checkKubeconfigs({ ...emptySnapshot(), objects: parseYamlFile("config", text).objects }, {});
  for (const f of found) for (const secret of [ID_TOKEN, REFRESH, CLIENT_SECRET, ARG_TOKEN]) expect(f.message).not.toContain(secret);
  return found.filter((f) => f.ruleId === "kubeconfig/static-token" || f.ruleId === "kubeconfig/exec-env-secret").map((f) => [f.ruleId, f.fieldPath, f.message]);
}

describe("kubeconfig credentials stored in an auth provider's config", () => {
  it("are a stored bearer token for oidc, named by key at the first one", () => {
    const oidc = `auth-provider:\n  name: oidc\n  config:\n    idp-issuer-url: https://idp.example.com\n    client-id: k8s\n    client-secret: ${CLIENT_SECRET}\n    id-token: ${ID_TOKEN}\n    refresh-token: ${REFRESH}`;
    expect(judge(oidc)).toEqual([
      ["kubeconfig/static-token", "users[0].user.auth-provider.config.id-token", "user admin's oidc auth provider stores id-token, refresh-token, client-secret in the file: whoever reads the file can authenticate as this user"],
    ]);
  });

  it("are reported for a refresh token alone, and not for the provider's settings", () => {
    expect(judge(`auth-provider:\n  name: oidc\n  config: {idp-issuer-url: "https://idp", client-id: k8s, refresh-token: ${REFRESH}}`).map((f) => f[1])).toEqual(["users[0].user.auth-provider.config.refresh-token"]);
    expect(judge(`auth-provider:\n  name: oidc\n  config: {idp-issuer-url: "https://idp", client-id: k8s, id-token: ""}`)).toEqual([]);
  });
});

describe("kubeconfig exec plugin arguments", () => {
  it("that give a credential-named flag its value are reported like its env, at the value", () => {
    const exec = (args: string) => `exec:\n  apiVersion: client.authentication.k8s.io/v1beta1\n  command: my-plugin\n  args: ${args}`;
    expect(judge(exec(`["get-token", "--token", "${ARG_TOKEN}", "--client-secret=${CLIENT_SECRET}"]`))).toEqual([
      ["kubeconfig/exec-env-secret", "users[0].user.exec.args[2]", "user admin's exec plugin is given --token with a value written in its args, in clear text"],
      ["kubeconfig/exec-env-secret", "users[0].user.exec.args[3]", "user admin's exec plugin is given --client-secret with a value written in its args, in clear text"],
    ]);
    // Names, paths and variables are no stored credential.
    expect(judge(exec(`["eks", "get-token", "--cluster-name", "prod", "--token-file", "/run/t", "--client-secret", "$(SECRET)", "--token=$TOKEN"]`))).toEqual([]);
  });
});
