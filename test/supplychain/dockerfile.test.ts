import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkDockerfile, DOCKERFILE_RULE_LIST, isDockerfilePath, parseImageRef } from "../../src/supplychain/dockerfile/index.js";
import { looksLikeSecretName } from "../../src/secrets/names.js";
import { usersCreatedBy } from "../../src/supplychain/dockerfile/users.js";

const DIGEST = "sha256:" + "a".repeat(64);
const ids = (text: string) => checkDockerfile(text, "Dockerfile").map((f) => f.ruleId);

describe("final stage user", () => {
  it("flags a missing USER on a root base image, at the FROM line", () => {
    const f = checkDockerfile(`FROM python:3.12@${DIGEST}\nRUN pip install x\n`, "app/Dockerfile");
    expect(f.map((x) => x.ruleId)).toEqual(["dockerfile/missing-user"]);
    expect(f[0]?.position).toEqual({ file: "app/Dockerfile", line: 1, column: 1 });
    expect(f[0]?.pillar).toBe("supply-chain");
    expect(f[0]?.message).toBe("the final stage sets no USER, so it runs as root, the user python:3.12 defaults to");
  });

  it("accepts no USER on a base image known to run as non-root", () => {
    expect(ids(`FROM gcr.io/distroless/static:nonroot@${DIGEST}\n`)).toEqual([]);
    expect(ids(`FROM nginxinc/nginx-unprivileged:1.27@${DIGEST}\n`)).toEqual([]);
    expect(ids(`FROM gcr.io/distroless/static:latest@${DIGEST}\n`)).toEqual(["dockerfile/missing-user"]);
  });

  it("flags USER root and USER 0, but not a later switch away from root", () => {
    expect(ids(`FROM alpine:3.20@${DIGEST}\nUSER root\n`)).toEqual(["dockerfile/runs-as-root"]);
    expect(ids(`FROM alpine:3.20@${DIGEST}\nUSER 0:0\n`)).toEqual(["dockerfile/runs-as-root"]);
    expect(ids(`FROM alpine:3.20@${DIGEST}\nUSER root\nRUN apk add x\nUSER 10001\n`)).toEqual([]);
  });

  it("wants a numeric UID, and the named user to exist", () => {
    const created = checkDockerfile(`FROM debian:12@${DIGEST}\nRUN groupadd -g 10001 app && useradd -u 10001 -g app -m app\nUSER app\n`, "Dockerfile");
    expect(created.map((f) => f.ruleId)).toEqual(["dockerfile/non-numeric-user"]);
    expect(created[0]?.message).toContain("use USER 10001");
    expect(created[0]?.position?.line).toBe(3);
    expect(ids(`FROM debian:12@${DIGEST}\nUSER app\n`)).toEqual(["dockerfile/non-numeric-user", "dockerfile/unknown-user"]);
    expect(ids(`FROM node:20@${DIGEST}\nUSER node\n`)).toEqual(["dockerfile/non-numeric-user"]);
    expect(ids(`FROM gcr.io/distroless/base@${DIGEST}\nUSER nonroot\n`)).toEqual(["dockerfile/non-numeric-user"]);
    expect(ids(`FROM debian:12@${DIGEST}\nRUN echo 'svc:x:0:0::/:/bin/sh' >> /etc/passwd\nUSER svc\n`)).toEqual(["dockerfile/runs-as-root"]);
  });

  it("follows multi-stage builds: USER and users of the stage the final one builds on", () => {
    const text = `FROM alpine:3.20@${DIGEST} AS base\nRUN adduser -D -u 1001 app\nUSER app\nFROM base\nCOPY x /x\n`;
    expect(ids(text)).toEqual(["dockerfile/non-numeric-user"]);
    const builder = `FROM golang:1.23@${DIGEST} AS build\nUSER 1000\nFROM gcr.io/distroless/static:nonroot@${DIGEST}\nCOPY --from=build /app /app\n`;
    expect(ids(builder)).toEqual([]);
  });
});

