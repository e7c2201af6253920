import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkDockerfile } from "../../src/supplychain/dockerfile/index.js";
import { isRemoteAddSource } from "../../src/supplychain/dockerfile/add-source.js";
import { expandWord, type Binding } from "../../src/supplychain/dockerfile/expand.js";
import { parseImageReference } from "../../src/supplychain/image-reference.js";

/** Dockerfiles read as BuildKit's frontend reads them (moby/buildkit frontend/dockerfile). */

const DIGEST = "sha256:" + "a".repeat(64);
const ids = (text: string) => checkDockerfile(text, "Dockerfile").map((f) => f.ruleId);

describe("variable substitution as BuildKit's shell lexer does it", () => {
  it("judges ${VAR:-default} in FROM by its default, when the build argument has none", () => {
    const f = checkDockerfile("ARG BASE\nFROM ${BASE:-ubuntu:22.04}\nUSER 1000\n", "Dockerfile");
    expect(f.map((x) => [x.ruleId, x.severity, x.message])).toEqual([["dockerfile/base-not-pinned", "medium", "base image ubuntu:22.04 is not pinned by digest"]]);
    // An undeclared name in FROM is empty: only global ARGs reach FROM.
    expect(ids("FROM ${BASE:-ubuntu}\nUSER 1000\n")).toEqual(["dockerfile/base-not-pinned", "dockerfile/base-latest-tag"]);
    expect(ids("ARG BASE\nFROM ${BASE}\nUSER 1000\n")).toEqual(["dockerfile/base-not-pinned"]);
  });

  it("judges USER ${UID:-0} as root, and USER that expands to nothing as root", () => {
    expect(ids(`FROM alpine:3@${DIGEST}\nARG UID\nUSER \${UID:-0}\n`)).toEqual(["dockerfile/runs-as-root"]);
    expect(ids(`FROM alpine:3@${DIGEST}\nARG UID\nUSER \${UID:-10001}\n`)).toEqual([]);
    expect(ids(`FROM alpine:3@${DIGEST}\nARG UID\nUSER \${UID}\n`)).toEqual([]);
    const empty = checkDockerfile(`FROM gcr.io/distroless/static:nonroot@${DIGEST}\nARG U=""\nUSER \${U}\n`, "Dockerfile");
    expect(empty.map((x) => [x.ruleId, x.position?.line])).toEqual([["dockerfile/runs-as-root", 3]]);
    // An ENV of the base image may set the name (.NET images' APP_UID): not guessed.
    expect(ids(`FROM mcr.microsoft.com/dotnet/runtime:8.0@${DIGEST}\nUSER $APP_UID\n`)).toEqual([]);
  });

  it("survives absurd nesting instead of overflowing the stack", () => {
    const text = `ARG A=1\nFROM alpine:3@${DIGEST}\nUSER ${"${A:-".repeat(20_000)}0${"}".repeat(20_000)}\n`;
    expect(() => checkDockerfile(text, "Dockerfile")).not.toThrow();
  });

  const names = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);
  const plain = fc.stringMatching(/^[a-z0-9.:/@-]{0,20}$/);
  it("property: ${X:-w} is X's value when set and not empty, else w; ${X-w} only when unset", () => {
    fc.assert(
      fc.property(names, plain, fc.option(plain, { nil: undefined }), (name, fallback, value) => {
        const lookup = (n: string): Binding => (n === name && value !== undefined ? { kind: "value", value } : { kind: "unset" });
        expect(expandWord(`\${${name}:-${fallback}}`, lookup)).toBe(value !== undefined && value !== "" ? value : fallback);
        expect(expandWord(`\${${name}-${fallback}}`, lookup)).toBe(value !== undefined ? value : fallback);
        expect(expandWord(`\${${name}:+${fallback}}`, lookup)).toBe(value !== undefined && value !== "" ? fallback : "");
        // A word without $, quotes or escapes is itself.
        expect(expandWord(fallback, lookup)).toBe(fallback);
      }),
    );
  });
});

