import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { checkSecrets } from "../../src/secrets/check.js";
import { isLiteralCredential, isLiteralEnvCredential } from "../../src/secrets/credential-formats.js";

function judged(yaml: string, file = "m.yaml") {
  const parsed = parseYamlFile(file, yaml);
  expect(parsed.problems).toEqual([]);
  return parsed.objects.flatMap(checkSecrets);
}
const summary = (findings: ReturnType<typeof judged>) => findings.map((f) => [f.ruleId, f.fieldPath, f.message]);
const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("configuration files the secrets rules read (a fourth pass)", () => {
  it("reads a directive's value at the end of a longer line (HAProxy), but not a password's hash or a sentence", () => {
    const findings = judged(`apiVersion: v1
kind: ConfigMap
metadata: {name: haproxy, namespace: edge}
data:
  haproxy.cfg: |
    listen stats
      bind :8404
      stats auth admin:HapStat5Pw   # the stats page
    userlist ops
      user alice insecure-password Al1cePw
      user bob password $6$rounds=5000$salt$Q0hcWm4bXyAUhQ4lJ1
  motd: |
    Welcome. Please enter your password here.
    The admin password is rotated every 30 days
    Reset the password in 5 minutes
  README.md: |
    set the stats auth admin:example1 line to enable it
`);
    expect(summary(findings)).toEqual([
      ["secrets/inline-credential", 'data["haproxy.cfg"]', "ConfigMap key haproxy.cfg sets auth, insecure-password in plain text, readable by whoever may read ConfigMaps"],
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/HapStat5Pw|Al1cePw/);
  });

  it("leaves nginx's proxy_pass and its kin alone: PASS there hands a request on (a fifth pass)", () => {
    const findings = judged(`apiVersion: v1
kind: ConfigMap
metadata: {name: nginx, namespace: web}
data:
  nginx.conf: |
    location / { proxy_pass http://backend:8080; }
    location /php { fastcgi_pass php:9000; }
    location /py {
      uwsgi_pass unix:///run/uwsgi.sock;
      grpc_pass grpc://api:50051;
    }
  app.env: |
    UPSTREAM_PASS=http://backend:8080
    SMTP_PASS=Smtp9Pass
`);
    expect(summary(findings)).toEqual([["secrets/inline-credential", 'data["app.env"]', "ConfigMap key app.env sets SMTP_PASS in plain text, readable by whoever may read ConfigMaps"]]);
  });

  it("takes a password's hash for what a file is meant to hold, not the password", () => {
    for (const hash of ["$2y$10$abcdefghijklmnopqrstuu5Ww0Jm6x8o0F1h0WQoBq7yHk0S2V9e", "$apr1$x1y2z3$AbCdEfGhIjKlMnOpQrStU/", "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"]) {
      expect(isLiteralCredential(hash), hash).toBe(false);
    }
    // A password that happens to start like one is still a password.
    expect(isLiteralCredential("$6pack-of-beer")).toBe(true);
  });

  it("takes an env var's $word in lower case for the password it is: the kubelet expands only $(VAR)", () => {
    expect(isLiteralEnvCredential("$ecretPass1")).toBe(true);
    expect(isLiteralEnvCredential("$DB_PASSWORD")).toBe(false);
    expect(isLiteralEnvCredential("$(DB_PASSWORD)")).toBe(false);
    const findings = judged(`apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
  - name: app
    image: x
    env:
    - {name: DB_PASSWORD, value: $ecretPass1}
    - {name: API_TOKEN, value: $API_TOKEN}
    command: ["sh", "-c", "PGPASSWORD=$ecret psql"]
`);
    expect(summary(findings)).toEqual([
      ["secrets/inline-credential", "spec.containers[0].env[0].value", 'container "app" env DB_PASSWORD is named as a credential and its value is written in the manifest'],
    ]);
  });

  it("reads a ConfigMap's binaryData that decodes to text, as its data", () => {
    const findings = judged(`apiVersion: v1
kind: ConfigMap
metadata: {name: bin, namespace: shop}
binaryData:
  tls.key: ${base64("-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n")}
  redis.conf: ${base64("port 6379\nrequirepass R3disBinPw\n")}
  logo.png: ${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]).toString("base64")}
  notes: ${base64("nothing to see\n")}
`);
    expect(summary(findings)).toEqual([
      ["secrets/known-credential", 'binaryData["tls.key"]', "ConfigMap binaryData key tls.key holds a private key (PEM)"],
      ["secrets/inline-credential", 'binaryData["redis.conf"]', "ConfigMap binaryData key redis.conf sets requirepass in plain text, readable by whoever may read ConfigMaps"],
    ]);
    expect(JSON.stringify(findings)).not.toContain("R3disBinPw");
  });

  it("reads the env files and files a kustomization's generators name beside it, never outside it", () => {
    const root = mkdtempSync(join(tmpdir(), "palisade-kgen-"));
    const dir = join(root, "overlay");
    mkdirSync(dir);
    writeFileSync(join(root, "outside.env"), "DB_PASSWORD=0utsidePw\n");
    writeFileSync(join(dir, ".env.secret"), "# the database\nDB_PASSWORD=Env5ecretPw\nDB_USER=app\n");
    writeFileSync(join(dir, "tls.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    writeFileSync(join(dir, "app.env"), "LOG_LEVEL=debug\nSMTP_PASSWORD=Smtp9Pw\nREPO=https://ci:G1tPw@git.example.com/r.git\n");
    writeFileSync(join(dir, "app.properties"), "server.port=8080\nspring.datasource.password=Spr1ngPw\n");
    const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
secretGenerator:
- name: db
  envs: [.env.secret]
- name: certs
  files: [tls.crt]
- name: supplied-by-ci
  files: [token.txt]
- name: escape
  envs: [../outside.env]
configMapGenerator:
- name: app
  envs: [app.env]
  files: [config=app.properties]
`;
    const findings = judged(kustomization, join(dir, "kustomization.yaml"));
    expect(summary(findings)).toEqual([
      ["secrets/secret-in-repository", "secretGenerator[0].envs[0]", "secretGenerator db: the values of .env.secret are kept in plain text beside the manifests"],
      ["secrets/inline-credential", "configMapGenerator[0].envs[0]", "configMapGenerator app app.env SMTP_PASSWORD is named as a credential and its value is written beside the manifests"],
      ["secrets/known-credential", "configMapGenerator[0].envs[0]", "configMapGenerator app app.env REPO holds a URL with a password in it"],
      ["secrets/inline-credential", "configMapGenerator[0].files[0]", "configMapGenerator app app.properties sets spring.datasource.password in plain text, readable by whoever may read ConfigMaps"],
    ]);
    expect(findings[0]?.position?.line).toBe(5);
    expect(JSON.stringify(findings)).not.toMatch(/Env5ecretPw|Smtp9Pw|G1tPw|Spr1ngPw|0utsidePw/);
    // Read from stdin or rendered, a kustomization has no directory to read beside.
    expect(judged(kustomization, "<stdin>")).toEqual([]);
    // kustomize takes apiVersion and kind as optional: a kustomization file is one by its name.
    const bare = kustomization.replace("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n", "");
    expect(bare).not.toContain("kind:");
    expect(summary(judged(bare, join(dir, "kustomization.yaml")))).toEqual(summary(findings));
    expect(parseYamlFile(join(dir, "other.yaml"), bare).objects).toEqual([]);
  });
});