describe("base images", () => {
  it("flags unpinned and latest images, handles ARG substitution and stage references", () => {
    expect(ids(`FROM ubuntu\nUSER 1000\n`)).toEqual(["dockerfile/base-not-pinned", "dockerfile/base-latest-tag"]);
    expect(ids(`FROM ubuntu:latest\nUSER 1000\n`)).toEqual(["dockerfile/base-not-pinned", "dockerfile/base-latest-tag"]);
    expect(ids(`FROM ubuntu:24.04\nUSER 1000\n`)).toEqual(["dockerfile/base-not-pinned"]);
    expect(ids(`ARG BASE=ubuntu:24.04@${DIGEST}\nFROM \${BASE}\nUSER 1000\n`)).toEqual([]);
    expect(ids(`ARG TAG=latest\nFROM ubuntu:\${TAG}\nUSER 1000\n`)).toEqual(["dockerfile/base-not-pinned", "dockerfile/base-latest-tag"]);
    const noDefault = checkDockerfile(`ARG BASE\nFROM \${BASE}\nUSER 1000\n`, "Dockerfile");
    expect(noDefault.map((f) => [f.ruleId, f.severity])).toEqual([["dockerfile/base-not-pinned", "low"]]);
    expect(ids(`FROM scratch\nUSER 65534\n`)).toEqual([]);
    expect(ids(`FROM localhost:5000/app@${DIGEST}\nUSER 1\n`)).toEqual([]);
  });

  it("parses image references like a registry", () => {
    expect(parseImageRef("localhost:5000/app")).toEqual({ name: "localhost:5000/app" });
    expect(parseImageRef("gcr.io/x/y:1.2@sha256:ab")).toEqual({ name: "gcr.io/x/y", tag: "1.2", digest: "sha256:ab" });
  });
});

describe("secrets in ENV and ARG", () => {
  it("flags secret-looking names and never prints the value", () => {
    const text = `FROM alpine:3@${DIGEST}\nENV DB_PASSWORD=hunter2-very-secret OTHER=1\nARG NPM_TOKEN\nARG GITHUB_TOKEN=ghp_abcdef123456\nENV API_KEY_FILE=/run/secrets/key\nUSER 1000\n`;
    const f = checkDockerfile(text, "Dockerfile");
    expect(f.map((x) => [x.ruleId, x.severity, x.position?.line, x.position?.column])).toEqual([
      ["dockerfile/secret-in-env-or-arg", "high", 2, 5],
      ["dockerfile/secret-in-env-or-arg", "medium", 3, 5],
      ["dockerfile/secret-in-env-or-arg", "high", 4, 5],
    ]);
    const all = JSON.stringify(f);
    expect(all).not.toContain("hunter2");
    expect(all).not.toContain("ghp_abcdef");
  });

  it("recognises the usual names", () => {
    for (const name of ["PASSWORD", "db_passwd", "AWS_SECRET_ACCESS_KEY", "API_KEY", "SSH_PRIVATE_KEY", "AUTH_TOKEN", "apikey"]) expect(looksLikeSecretName(name), name).toBe(true);
    for (const name of ["PATH", "HOME", "KEYCLOAK_URL", "NODE_ENV", "PASSWORD_FILE", "TOKEN_PATH"]) expect(looksLikeSecretName(name), name).toBe(false);
  });

  it("property: no secret value ever appears in any finding", () => {
    fc.assert(
      fc.property(fc.constantFrom("PASSWORD", "TOKEN", "SECRET", "KEY", "API_KEY"), fc.stringMatching(/^[A-Za-z0-9]{12,24}$/), (name, value) => {
        const text = `FROM alpine:3@${DIGEST}\nENV ${name}=${value}\nARG ${name}_2=${value}\nUSER 1000\n`;
        const out = JSON.stringify(checkDockerfile(text, "Dockerfile"));
        expect(out).not.toContain(value);
      }),
    );
  });
});