describe("global ARGs (declared before the first FROM) inside a stage", () => {
  // BuildKit expands a stage's words with the stage's own environment: a global ARG is in it
  // only after the stage declares it again; until then it is empty (an UndefinedVar lint
  // warning, not a failed build), and USER "" leaves the image's user empty, which runs as root.
  const messages = (text: string) => checkDockerfile(text, "Dockerfile").map((f) => [f.ruleId, f.message]);

  it("USER $UID and USER ${UID} without `ARG UID` in the stage expand to nothing: root", () => {
    for (const word of ["$UID", "${UID}"]) {
      const f = messages(`ARG UID=0\nFROM alpine:3@${DIGEST}\nUSER ${word}\n`);
      expect(f.map(([id]) => id), word).toEqual(["dockerfile/runs-as-root"]);
      expect(f[0]?.[1], word).toContain("expands to an empty user (UID is a global ARG, declared before the first FROM, which a stage sees only after declaring it again with `ARG UID`");
    }
  });

  it("a non-root global default does not reach the stage either", () => {
    expect(ids(`ARG UID=10001\nFROM alpine:3@${DIGEST}\nUSER $UID\n`)).toEqual(["dockerfile/runs-as-root"]);
    // The empty user replaces the base image's non-root one.
    expect(ids(`ARG UID=65532\nFROM gcr.io/distroless/static:nonroot@${DIGEST}\nUSER $UID\n`)).toEqual(["dockerfile/runs-as-root"]);
  });

  it("a stage that redeclares `ARG UID` gets the global default", () => {
    expect(messages(`ARG UID=0\nFROM alpine:3@${DIGEST}\nARG UID\nUSER $UID\n`)).toEqual([["dockerfile/runs-as-root", "the final stage runs as root (USER 0)"]]);
    expect(ids(`ARG UID=10001\nFROM alpine:3@${DIGEST}\nARG UID\nUSER \${UID}\n`)).toEqual([]);
    // Redeclared in an earlier stage only: the final stage still does not see it...
    expect(ids(`ARG UID=10001\nFROM alpine:3@${DIGEST} AS build\nARG UID\nFROM alpine:3@${DIGEST}\nUSER $UID\n`)).toEqual(["dockerfile/runs-as-root"]);
    // ...unless it builds on that stage, whose ARGs it starts with.
    expect(ids(`ARG UID=10001\nFROM alpine:3@${DIGEST} AS base\nARG UID\nFROM base\nUSER $UID\n`)).toEqual([]);
    expect(ids(`ARG UID=0\nFROM alpine:3@${DIGEST} AS base\nARG UID\nFROM base\nUSER $UID\n`)).toEqual(["dockerfile/runs-as-root"]);
  });

  it("${UID:-1000} without redeclaring is 1000, whatever the global default", () => {
    expect(ids(`ARG UID=0\nFROM alpine:3@${DIGEST}\nUSER \${UID:-1000}\n`)).toEqual([]);
    expect(ids(`ARG UID=0\nFROM alpine:3@${DIGEST}\nUSER \${UID:-0}\n`)).toEqual(["dockerfile/runs-as-root"]);
    // Redeclared, the global default wins over the fallback.
    expect(ids(`ARG UID=0\nFROM alpine:3@${DIGEST}\nARG UID\nUSER \${UID:-1000}\n`)).toEqual(["dockerfile/runs-as-root"]);
  });

  it("an ENV of the stage is in scope without any ARG, and so is PATH, which BuildKit always sets", () => {
    expect(ids(`ARG UID=0\nFROM alpine:3@${DIGEST}\nENV UID=1000\nUSER $UID\n`)).toEqual([]);
    expect(ids(`ARG PATH=0\nFROM alpine:3@${DIGEST}\nUSER $PATH\n`)).toEqual([]);
  });

  it("property: without redeclaring, USER $X is root whatever X's global default; redeclared, it is X's default", () => {
    const uid = fc.oneof(fc.constant("0"), fc.integer({ min: 1, max: 2 ** 31 - 1 }).map(String));
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/), uid, (name, value) => {
        fc.pre(name !== "PATH");
        // A name that reads as a credential (PW, TOKEN) is also a secret-in-ARG finding, which is not the point here.
        const rootOnly = (text: string) => ids(text).filter((id) => id === "dockerfile/runs-as-root");
        expect(rootOnly(`ARG ${name}=${value}\nFROM alpine:3@${DIGEST}\nUSER $${name}\n`)).toEqual(["dockerfile/runs-as-root"]);
        expect(rootOnly(`ARG ${name}=${value}\nFROM alpine:3@${DIGEST}\nARG ${name}\nUSER $${name}\n`)).toEqual(value === "0" ? ["dockerfile/runs-as-root"] : []);
      }),
    );
  });
});

describe("stages", () => {
  it("runs the ONBUILD triggers of the stage the final one builds on", () => {
    expect(ids(`FROM alpine:3@${DIGEST} AS base\nUSER 1000\nONBUILD USER root\nFROM base\n`)).toEqual(["dockerfile/runs-as-root"]);
    // Its own USER comes after the triggers; an ONBUILD of the final stage itself runs only in images built on it.
    expect(ids(`FROM alpine:3@${DIGEST} AS base\nONBUILD USER root\nFROM base\nUSER 1000\n`)).toEqual([]);
    expect(ids(`FROM alpine:3@${DIGEST}\nUSER 1000\nONBUILD USER root\n`)).toEqual([]);
  });
});

