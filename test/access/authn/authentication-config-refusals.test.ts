/**
 * AuthenticationConfiguration files kube-apiserver refuses at start-up (its strict decoding and
 * ValidateAuthenticationConfiguration), refused by `verify-token --authn-config` with upstream's
 * field path and wording; and valid files of every version that load without a word.
 */
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { configsFromAuthenticationConfiguration } from "../../../src/access/authn/oidc-config.js";
import { authenticationConfigRefusals } from "../../../src/access/authn/authentication-config-validation.js";
import { makeCertificate } from "../../support/test-certificates.js";

const ISSUER = "https://issuer.example.com";
const VERSIONS = ["apiserver.config.k8s.io/v1alpha1", "apiserver.config.k8s.io/v1beta1", "apiserver.config.k8s.io/v1"];

const doc = (jwt: unknown[], extra: Record<string, unknown> = {}, apiVersion = VERSIONS[2]!) => ({ apiVersion, kind: "AuthenticationConfiguration", jwt, ...extra });
const authenticator = (issuer: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) => ({
  issuer: { url: ISSUER, audiences: ["kubernetes"], ...issuer },
  claimMappings: { username: { claim: "sub", prefix: "oidc:" } },
  ...rest,
});
const refusal = (value: unknown): string => {
  try {
    configsFromAuthenticationConfiguration(value, "authn.yaml");
  } catch (err) {
    return (err as Error).message;
  }
  return "accepted";
};

