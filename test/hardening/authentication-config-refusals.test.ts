/**
 * The scan reports an AuthenticationConfiguration kube-apiserver refuses at start-up (strict
 * decoding, ValidateAuthenticationConfiguration) as apiserver/config-file-refused at the field,
 * every reason at once as upstream lists them; valid files of every version give no finding.
 */
import { describe, expect, it } from "vitest";
import { scanControlPlaneFiles as scan } from "../support/apiserver-flags.js";

const AUTHN = (body: string, version = "v1") => `apiVersion: apiserver.config.k8s.io/${version}\nkind: AuthenticationConfiguration\n${body}`;
const JWT = (issuer: string, rest = "") => `- issuer:\n    url: https://issuer.example\n    audiences: [k8s]\n${issuer}  claimMappings:\n    username: {claim: sub, prefix: "oidc:"}\n${rest}`;
const REFUSED = "apiserver/config-file-refused AuthenticationConfiguration";

describe("AuthenticationConfiguration refused by kube-apiserver, in the scan", () => {
  it("reports a discoveryURL equal to the issuer URL", () => {
    expect(scan({ "a.yaml": AUTHN(`jwt:\n${JWT("    discoveryURL: https://issuer.example/\n")}`) })).toEqual([
      `${REFUSED} jwt[0].issuer.discoveryURL | jwt[0].issuer.discoveryURL: discoveryURL must be different from URL: kube-apiserver refuses the file`,
    ]);
  });

  it("reports a claim named by two claimValidationRules", () => {
    const rules = "  claimValidationRules:\n  - {claim: hd, requiredValue: example.com}\n  - {claim: hd, requiredValue: example.org}\n";
    expect(scan({ "a.yaml": AUTHN(`jwt:\n${JWT("", rules)}`) })).toEqual([`${REFUSED} jwt[0].claimValidationRules[1].claim | jwt[0].claimValidationRules[1].claim: duplicate claim: kube-apiserver refuses the file`]);
  });

  it("reports a certificateAuthority that is not PEM, without its content", () => {
    const found = scan({ "a.yaml": AUTHN(`jwt:\n${JWT("    certificateAuthority: MIIBkTCB-not-pem\n")}`) });
    expect(found).toEqual([`${REFUSED} jwt[0].issuer.certificateAuthority | jwt[0].issuer.certificateAuthority: data does not contain any valid RSA or ECDSA certificates: kube-apiserver refuses the file`]);
    expect(found.join()).not.toContain("MIIBkTCB");
  });

  it("reports every unknown field, as the strict decoder does, and not the value", () => {
    const found = scan({ "a.yaml": AUTHN(`jwt:\n${JWT("    clientSecret: hunter2\n", "  userValidaitonRules: []\n")}`) });
    expect(found).toEqual([
      `${REFUSED} jwt[0].issuer.clientSecret | jwt[0].issuer.clientSecret is not a field of AuthenticationConfiguration: kube-apiserver decodes the file strictly and refuses it`,
      `${REFUSED} jwt[0].userValidaitonRules | jwt[0].userValidaitonRules is not a field of AuthenticationConfiguration: kube-apiserver decodes the file strictly and refuses it`,
    ]);
    expect(found.join()).not.toContain("hunter2");
  });

  it("reports anonymous conditions while anonymous is disabled", () => {
    expect(scan({ "a.yaml": AUTHN("anonymous:\n  enabled: false\n  conditions:\n  - path: /livez\n") })).toEqual([
      `${REFUSED} anonymous.conditions | anonymous.conditions: enabled should be set to true when conditions are defined: kube-apiserver refuses the file`,
    ]);
  });

  it("reports a discoveryURL over http as it reports an http issuer", () => {
    expect(scan({ "a.yaml": AUTHN(`jwt:\n${JWT("    discoveryURL: http://oidc.oidc-system.svc/.well-known/openid-configuration\n")}`) })).toEqual([
      `${REFUSED} jwt[0].issuer.discoveryURL | jwt[0].issuer.discoveryURL uses the http scheme: kube-apiserver accepts only https issuers and refuses the file`,
    ]);
  });

  it("finds nothing in valid files of every version, with several authenticators, CEL and anonymous health checks", () => {
    const second = [
      "- issuer:",
      "    url: https://second.example/tenant",
      "    discoveryURL: https://oidc.oidc-system.svc/.well-known/openid-configuration",
      "    audiences: [a, b]",
      "    audienceMatchPolicy: MatchAny",
      "  claimValidationRules:",
      "  - {claim: hd, requiredValue: example.com}",
      "  - {expression: \"claims.tenant == 'acme'\", message: wrong tenant}",
      "  claimMappings:",
      "    username: {expression: \"'second:' + claims.sub\"}",
      "    groups: {claim: groups, prefix: ''}",
      "    uid: {claim: sub}",
      "    extra:",
      "    - {key: example.org/team, valueExpression: claims.team}",
      "  userValidationRules:",
      "  - {expression: \"!user.username.startsWith('system:')\", message: no system users}",
      "",
    ].join("\n");
    const anonymous = "anonymous:\n  enabled: true\n  conditions:\n  - path: /livez\n  - path: /readyz\n";
    for (const version of ["v1alpha1", "v1beta1", "v1"]) {
      expect(scan({ "a.yaml": AUTHN(`jwt:\n${JWT("")}${second}${anonymous}`, version) })).toEqual([]);
    }
  });
});
