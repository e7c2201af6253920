import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import type { LoadedObject } from "../../src/k8s/types.js";
import { renderReport } from "../../src/report/render.js";
import { runScan } from "../../src/scan/run.js";
import { checkSecrets } from "../../src/secrets/check.js";
import { credentialIn, isLiteralCredential } from "../../src/secrets/credential-formats.js";
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
const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJzdWIiOiJjaS1ib3QiLCJhdWQiOiJhcGkifQ" + ".q3Jx0tE8mP2vYk7sLw9ZbN4cH6dRfA1uGiOeT5xWj0s";
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

  it.each([
    ["-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF", "a private key (PGP)"],
    ["HTTPS://deploy:s3cr3t@git.example.com/repo.git", "a URL with a password in it"],
    ["jdbc:postgresql://db:5432/app?user=app&password=s3cr3t", "a URL with a password in it"],
    ["DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=c2VjcmV0a2V5==;EndpointSuffix=core.windows.net", "a connection string with a password or key"],
    ["Server=db;Database=app;User Id=app;Password=s3cr3t;", "a connection string with a password or key"],
    ["curl -sf -u admin:Adm1nPw https://grafana/api/health", "a user and password on a command line"],
    ["Authorization: Basic YWRtaW46c2VjcmV0MTIz", "HTTP Basic credentials"],
    ["Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl", "a bearer token"],
  ])("finds %j as %s", (text, what) => {
    expect(credentialIn(text)).toBe(what);
  });

  it.each([
    "",
    "nginx",
    "postgres://db.shop.svc:5432/app",
    "postgres://app:$(DB_PASSWORD)@db:5432/app",
    "psql postgres://app:$PGPASSWORD@db:5432/app",
    "https://example.com:8443/path",
    "AKIA-not-a-key",
    "x" + AWS + "X",
    "-----BEGIN PUBLIC KEY-----",
    "ghp_short",
    "xoxb-your-token-here",
    "Password=$(DB_PASSWORD);",
    // A shell assignment, not a connection string: secrets/inline-credential reads it as one.
    "export PASSWORD=Zq9LmN0pWx; run",
    "PWD=/srv; cd $PWD",
    "docker run -u 1000:1000 app",
    "curl -u $USER:$PASS https://x",
    "Basic authentication is required",
    "Bearer tokens are issued by the identity provider",
    "Authorization: Bearer $(TOKEN)",
  ])("finds nothing in %j", (text) => {
    expect(credentialIn(text)).toBeUndefined();
  });

  it.each([
    // A JSON Web Token is a bearer credential on its own, whatever the field holding it is named.
    [JWT, "a JSON Web Token"],
    // The user is the kubelet's $(VAR); the password is still written here.
    ["postgres://$(DB_USER):hunter2hunter@db:5432/app", "a URL with a password in it"],
    // A password beginning with a percent-encoded character (%40 is @) is no %(name)s template.
    ["postgres://app:%40Sup3rS3cret@db:5432/app", "a URL with a password in it"],
    ["jdbc:postgresql://db:5432/app?user=app&password=%21s3cr3t", "a URL with a password in it"],
  ])("finds %j as %s (a fourth QA pass)", (text, what) => {
    expect(credentialIn(text)).toBe(what);
  });

  it.each(["postgres://$(DB_USER):$(DB_PASSWORD)@db:5432/app", "postgres://${DB_USER:-app}:${DB_PASS}@db", "jdbc:mysql://db/app?password=%(pw)s", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSJ9."])("finds nothing in %j (a fourth QA pass)", (text) => {
    expect(credentialIn(text)).toBeUndefined();
  });

  it("names credentials by their variable's name, whatever its separators, not settings about them", () => {
    for (const name of ["DB_PASSWORD", "apiKey", "GITHUB_TOKEN", "client_secret", "SSH_PRIVATE_KEY", "DB_PASS", "MYSQL_PWD", "spring.datasource.password", "AUTH", "BASIC_AUTH", "REFRESH_TOKEN", "aws_secret_access_key"]) {
      expect(looksLikeSecretName(name), name).toBe(true);
    }
    for (const name of [
      "PUBLIC_KEY", "JWT_PUBLIC_KEY", "TOKEN_TTL", "SESSION_SECRET_NAME", "PASSWORD_MIN_LENGTH", "DB_USER", "OIDC_ISSUER", "SSH_AUTH_SOCK", "KEY_FILE_LOCATION", "SECRET_VOLUME",
      "AUTH_MODE", "AUTH_ENABLED", "AUTH_PROVIDER", "TOKEN_REFRESH_INTERVAL", "TOKEN_LIFETIME", "KAFKA_KEY_SERIALIZER", "PARTITION_KEY", "CACHE_KEY_PREFIX", "PRIVATE_NETWORK",
      "PRIVATE_REGISTRY", "CSRF_TOKEN_HEADER", "API_KEY_HEADER", "SECRET_KEY_REF", "PASSWORD_POLICY", "jwt.token.ttl", "ssl.key.location", "dbPasswordFile", "KEYCLOAK_URL",
      "smtp_sasl_password_maps", "GITHUB_TOKEN_SCOPES", "OAUTH_TOKEN_SCOPE",
    ]) {
      expect(looksLikeSecretName(name), name).toBe(false);
    }
  });

  it("takes paths, variables and references to a secret store for what they are, not the credential", () => {
    for (const value of ["/var/secrets/google/key.json", "~/.ssh/id_rsa", "${DB_PASSWORD}", "Bearer $(API_TOKEN)", "$DB_PASSWORD", "<path:kv/data/db#password>", "vault:secret/db#password", "ref+vault://db/password", "ENC[AES256_GCM,data:abc,type:str]", "5m", "enabled", "arn:aws:secretsmanager:eu-west-1:1:secret:db"]) {
      expect(isLiteralCredential(value), value).toBe(false);
    }
    for (const value of ["hunter2", "pa55word!", "correct horse battery staple"]) expect(isLiteralCredential(value), value).toBe(true);
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
      ["secrets/inline-credential", "spec.template.spec.containers[0].env[0].value", 11],
      ["secrets/known-credential", "spec.template.spec.containers[0].env[2].value", 13],
      ["secrets/known-credential", "spec.template.spec.containers[0].args[1]", 17],
      ["secrets/inline-credential", "data.smtp_password", 23],
      ["secrets/known-credential", 'data["tls.key"]', 24],
    ]);
    expect(findings[2]?.message).toBe('container "api" env GITHUB_TOKEN holds a GitHub token');
    expect(findings[2]?.properties).toEqual({ container: "api", env: "GITHUB_TOKEN" });
    const text = JSON.stringify(findings);
    for (const secret of ["pa55word", GITHUB, AWS, "hunter2", "MIIEow"]) expect(text).not.toContain(secret);
  });

  it("reads flags, probes, hooks, pod template annotations and configuration files kept in ConfigMaps", () => {
    const findings = judged(`apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata:
      annotations: {vault.example.com/token: ${JSON.stringify(GITHUB)}}
    spec:
      containers:
      - name: api
        image: x
        args: ["--db-password=hunter2", "--token", "hunter2", "--password-file=/run/secrets/db", "--log-level", "debug"]
        readinessProbe:
          httpGet: {path: /health, port: 8080, httpHeaders: [{name: Authorization, value: "token ${GITHUB}"}]}
        lifecycle:
          preStop: {exec: {command: ["sh", "-c", "curl -X POST https://ops:hunter2@hooks.example.com/drain"]}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data:
  application.properties: |
    spring.datasource.url=jdbc:postgresql://db:5432/shop
    spring.datasource.password=hunter2
    spring.datasource.password-file=/run/secrets/db
    server.port=8080
  app.yaml: |
    db:
      password: "\${DB_PASSWORD}"
`);
    expect(findings.map((f) => [f.ruleId, f.fieldPath])).toEqual([
      ["secrets/known-credential", 'spec.template.metadata.annotations["vault.example.com/token"]'],
      ["secrets/inline-credential", "spec.template.spec.containers[0].args[0]"],
      ["secrets/inline-credential", "spec.template.spec.containers[0].args[2]"],
      ["secrets/known-credential", "spec.template.spec.containers[0].readinessProbe.httpGet.httpHeaders[0].value"],
      ["secrets/known-credential", "spec.template.spec.containers[0].lifecycle.preStop.exec.command[2]"],
      ["secrets/inline-credential", 'data["application.properties"]'],
    ]);
    expect(findings[5]?.message).toBe("ConfigMap key application.properties sets spring.datasource.password in plain text, readable by whoever may read ConfigMaps");
    expect(JSON.stringify(findings)).not.toContain("hunter2");
  });

  it("leaves alone what popular charts and configurations write that is about a credential, not one (a second QA pass)", () => {
    const findings = judged(`apiVersion: apps/v1
kind: Deployment
metadata: {name: tools, namespace: ops}
spec:
  template:
    metadata:
      annotations:
        vault.hashicorp.com/agent-inject-template-dsn: "postgresql://{{.Data.username}}:{{.Data.password}}@postgres:5432/wizard"
    spec:
      containers:
      - name: operator
        image: \${REGISTRY}/operator:\${TAG}
        args: ["--secret-field-selector=type!=kubernetes.io/dockercfg", "--secret-namespace=kube-system", "--token-audiences=vault,api", "copy", "docker://nginx:1.25.3@sha256:${"4c".repeat(32)}"]
        env:
        - {name: GF_USERS_PASSWORD_HINT, value: password}
        - {name: GF_AUTH_API_KEY_MAX_SECONDS_TO_LIVE, value: "-1"}
        - {name: POSTGRESQL_PASSWORD_ENCRYPTION, value: scram-sha-256}
        - {name: PASSWORD_HASHER, value: argon2}
        - {name: SECRET_BACKEND, value: vault}
        - {name: TOKEN_EXPIRATION_MS, value: "3600000"}
        - {name: DD_SECRET_BACKEND_ARGUMENTS, value: "--secrets-path /etc/secret-volume"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: ops}
data:
  AUTH: basic
  KEY: app.kubernetes.io/name
  repositories.yaml: |
    - url: https://github.com/acme/deploy
      passwordSecret: {name: repo-creds, key: password}
      sshPrivateKeySecret:
        name: repo-creds
        key: sshPrivateKey
  collector.yaml: |
    processors:
      attributes:
        actions:
        - action: insert
          key: environment
  app.yaml: |
    db:
      password: ""   # injected from a Secret
      token: ~
      passphrase: !ENV DB_PASSPHRASE
  grafana.ini: |
    password_hint = password
    api_key_max_seconds_to_live = -1
---
apiVersion: v1
kind: Secret
metadata: {name: refs, namespace: ops}
stringData:
  password: <path:secret/data/argocd#repo-password>
  token: \${DB_TOKEN}
  api: ref+vault://db/api
data:
  root-ca.pem: LS0t
  truststore.jks: AAAA
`);
    expect(findings.map((f) => `${f.ruleId} ${f.fieldPath}: ${f.message}`)).toEqual([]);
  });

  it("leaves alone references, switches, scripts and Secret names that a third QA pass found reported", () => {
    const findings = judged(`apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: ops}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: backup
            image: x
            command: ["sh", "-c", "PGPASSWORD=$DB_PASSWORD pg_dump --no-password appdb; mysqldump --password=$MYSQL_ROOT_PASSWORD; TOKEN=\`cat /run/token\` curl -u admin:\`cat /run/pw\` https://x && podman run --user 1000:1000 img"]
            args: ["--no-password", "appdb", "--password-stdin", "ghcr.io", "--secret=db-password", "--secret", "id=npmrc,src=/root/.npmrc", "-pass", "env:PASS", "-passin", "file:/run/pw"]
            env:
            - {name: GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET, value: "$__file{/etc/secrets/oauth}"}
            - {name: DB_PASSWORD, value: "ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)"}
            - {name: KEYCLOAK_TOKEN_REALM, value: master}
            - {name: SECRET_MANAGER_PROJECT, value: acme-prod}
            - {name: VAULT_SECRET, value: secret/data/app}
            - {name: REDIS_PASSWORD, value: "<your-redis-password>"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cm, namespace: argocd}
data:
  dex.config: |
    connectors:
    - type: github
      config:
        clientSecret: $dex.github.clientSecret
  oidc.config: |
    clientSecret: $oidc-secret:oidc.okta.clientSecret
  values.yaml: |
    auth:
      existingSecret: postgres-credentials
      adminPasswordKey: postgres-password
      secret: |
        multi-line
    tls:
      tlsSecret: app-tls
  supervisord.conf: |
    password=%(ENV_SUPERVISOR_PASSWORD)s
  backup.sh: |
    PGPASSWORD=$1
    export PASSWORD=hunter2
  init.py: |
    password = os.environ["DB_PASSWORD"]
`);
    // A program's lines are not read as settings; a shell script's assignment of a literal to a credential-named variable is one.
    expect(findings.map((f) => `${f.ruleId} ${f.fieldPath}: ${f.message}`)).toEqual(['secrets/inline-credential data["backup.sh"]: ConfigMap key backup.sh sets PASSWORD in plain text, readable by whoever may read ConfigMaps']);
  });

  it("finds what the second QA pass found missing: run-together names, $ inside a password, JAAS, JVM flags in an env value", () => {
    const findings = judged(DEPLOYMENT(`        - {name: PGPASSWORD, value: Pgpw0rdLit}
        - {name: REDISCLI_AUTH, value: r3disPw}
        - {name: RABBITMQ_ERL_COOKIE, value: ErlC00kie}
        - {name: APP_KEY, value: "base64:abcdef"}
        - {name: DB_PASSWORD, value: "Pa$$w0rd"}
        - {name: KAFKA_SASL_JAAS_CONFIG, value: 'org.apache.kafka.common.security.plain.PlainLoginModule required username="app" password="Kafk4Pw";'}
        - {name: JAVA_OPTS, value: "-Xmx1g -Djavax.net.ssl.keyStorePassword=Kst0reS3cret"}`).replace('args: ["--db", "postgres://api:pa55word@db:5432/shop"]', 'args: ["sh", "-c", "PGPASSWORD=Pgpw0rdLit pg_dump -h db shop"]'));
    expect(findings.filter((f) => f.fieldPath?.includes("env")).map((f) => [f.ruleId, f.properties?.env])).toEqual([
      ["secrets/inline-credential", "PGPASSWORD"],
      ["secrets/inline-credential", "REDISCLI_AUTH"],
      ["secrets/inline-credential", "RABBITMQ_ERL_COOKIE"],
      ["secrets/inline-credential", "APP_KEY"],
      ["secrets/inline-credential", "DB_PASSWORD"],
      ["secrets/known-credential", "KAFKA_SASL_JAAS_CONFIG"],
      ["secrets/inline-credential", "JAVA_OPTS"],
    ]);
    expect(findings.find((f) => f.properties?.env === "JAVA_OPTS")?.message).toBe('container "api" env JAVA_OPTS passes -Djavax.net.ssl.keyStorePassword a value written in the manifest');
    expect(findings.find((f) => f.fieldPath?.endsWith("args[2]"))?.message).toBe('container "api" args[2] passes PGPASSWORD a value written in the manifest, where every process on the node can read it');
    expect(JSON.stringify(findings)).not.toMatch(/Pgpw0rd|r3disPw|ErlC00kie|abcdef|w0rd|Kafk4Pw|Kst0reS3cret/);
  });

  it("reads tools' own spellings: openssl and keytool flags in scripts, redis.conf and Fluent Bit directives, JSON passwords", () => {
    const findings = judged(`apiVersion: batch/v1
kind: Job
metadata: {name: certs, namespace: ops, annotations: {ad.datadoghq.com/db.instances: '[{"host":"db","password":"DdPgPassw0rd"}]'}}
spec:
  template:
    spec:
      containers:
      - name: certs
        image: x
        command: ["sh", "-c", "openssl pkcs12 -export -in c.pem -passout pass:Exp0rtPw -out c.p12 && keytool -importkeystore -srcstorepass Exp0rtPw -deststorepass St0rePw --password-file /run/pw --auth none"]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: ops}
data:
  redis.conf: |
    port 6379
    requirepass R3disPw
    masterauth R3disPw
  fluent-bit.conf: |
    [OUTPUT]
        Name   es
        HTTP_Passwd FluentEsPw1
        HTTP_User   fluent
`);
    expect(findings.map((f) => [f.ruleId, f.fieldPath, f.message])).toEqual([
      ["secrets/known-credential", 'metadata.annotations["ad.datadoghq.com/db.instances"]', "annotation ad.datadoghq.com/db.instances holds a password in JSON"],
      ["secrets/inline-credential", "spec.template.spec.containers[0].command[2]", 'container "certs" command[2] passes -passout, -srcstorepass, -deststorepass a value written in the manifest, where every process on the node can read it'],
      ["secrets/inline-credential", 'data["redis.conf"]', "ConfigMap key redis.conf sets requirepass, masterauth in plain text, readable by whoever may read ConfigMaps"],
      ["secrets/inline-credential", 'data["fluent-bit.conf"]', "ConfigMap key fluent-bit.conf sets HTTP_Passwd in plain text, readable by whoever may read ConfigMaps"],
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/DdPgPassw0rd|Exp0rtPw|St0rePw|R3disPw|FluentEsPw1/);
  });

  it("reads a kustomization's generator literals: a secretGenerator's are a Secret's values, a configMapGenerator's a ConfigMap's", () => {
    const findings = judged(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
secretGenerator:
- name: db
  literals: [password=hunter2, "username=app", empty=]
- name: from-file
  files: [tls.key]
configMapGenerator:
- name: settings
  literals: [DB_PASSWORD=hunter3, LOG_LEVEL=debug, "TOKEN_FILE=/run/secrets/token", "REPO=https://ci:hunter4@git.example.com/r.git"]
`);
    expect(findings.map((f) => [f.ruleId, f.fieldPath, f.message])).toEqual([
      ["secrets/secret-in-repository", "secretGenerator[0].literals", "secretGenerator db: 2 values (password, username) are kept in plain text with the manifests"],
      ["secrets/inline-credential", "configMapGenerator[0].literals[0]", "configMapGenerator settings literal DB_PASSWORD is named as a credential and its value is written in the kustomization"],
      ["secrets/known-credential", "configMapGenerator[0].literals[3]", "configMapGenerator settings literal REPO holds a URL with a password in it"],
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/hunter/);
    // Another group's Kustomization (Flux's) is not kustomize's file.
    expect(judged("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: k}\nspec: {path: ./}\n")).toEqual([]);
  });

  it("reports a Secret kept with the manifests by its keys, unless SOPS encrypted it or it holds no value", () => {
    const secret = (body: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\n${body}`;
    const [finding] = judged(secret("stringData:\n  password: pa55word\n  username: app\n"));
    expect(finding?.ruleId).toBe("secrets/secret-in-repository");
    expect(finding?.fieldPath).toBe("stringData");
    expect(finding?.message).toBe("2 values in stringData (password, username) are kept in plain text with the manifests");
    expect(judged(secret("data:\n  .dockerconfigjson: e30=\nstringData:\n  token: abc\n"))[0]?.message).toBe("2 values in stringData and data (token, .dockerconfigjson) are kept in plain text with the manifests");
    expect(judged(secret("data:\n  password: cGFzcw==\n"))[0]?.message).toBe("1 value in data (password) is kept in plain text with the manifests");
    // Certificates are public: a Secret of only certificates keeps nothing secret.
    expect(judged(secret("data:\n  ca.crt: LS0t\n"))).toEqual([]);
    expect(JSON.stringify(finding)).not.toContain("pa55word");
    expect(judged(secret("data:\n  password: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]\nsops:\n  version: 3.9.0\n"))).toEqual([]);
    expect(judged(secret("data:\n  password: ''\n"))).toEqual([]);
    expect(judged(secret("type: kubernetes.io/service-account-token\n"))).toEqual([]);
    // Not the core Secret: another group's kind of the same name is not judged as one.
    expect(judged("apiVersion: example.com/v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: b}\n")).toEqual([]);
  });

  it("reports a JSON Web Token written into an ordinarily named env var or an annotation, in no format with its value", () => {
    const result = runScan(snapshotOf(load(DEPLOYMENT(`        - {name: UPSTREAM_HEADER, value: "${JWT}"}`, `, annotations: {ci.example.com/session: "${JWT}"}`))));
    const found = result.findings.filter((f) => f.ruleId === "secrets/known-credential" && f.message.includes("a JSON Web Token"));
    expect(found.map((f) => f.fieldPath).sort()).toEqual(['metadata.annotations["ci.example.com/session"]', "spec.template.spec.containers[0].env[0].value"]);
    for (const format of ["text", "wide", "json", "yaml", "sarif", "junit", "github"] as const) {
      const report = [...renderReport(result, { output: format, color: false })].join("");
      expect(report, format).not.toContain(JWT.split(".")[2]);
    }
  });

  it("streams exactly what its check finds", () => {
    const objects = load(DEPLOYMENT(`        - {name: DB_PASSWORD, value: "pa55word"}`));
    const stream = secretsFamily.stream!({}, { namespaces: new Map(), objectsAhead: () => [], mentions: () => true });
    for (const o of objects) stream.observe(o);
    expect(stream.finish()).toEqual(secretsFamily.check(snapshotOf(objects), {}));
  });

  it("property: no report of any format carries a credential's value, whatever the value and wherever it is written", () => {
    // A prefix no report's own text has, so that a value is never found by coincidence (a value "rguments" is in "arguments").
    const value = fc.oneof(fc.stringMatching(/^[A-Za-z0-9!#%&*+=?^_~]{8,30}$/).map((text) => `Zx9${text}`), fc.constant(GITHUB), fc.constant(AWS), fc.constant(JWT));
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

describe("boolean flags, which take no separate value", () => {
  const staticPod = (name: string, command: string[]) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: kube-system}
spec:
  containers:
  - name: ${name}
    image: x
    command: ${JSON.stringify(command)}
`;
  const inline = (yaml: string) => judged(yaml).filter((f) => f.ruleId === "secrets/inline-credential").map((f) => f.fieldPath);

  it("reads no value after a control-plane component's boolean flag (pflag, Go's flag: a boolean's value only in its own word)", () => {
    expect(inline(staticPod("etcd", ["etcd", "--client-cert-auth", "SuperSecretToken"]))).toEqual([]);
    expect(inline(staticPod("kube-apiserver", ["kube-apiserver", "--enable-bootstrap-token-auth", "SuperSecretToken"]))).toEqual([]);
    expect(inline(staticPod("kube-controller-manager", ["kube-controller-manager", "--use-service-account-credentials", "SuperSecretToken"]))).toEqual([]);
    expect(inline(staticPod("kube-apiserver", ["sh", "-c", "exec kube-apiserver --enable-bootstrap-token-auth SuperSecretToken"]))).toEqual([]);
  });

  it("still reads a value after a component's flag that takes one, and after the same flag of another program", () => {
    expect(inline(staticPod("kube-apiserver", ["kube-apiserver", "--db-password", "SuperSecretToken"]))).toEqual(["spec.containers[0].command[2]"]);
    expect(inline(staticPod("app", ["app", "--enable-bootstrap-token-auth", "SuperSecretToken"]))).toEqual(["spec.containers[0].command[2]"]);
  });

  it("takes the switch of a way of authenticating that needs no secret for no credential", () => {
    for (const name of ["CLIENT_CERT_AUTH", "client-cert-auth", "peer-client-cert-auth", "anonymous-auth", "clientCertificateAuth"]) expect(looksLikeSecretName(name), name).toBe(false);
    for (const name of ["BASIC_AUTH", "REDISCLI_AUTH", "proxy-auth"]) expect(looksLikeSecretName(name), name).toBe(true);
    expect(inline(staticPod("app", ["app", "--client-cert-auth", "SuperSecretToken"]))).toEqual([]);
  });
});

describe("shell assignments", () => {
  it("in a container's shell command are inline credentials, not connection strings", () => {
    const findings = judged(`apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a}
spec:
  containers:
  - {name: d, image: x, command: [sh, -c, "export PASSWORD=Zq9LmN0pWx; run"]}
`);
    expect(findings.map((f) => `${f.ruleId} ${f.severity}: ${f.message}`)).toEqual([
      'secrets/inline-credential high: container "d" command[2] passes PASSWORD a value written in the manifest, where every process on the node can read it',
    ]);
  });

  it("in a shell script kept in a ConfigMap are settings; arguments, command substitutions, paths and comments are not", () => {
    const findings = judged(`apiVersion: v1
kind: ConfigMap
metadata: {name: scripts, namespace: ops}
data:
  backup.sh: |
    #!/bin/sh
    # export ADMIN_PASSWORD=example
    readonly API_TOKEN='tok3n-Value'
    PGPASSWORD=Pgpw0rdLit pg_dump -h db shop; DB_PASSWORD="$(cat /run/secrets/db)"
    export CLIENT_SECRET=$1 KEY_FILE=/run/key SECRET_PATH=/etc/secret
`);
    expect(findings.map((f) => `${f.ruleId} ${f.fieldPath}: ${f.message}`)).toEqual([
      'secrets/inline-credential data["backup.sh"]: ConfigMap key backup.sh sets API_TOKEN, PGPASSWORD in plain text, readable by whoever may read ConfigMaps',
    ]);
  });
});