describe("ADD from URLs", () => {
  it("flags remote sources unless a checksum is given, and redacts URL credentials", () => {
    const f = checkDockerfile(`FROM alpine:3@${DIGEST}\nADD https://user:tok@example.com/a.tgz /opt/\nADD --checksum=sha256:${"b".repeat(64)} https://example.com/b.tgz /opt/\nADD local.tgz /opt/\nUSER 1000\n`, "Dockerfile");
    expect(f.map((x) => [x.ruleId, x.position?.line])).toEqual([["dockerfile/add-from-url", 2]]);
    expect(f[0]?.message).toBe("ADD downloads https://***@example.com/a.tgz without verifying its content");
  });
});

describe("files and rules", () => {
  it("recognises Dockerfile names", () => {
    for (const p of ["Dockerfile", "a/b/Containerfile", "api.Dockerfile", "Dockerfile.prod"]) expect(isDockerfilePath(p), p).toBe(true);
    for (const p of ["Dockerfile.md.txt/x", "docker-compose.yaml", "README"]) expect(isDockerfilePath(p), p).toBe(false);
  });

  it("every rule has docs", () => {
    for (const rule of DOCKERFILE_RULE_LIST) {
      expect(rule.docs.description.length, rule.id).toBeGreaterThan(60);
      expect(rule.docs.remediation.length, rule.id).toBeGreaterThan(20);
    }
    expect(new Set(DOCKERFILE_RULE_LIST.map((r) => r.id)).size).toBe(DOCKERFILE_RULE_LIST.length);
  });

  it("reads users created by useradd, adduser and /etc/passwd edits", () => {
    expect(usersCreatedBy("groupadd -r app && useradd --uid=1234 -r -g app -s /sbin/nologin app")).toEqual([{ name: "app", uid: 1234 }]);
    expect(usersCreatedBy("addgroup -S g && adduser -S -D -H -u 101 -G g web")).toEqual([{ name: "web", uid: 101 }]);
    expect(usersCreatedBy('adduser --disabled-password --gecos "" --uid 2000 bob')).toEqual([{ name: "bob", uid: 2000 }]);
    expect(usersCreatedBy("echo 'svc:x:999:999::/home/svc:/bin/false' >> /etc/passwd")).toEqual([{ name: "svc", uid: 999 }]);
  });
});

describe("examples/docker", () => {
  it("the first-draft example trips every rule but the two root-user ones and the hardened one none", async () => {
    const { readFileSync } = await import("node:fs");
    const { repoRoot } = await import("../support/conformance.js");
    const draft = checkDockerfile(readFileSync(`${repoRoot}/examples/docker/Dockerfile`, "utf8"), "examples/docker/Dockerfile");
    expect([...new Set(draft.map((f) => f.ruleId))].sort()).toEqual(["dockerfile/add-from-url", "dockerfile/base-latest-tag", "dockerfile/base-not-pinned", "dockerfile/non-numeric-user", "dockerfile/secret-in-env-or-arg", "dockerfile/unknown-user"]);
    const hardened = checkDockerfile(readFileSync(`${repoRoot}/examples/docker/hardened.Dockerfile`, "utf8"), "examples/docker/hardened.Dockerfile");
    expect(hardened).toEqual([]);
  });
});

describe("scan family", () => {
  it("checks the Dockerfiles the loader collected", async () => {
    const { dockerfileFamily } = await import("../../src/supplychain/dockerfile/family.js");
    const { loadSnapshot } = await import("../../src/k8s/load.js");
    const { repoRoot } = await import("../support/conformance.js");
    const snapshot = await loadSnapshot({ paths: [`${repoRoot}/examples/docker`] });
    const findings = dockerfileFamily.check(snapshot, {});
    expect(findings.length).toBeGreaterThan(5);
    expect(findings.every((f) => f.position?.file.endsWith("examples/docker/Dockerfile"))).toBe(true);
  });
});