describe("AuthenticationConfiguration refusals kube-apiserver makes at start-up", () => {
  const cases: Array<[string, unknown, string]> = [
    ["discoveryURL equal to url", doc([authenticator({ discoveryURL: ISSUER })]), "authn.yaml: jwt[0].issuer.discoveryURL: discoveryURL must be different from URL"],
    ["discoveryURL equal to url but for a trailing slash", doc([authenticator({ discoveryURL: `${ISSUER}/` })]), "authn.yaml: jwt[0].issuer.discoveryURL: discoveryURL must be different from URL"],
    ["discoveryURL over http", doc([authenticator({ discoveryURL: "http://oidc.oidc-system/.well-known/openid-configuration" })]), "authn.yaml: jwt[0].issuer.discoveryURL: URL scheme must be https"],
    ["two authenticators with one discoveryURL", doc([authenticator({ discoveryURL: "https://d.example/x" }), authenticator({ url: "https://b.example", discoveryURL: "https://d.example/x" })]), "authn.yaml: jwt[1].issuer.discoveryURL: duplicate discoveryURL"],
    ["a query in the issuer URL", doc([authenticator({ url: `${ISSUER}?tenant=a` })]), "authn.yaml: jwt[0].issuer.url: URL must not contain a query"],
    ["a fragment in the issuer URL", doc([authenticator({ url: `${ISSUER}#a` })]), "authn.yaml: jwt[0].issuer.url: URL must not contain a fragment"],
    ["user info in the issuer URL", doc([authenticator({ url: "https://@issuer.example.com" })]), "authn.yaml: jwt[0].issuer.url: URL must not contain a username or password"],
    ["an empty issuer URL", doc([authenticator({ url: "" })]), "authn.yaml: jwt[0].issuer.url: required"],
    ["an empty audience", doc([authenticator({ audiences: ["a", ""], audienceMatchPolicy: "MatchAny" })]), "authn.yaml: jwt[0].issuer.audiences[1]: required"],
    ["a duplicate audience", doc([authenticator({ audiences: ["a", "a"], audienceMatchPolicy: "MatchAny" })]), "authn.yaml: jwt[0].issuer.audiences[1]: duplicate audience"],
    ["another policy for one audience", doc([authenticator({ audienceMatchPolicy: "MatchAll" })]), "authn.yaml: jwt[0].issuer.audienceMatchPolicy: audienceMatchPolicy must be empty or MatchAny for single audience"],
    ["a certificateAuthority that is not PEM", doc([authenticator({ certificateAuthority: "not a certificate" })]), "authn.yaml: jwt[0].issuer.certificateAuthority: data does not contain any valid RSA or ECDSA certificates"],
    [
      "a certificateAuthority CERTIFICATE block that is not X.509",
      doc([authenticator({ certificateAuthority: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" })]),
      "authn.yaml: jwt[0].issuer.certificateAuthority: PEM block 1 is a CERTIFICATE that does not parse as X.509",
    ],
    ["an unknown egressSelectorType", doc([authenticator({ egressSelectorType: "etcd" })]), "authn.yaml: jwt[0].issuer.egressSelectorType: egress selector must be either controlplane or cluster"],
    ["one claim named by two rules", doc([authenticator({}, { claimValidationRules: [{ claim: "hd", requiredValue: "a" }, { claim: "hd", requiredValue: "b" }] })]), "authn.yaml: jwt[0].claimValidationRules[1].claim: duplicate claim"],
    ["a rule with claim and expression", doc([authenticator({}, { claimValidationRules: [{ claim: "hd", expression: "claims.hd == 'a'" }] })]), "authn.yaml: jwt[0].claimValidationRules[0]: claim and expression can't both be set"],
    ["a rule with neither claim nor expression", doc([authenticator({}, { claimValidationRules: [{ requiredValue: "a" }] })]), "authn.yaml: jwt[0].claimValidationRules[0]: claim or expression is required"],
    ["a message beside a claim", doc([authenticator({}, { claimValidationRules: [{ claim: "hd", message: "wrong domain" }] })]), "authn.yaml: jwt[0].claimValidationRules[0].message: may not be specified when claim is set"],
    ["a requiredValue beside an expression", doc([authenticator({}, { claimValidationRules: [{ expression: "claims.hd == 'a'", requiredValue: "a" }] })]), "authn.yaml: jwt[0].claimValidationRules[0].requiredValue: may not be specified when expression is set"],
    ["one expression in two rules", doc([authenticator({}, { claimValidationRules: [{ expression: "true" }, { expression: "true" }] })]), "authn.yaml: jwt[0].claimValidationRules[1].expression: duplicate expression"],
    ["a username with claim and expression", doc([authenticator({}, { claimMappings: { username: { claim: "sub", prefix: "", expression: "claims.sub" } } })]), "authn.yaml: jwt[0].claimMappings.username: claim and expression can't both be set"],
    ["a username with neither claim nor expression", doc([authenticator({}, { claimMappings: { username: { prefix: "" } } })]), "authn.yaml: jwt[0].claimMappings.username: claim or expression is required"],
    ["no claimMappings at all", doc([{ issuer: { url: ISSUER, audiences: ["k"] } }]), "authn.yaml: jwt[0].claimMappings.username: claim or expression is required"],
    ["a prefix beside a username expression", doc([authenticator({}, { claimMappings: { username: { expression: "claims.sub", prefix: "x:" } } })]), "authn.yaml: jwt[0].claimMappings.username.prefix: may not be specified when expression is set"],
    ["a groups claim without a prefix", doc([authenticator({}, { claimMappings: { username: { claim: "sub", prefix: "" }, groups: { claim: "groups" } } })]), 'authn.yaml: jwt[0].claimMappings.groups.prefix: required when claim is set (prefix: "" for none)'],
    ["a uid with claim and expression", doc([authenticator({}, { claimMappings: { username: { claim: "sub", prefix: "" }, uid: { claim: "sub", expression: "claims.sub" } } })]), "authn.yaml: jwt[0].claimMappings.uid: claim and expression can't both be set"],
    ["an extra key without a domain", doc([authenticator({}, { claimMappings: { username: { claim: "sub", prefix: "" }, extra: [{ key: "team", valueExpression: "claims.team" }] } })]), 'authn.yaml: jwt[0].claimMappings.extra[0].key: must be a domain-prefixed path (such as "acme.io/foo")'],
    ["an extra key in a Kubernetes domain", doc([authenticator({}, { claimMappings: { username: { claim: "sub", prefix: "" }, extra: [{ key: "kubernetes.io/team", valueExpression: "claims.team" }] } })]), "authn.yaml: jwt[0].claimMappings.extra[0].key: k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use"],
    ["an extra key in capitals", doc([authenticator({}, { claimMappings: { username: { claim: "sub", prefix: "" }, extra: [{ key: "example.org/Team", valueExpression: "claims.team" }] } })]), "authn.yaml: jwt[0].claimMappings.extra[0].key: must be lowercase"],
    [
      "an extra key twice",
      doc([authenticator({}, { claimMappings: { username: { claim: "sub", prefix: "" }, extra: [{ key: "example.org/a", valueExpression: "'1'" }, { key: "example.org/a", valueExpression: "'2'" }] } })]),
      "authn.yaml: jwt[0].claimMappings.extra[1].key: duplicate key",
    ],
    ["an extra mapping without valueExpression", doc([authenticator({}, { claimMappings: { username: { claim: "sub", prefix: "" }, extra: [{ key: "example.org/a" }] } })]), "authn.yaml: jwt[0].claimMappings.extra[0].valueExpression: required"],
    ["a user validation rule without expression", doc([authenticator({}, { userValidationRules: [{ message: "no" }] })]), "authn.yaml: jwt[0].userValidationRules[0].expression: required"],
    ["one user validation expression twice", doc([authenticator({}, { userValidationRules: [{ expression: "true" }, { expression: "true" }] })]), "authn.yaml: jwt[0].userValidationRules[1].expression: duplicate expression"],
    ["anonymous conditions while disabled", doc([], { anonymous: { enabled: false, conditions: [{ path: "/livez" }] } }), "authn.yaml: anonymous.conditions: enabled should be set to true when conditions are defined"],
    ["more than 64 authenticators", doc(Array.from({ length: 65 }, (_, i) => authenticator({ url: `https://i${i}.example` }))), "authn.yaml: jwt: must have at most 64 items"],
    ["an unknown field (strict decoding)", doc([authenticator({ clientSecret: "s3cr3t" })]), "authn.yaml: jwt[0].issuer.clientSecret: unknown field"],
    ["a field spelt in another case (decoding is case-sensitive)", doc([authenticator({ discoveryUrl: "https://d.example" })]), "authn.yaml: jwt[0].issuer.discoveryUrl: unknown field"],
    ["an unknown top-level field", doc([authenticator()], { metadata: { name: "x" } }), "authn.yaml: metadata: unknown field"],
    ["a value of the wrong type", doc([authenticator({ audiences: "kubernetes" })]), "authn.yaml: jwt[0].issuer.audiences: must be a list"],
    ["a boolean given as text", doc([], { anonymous: { enabled: "true" } }), "authn.yaml: anonymous.enabled: must be a boolean"],
  ];
  for (const [name, value, message] of cases) {
    it(`refuses ${name}`, () => expect(refusal(value)).toBe(message));
  }

  it("names the field and never its secret value", () => {
    expect(refusal(doc([authenticator({ clientSecret: "s3cr3t" })]))).not.toContain("s3cr3t");
    expect(refusal(doc([authenticator({ url: "https://user:hunter2@issuer.example" })]))).toBe("authn.yaml: jwt[0].issuer.url: URL must not contain a username or password");
  });

  it("reports a wrong type before unknown fields, and unknown fields before validation, as Go decodes then validates", () => {
    const value = doc([authenticator({ discoveryURL: ISSUER, extraField: 1, audiences: [7] })]);
    expect(authenticationConfigRefusals(value).map((r) => r.detail)).toEqual(["must be a string"]);
    const unknownOnly = doc([authenticator({ discoveryURL: ISSUER, zeta: 1, alpha: 2 })]);
    expect(authenticationConfigRefusals(unknownOnly).map((r) => r.path.join("."))).toEqual(["jwt.0.issuer.alpha", "jwt.0.issuer.zeta"]);
  });

  it("gives the position of the refused field in the file", () => {
    const text = ["apiVersion: apiserver.config.k8s.io/v1", "kind: AuthenticationConfiguration", "jwt:", "- issuer:", `    url: ${ISSUER}`, `    discoveryURL: ${ISSUER}`, "    audiences: [k]", "  claimMappings:", "    username: {claim: sub, prefix: ''}", ""].join("\n");
    const positions: unknown[] = [];
    expect(() =>
      configsFromAuthenticationConfiguration(parseYaml(text), "a.yaml", (path) => {
        positions.push(path);
        return { file: "a.yaml", line: 6, column: 5 };
      }),
    ).toThrow("jwt[0].issuer.discoveryURL: discoveryURL must be different from URL");
    expect(positions).toEqual([["jwt", 0, "issuer", "discoveryURL"]]);
  });
});

describe("valid AuthenticationConfigurations load without a refusal", () => {
  it("accepts every version with several authenticators, discovery URLs, a CA bundle and anonymous health checks", async () => {
    const ca = (await makeCertificate({ subject: "CN=oidc-ca", ca: true })).cert.toString("pem");
    for (const apiVersion of VERSIONS) {
      const value = doc(
        [
          authenticator({ discoveryURL: "https://oidc.oidc-system.svc/.well-known/openid-configuration", certificateAuthority: ca, audienceMatchPolicy: "MatchAny" }, { claimValidationRules: [{ claim: "hd", requiredValue: "example.com" }, { claim: "tenant" }] }),
          {
            issuer: { url: "https://second.example.com/tenant", audiences: ["a", "b"], audienceMatchPolicy: "MatchAny", egressSelectorType: "controlplane" },
            claimMappings: { username: { claim: "email", prefix: "" }, groups: { claim: "groups", prefix: "" }, uid: { claim: "sub" } },
          },
          { issuer: { url: "https://third.example.com/", audiences: ["k"], discoveryURL: null }, claimMappings: { username: { claim: "sub", prefix: "third:" }, groups: { claim: "roles", prefix: "" } } },
        ],
        { anonymous: { enabled: true, conditions: [{ path: "/livez" }, { path: "/readyz" }] } },
        apiVersion,
      );
      expect(authenticationConfigRefusals(value)).toEqual([]);
      expect(configsFromAuthenticationConfiguration(value, "authn.yaml").map((c) => c.issuerUrl)).toEqual([ISSUER, "https://second.example.com/tenant", "https://third.example.com/"]);
    }
  });

  it("finds nothing structural in CEL that kube-apiserver would compile (Palisade refuses it for its own reasons)", () => {
    const value = doc([
      authenticator(
        {},
        {
          claimValidationRules: [{ expression: "claims.hd == 'example.com'", message: "wrong domain" }],
          claimMappings: { username: { expression: "'oidc:' + claims.sub" }, groups: { expression: "claims.roles" }, uid: { expression: "claims.sub" }, extra: [{ key: "example.org/team", valueExpression: "claims.team" }] },
          userValidationRules: [{ expression: "!user.username.startsWith('system:')", message: "no system users" }],
        },
      ),
    ]);
    expect(authenticationConfigRefusals(value)).toEqual([]);
    expect(refusal(value)).toBe("authn.yaml: jwt[0].claimMappings.username.expression: a CEL claim mapping expression is not supported by Palisade");
  });

  it("accepts an empty file's worth of authenticators and a disabled anonymous section", () => {
    expect(authenticationConfigRefusals(doc([], { anonymous: { enabled: false } }))).toEqual([]);
    expect(configsFromAuthenticationConfiguration(doc([]), "authn.yaml")).toEqual([]);
  });
});