describe("base image references, with distribution's grammar", () => {
  it("does not take a malformed digest for a pin: the build fails on it", () => {
    for (const image of ["nginx@sha256:abc", `nginx@sha256:${"A".repeat(64)}`, "Nginx:1"]) {
      const f = checkDockerfile(`FROM ${image}\nUSER 1\n`, "Dockerfile");
      expect(f.map((x) => x.ruleId), image).toEqual(["dockerfile/base-not-pinned"]);
      expect(f[0]?.message, image).toContain("is not a valid image reference");
    }
  });

  // No `.` in components: a first component with one is a registry host, as it should be.
  const component = fc.stringMatching(/^[a-z0-9]+(?:(?:_|__|-+)[a-z0-9]+)?$/);
  const image = fc.record({
    domain: fc.constantFrom("", "ghcr.io/", "localhost:5000/", "registry.example.com/", "docker.io/"),
    path: fc.array(component, { minLength: 1, maxLength: 3 }).map((c) => c.join("/")),
    tag: fc.option(fc.stringMatching(/^\w[\w.-]{0,20}$/), { nil: undefined }),
  });
  const hex = fc.stringMatching(/^[0-9a-f]{64}$/);

  it("property: adding a valid sha256 digest always satisfies the pinning rules, and leaving it out never does", () => {
    fc.assert(
      fc.property(image, hex, ({ domain, path, tag }, digest) => {
        const name = `${domain}${path}${tag === undefined ? "" : `:${tag}`}`;
        fc.pre(path !== "scratch");
        const pinned = ids(`FROM ${name}@sha256:${digest}\nUSER 1000\n`);
        expect(pinned).toEqual([]);
        expect(ids(`FROM ${name}\nUSER 1000\n`)).toContain("dockerfile/base-not-pinned");
      }),
    );
  });

  it("property: a reference parses back into the parts it was built from", () => {
    fc.assert(
      fc.property(image, fc.option(hex, { nil: undefined }), ({ domain, path, tag }, digest) => {
        const text = `${domain}${path}${tag === undefined ? "" : `:${tag}`}${digest === undefined ? "" : `@sha256:${digest}`}`;
        const parsed = parseImageReference(text);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const host = domain === "" ? "docker.io" : domain.slice(0, -1);
        expect(parsed.reference.domain).toBe(host);
        expect(parsed.reference.path).toBe(host === "docker.io" && !path.includes("/") ? `library/${path}` : path);
        expect(parsed.reference.tag).toBe(tag);
        expect(parsed.reference.digest).toBe(digest === undefined ? undefined : `sha256:${digest}`);
      }),
    );
  });
});

describe("ADD sources BuildKit fetches", () => {
  it("flags the JSON form, and not a heredoc's content", () => {
    expect(ids(`FROM alpine:3@${DIGEST}\nUSER 1\nADD ["https://example.com/a.tgz", "/opt/"]\n`)).toEqual(["dockerfile/add-from-url"]);
    expect(ids(`FROM alpine:3@${DIGEST}\nUSER 1\nADD <<EOF /etc/motd\nhttps://example.com/not-a-source\nEOF\n`)).toEqual([]);
    expect(ids(`FROM alpine:3@${DIGEST}\nUSER 1\nARG SRC=https://example.com/a.tgz\nADD \${SRC} /opt/\n`)).toEqual(["dockerfile/add-from-url"]);
  });

  it("tells remote sources from build-context paths as BuildKit's git-ref parser does", () => {
    for (const remote of ["http://example.com/a", "https://example.com/a", "https://github.com/moby/buildkit.git#v0.10.1", "HTTPS://github.com/moby/buildkit.git", "git://example.com/r.git", "ssh://git@example.com/r", "git@github.com:moby/buildkit.git"]) {
      expect(isRemoteAddSource(remote), remote).toBe(true);
    }
    expect(ids(`FROM alpine:3@${DIGEST}\nUSER 1\nADD vendor/repo.git ftp://mirror/a.tgz /src/\n`)).toEqual([]);
    for (const local of ["local.git", "vendor/repo.git", "github.com/moby/buildkit.git", "./x", "HTTPS://example.com/a.tgz", "ftp://example.com/a", "file:/x", "app.tgz"]) {
      expect(isRemoteAddSource(local), local).toBe(false);
    }
  });
});

