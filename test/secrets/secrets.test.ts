import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import type { LoadedObject } from "../../src/k8s/types.js";
import { renderReport } from "../../src/report/render.js";
import { runScan } from "../../src/scan/run.js";
import { checkSecrets } from "../../src/secrets/check.js";
import { credentialIn } from "../../src/secrets/credential-formats.js";
import { looksLikeSecretName } from "../../src/secrets/names.js";
import { secretsFamily } from "../../src/secrets/family.js";
import { emptySnapshot, type Snapshot } from "../../src/k8s/snapshot.js";

const snapshotOf = (objects: LoadedObject[]): Snapshot => ({ ...emptySnapshot(), objects });

function load(yaml: string): LoadedObject[] {
  const parsed = parseYamlFile("m.yaml", yaml);
  expect(parsed.problems).toEqual([]);
  return parsed.objects;
}
const judged = (yaml: string) => load(yaml).flatMap(checkSecrets);

// Credentials in the formats their issuers give them, made up here (none is live).
const AWS = "AKIA" + "QYLPMN5HHHFPZAM2";
const GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";

describe("credential formats", () => {
  it.each([
    [AWS, "an AWS access key ID"],
    [`export AWS_ACCESS_KEY_ID=${AWS}`, "an AWS access key ID"],
    [GITHUB, "a GitHub token"],
    ["glpat-" + "x1y2z3w4v5u6t7s8r9q0", "a GitLab personal access token"],
    ["xoxb-" + "1234567890-abcdefghij", "a Slack token"],
    ["AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "a Google API key"],
    ["sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "a Stripe live secret key"],
    ["npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "an npm access token"],
    [PEM, "a private key (PEM)"],
    ["postgres://app:s3cr3t@db.shop.svc:5432/app", "a URL with a password in it"],
    ["redis://:s3cr3t@cache:6379", "a URL with a password in it"],
  ])("finds %j as %s", (text, what) => {
    expect(credentialIn(text)).toBe(what);
  });

  it.each(["", "nginx", "postgres://db.shop.svc:5432/app", "postgres://app:$(DB_PASSWORD)@db:5432/app", "https://example.com:8443/path", "AKIA-not-a-key", "x" + AWS + "X", "-----BEGIN PUBLIC KEY-----", "ghp_short"])("finds nothing in %j", (text) => {
    expect(credentialIn(text)).toBeUndefined();
  });

  it("names credentials by their variable's name, not settings about them", () => {
    for (const name of ["DB_PASSWORD", "apiKey", "GITHUB_TOKEN", "client_secret", "SSH_PRIVATE_KEY"]) expect(looksLikeSecretName(name), name).toBe(true);
    for (const name of ["PUBLIC_KEY", "JWT_PUBLIC_KEY", "TOKEN_TTL", "SESSION_SECRET_NAME", "PASSWORD_MIN_LENGTH", "DB_USER", "OIDC_ISSUER"]) expect(looksLikeSecretName(name), name).toBe(false);
  });
});

const DEPLOYMENT = (env: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop${extra}}
spec:
  template:
    spec:
      containers:
      - name: api
        image: x
        env:
${env}
        args: ["--db", "postgres://api:pa55word@db:5432/shop"]
`;

describe("secrets family", () => {
  it("reports literal credentials and known formats in env, args, ConfigMaps and annotations, at the field, never with the value", () => {
    const findings = judged(
      DEPLOYMENT(
        `        - {name: DB_PASSWORD, value: "pa55word"}
        - {name: DB_PASSWORD_FILE, value: /run/secrets/db}
        - {name: GITHUB_TOKEN, value: ${GITHUB}}
        - {name: AUTH_TOKEN, valueFrom: {secretKeyRef: {name: api, key: token}}}
        - {name: API_KEY, value: "$(API_KEY_FROM_FILE)"}
        - {name: TOKEN_REFRESH, value: "true"}`,
        `, annotations: {ci.example.com/deploy-key: ${JSON.stringify(AWS)}}`,
      ) +
        `---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data:
  smtp_password: hunter2hunter2
  tls.key: |
${PEM.replace(/^/gm, "    ").trimEnd()}
  log_level: debug
`,
    );
    expect(findings.map((f) => [f.ruleId, f.fieldPath, f.position?.line])).toEqual([
      ["secrets/known-credential", 'metadata.annotations["ci.example.com/deploy-key"]', 3],
      ["secrets/literal-in-env", "spec.template.spec.containers[0].env[0].value", 11],
      ["secrets/known-credential", "spec.template.spec.containers[0].env[2].value", 13],
      ["secrets/known-credential", "spec.template.spec.containers[0].args[1]", 17],
      ["secrets/literal-in-env", "data.smtp_password", 23],
      ["secrets/known-credential", 'data["tls.key"]', 24],
    ]);
    expect(findings[2]?.message).toBe('container "api" env GITHUB_TOKEN holds a GitHub token');
    expect(findings[2]?.properties).toEqual({ container: "api", env: "GITHUB_TOKEN" });
    const text = JSON.stringify(findings);
    for (const secret of ["pa55word", GITHUB, AWS, "hunter2", "MIIEow"]) expect(text).not.toContain(secret);
  });

  it("reports a Secret kept with the manifests by its keys, unless SOPS encrypted it or it holds no value", () => {
    const secret = (body: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\n${body}`;
    const [finding] = judged(secret("stringData:\n  password: pa55word\n  username: app\n"));
    expect(finding?.ruleId).toBe("secrets/secret-in-repository");
    expect(finding?.fieldPath).toBe("stringData");
    expect(finding?.message).toBe("2 values in stringData (password, username) are kept in plain text with the manifests");
    expect(JSON.stringify(finding)).not.toContain("pa55word");
    expect(judged(secret("data:\n  password: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]\nsops:\n  version: 3.9.0\n"))).toEqual([]);
    expect(judged(secret("data:\n  password: ''\n"))).toEqual([]);
    expect(judged(secret("type: kubernetes.io/service-account-token\n"))).toEqual([]);
    // Not the core Secret: another group's kind of the same name is not judged as one.
    expect(judged("apiVersion: example.com/v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: b}\n")).toEqual([]);
  });

  it("streams exactly what its check finds", () => {
    const objects = load(DEPLOYMENT(`        - {name: DB_PASSWORD, value: "pa55word"}`));
    const stream = secretsFamily.stream!({}, { namespaces: new Map(), objectsAhead: () => [], mentions: () => true });
    for (const o of objects) stream.observe(o);
    expect(stream.finish()).toEqual(secretsFamily.check(snapshotOf(objects), {}));
  });

  it("property: no report of any format carries a credential's value, whatever the value and wherever it is written", () => {
    // A prefix no report's own text has, so that a value is never found by coincidence (a value "rguments" is in "arguments").
    const value = fc.oneof(fc.stringMatching(/^[A-Za-z0-9!#%&*+=?^_~]{8,30}$/).map((text) => `Zx9${text}`), fc.constant(GITHUB), fc.constant(AWS));
    const place = fc.constantFrom("env", "configmap", "secret", "annotation", "args");
    fc.assert(
      fc.property(value, place, (secret, where) => {
        const quoted = JSON.stringify(secret);
        const yaml =
          where === "env"
            ? DEPLOYMENT(`        - {name: DB_PASSWORD, value: ${quoted}}`)
            : where === "args"
              ? DEPLOYMENT("        - {name: X, value: y}").replace('"postgres://api:pa55word@db:5432/shop"', JSON.stringify(`postgres://api:${secret}@db/shop`))
              : where === "annotation"
                ? DEPLOYMENT("        - {name: X, value: y}", `, annotations: {token: ${quoted}}`)
                : `apiVersion: v1\nkind: ${where === "secret" ? "Secret" : "ConfigMap"}\nmetadata: {name: c, namespace: shop}\n${where === "secret" ? "stringData" : "data"}:\n  api_token: ${quoted}\n`;
        const result = runScan(snapshotOf(load(yaml)));
        expect(result.findings.some((f) => f.ruleId.startsWith("secrets/"))).toBe(true);
        for (const format of ["text", "wide", "json", "yaml", "sarif", "junit", "github"] as const) {
          const report = [...renderReport(result, { output: format, color: false })].join("");
          expect(report, format).not.toContain(secret);
        }
      }),
      { numRuns: 40 },
    );
  });
});