describe("parser directives, as BuildKit's directive parser reads them", () => {
  // BuildKit (frontend/dockerfile/parser) stops reading directives at the first line that is
  // not `# name=value` with a name it knows (syntax, escape, check): a `# foo=bar` comment
  // above `# escape=` leaves the escape character `\`.
  const body = `FROM alpine:3@${DIGEST}\nRUN echo \\\nUSER 0\n`;

  it("reads `# escape=` after syntax and check directives", () => {
    // With ` as the escape character, `\` ends the RUN line and USER 0 is an instruction.
    expect(ids(`# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=\`\n${body}`)).toEqual(["dockerfile/runs-as-root"]);
  });

  it("ignores `# escape=` after a comment that is no known directive", () => {
    // With `\`, the RUN line continues: `USER 0` is part of the echo, and the stage sets no USER.
    for (const comment of ["# foo=bar", "# a-b=c", "# note: build me"]) {
      expect(ids(`${comment}\n# escape=\`\n${body}`), comment).toEqual(["dockerfile/missing-user"]);
    }
  });
});

describe("FROM naming an earlier stage, as BuildKit's dispatcher looks it up", () => {
  // dockerfile2llb addState: stage names are stored lower-cased, but the FROM word is looked up
  // as written, among the stages before it; a later stage of the same name replaces an earlier one.
  it("a FROM word in other case than the lower-cased stage name is an image reference, which BuildKit refuses", () => {
    const f = checkDockerfile(`FROM alpine:3@${DIGEST} AS base\nUSER 1000\nFROM BASE\n`, "Dockerfile");
    expect(f.filter((x) => x.ruleId === "dockerfile/base-not-pinned").map((x) => [x.position?.line, x.message])).toEqual([[3, "base image BASE is not a valid image reference, as its repository path is not lowercase letters, digits and separators . _ __ -: the build fails to pull it, and it pins nothing"]]);
    // `AS Base` is stored as `base`, so `FROM base` finds it.
    expect(ids(`FROM alpine:3@${DIGEST} AS Base\nUSER 1000\nFROM base\n`)).toEqual([]);
  });

  it("the last earlier stage of a name is the one FROM builds on", () => {
    expect(ids(`FROM alpine:3@${DIGEST} AS base\nUSER 0\nFROM alpine:3@${DIGEST} AS base\nUSER 1000\nFROM base\n`)).toEqual([]);
    expect(ids(`FROM alpine:3@${DIGEST} AS base\nUSER 1000\nFROM alpine:3@${DIGEST} AS base\nUSER root\nFROM base\n`)).toEqual(["dockerfile/runs-as-root"]);
  });
});

describe("users created by RUN in exec (JSON) form", () => {
  it("reads useradd run directly and through `sh -c`", () => {
    for (const run of [`["useradd", "-u", "1001", "-c", "The App", "app"]`, `["/bin/sh", "-c", "useradd -u 1001 app"]`]) {
      const f = checkDockerfile(`FROM debian:12@${DIGEST}\nRUN ${run}\nUSER app\n`, "Dockerfile");
      expect(f.map((x) => [x.ruleId, x.properties?.uid]), run).toEqual([["dockerfile/non-numeric-user", 1001]]);
    }
  });

  it("reads the script as sh and bash read their options: a `c` in any option group, `-o` taking a word", () => {
    const runs = [
      `["sh", "-ec", "useradd -u 1001 app"]`,
      `["bash", "-lc", "useradd -u 1001 app"]`,
      `["/bin/sh", "-e", "-c", "useradd -u 1001 app"]`,
      `["/bin/sh", "-c", "-e", "useradd -u 1001 app"]`,
      `["bash", "-o", "pipefail", "-c", "useradd -u 1001 app"]`,
      `["bash", "--norc", "-xc", "useradd -u 1001 app"]`,
    ];
    for (const run of runs) {
      const f = checkDockerfile(`FROM debian:12@${DIGEST}\nRUN ${run}\nUSER app\n`, "Dockerfile");
      expect(f.map((x) => [x.ruleId, x.properties?.uid]), run).toEqual([["dockerfile/non-numeric-user", 1001]]);
    }
  });

  it("reads no script where no shell runs one: useradd's own -c is its comment", () => {
    const f = checkDockerfile(`FROM debian:12@${DIGEST}\nRUN ["useradd", "-c", "useradd -u 0 root2", "-u", "1001", "app"]\nUSER app\n`, "Dockerfile");
    expect(f.map((x) => [x.ruleId, x.properties?.uid])).toEqual([["dockerfile/non-numeric-user", 1001]]);
  });
});
