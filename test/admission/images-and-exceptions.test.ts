import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyExceptionsToFindings } from "../../src/admission/exceptions.js";
import { parseImageReference, repositoryAllowed } from "../../src/supplychain/image-reference.js";
import { validateAdmission } from "../../src/admission/pipeline.js";
import { imagesPolicy } from "../../src/admission/policies/images.js";
import type { Finding } from "../../src/findings/types.js";
import { pod, review } from "./fixtures.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const D = "sha256:" + "ab".repeat(32);

describe("image references (distribution grammar, Docker normalisation)", () => {
  it.each([
    ["nginx", { domain: "docker.io", path: "library/nginx" }],
    ["nginx:1.27", { domain: "docker.io", path: "library/nginx", tag: "1.27" }],
    ["bitnami/redis:7", { domain: "docker.io", path: "bitnami/redis", tag: "7" }],
    ["localhost:5000/app", { domain: "localhost:5000", path: "app" }],
    ["registry.example.com:443/team/app:v1@" + D, { domain: "registry.example.com:443", path: "team/app", tag: "v1", digest: D }],
    ["ghcr.io/org/app@" + D, { domain: "ghcr.io", path: "org/app", digest: D }],
    ["index.docker.io/library/nginx", { domain: "docker.io", path: "library/nginx" }],
    ["app@sha512:" + "0f".repeat(64), { domain: "docker.io", path: "library/app", digest: "sha512:" + "0f".repeat(64) }],
    ["app@sha384:" + "0f".repeat(48), { path: "library/app" }],
    // A path of 255 characters, library/ included: the longest the runtime takes (the registry is not counted).
    ["a".repeat(255 - "library/".length), { path: "library/" + "a".repeat(255 - "library/".length) }],
    ["registry.example.com/" + "a".repeat(255), { domain: "registry.example.com", path: "a".repeat(255) }],
    ["[::1]:5000/app", { domain: "[::1]:5000", path: "app" }],
    // Not a host name: the runtime reads the whole name as a path.
    ["reg_istry.com/a", { domain: "", path: "reg_istry.com/a", repository: "reg_istry.com/a" }],
  ])("%s", (text, expected) => {
    const result = parseImageReference(text);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.reference).toMatchObject(expected);
  });

  // "UPPER/app" is valid: an uppercase first component is a registry host, as in Docker.
  it.each([
    "",
    "upper/App",
    "app:",
    "app@sha256:abc",
    "a//b",
    "app:-tag",
    "registry.example.com/App",
    // What distribution's ParseNormalizedNamed refuses besides: an image ID, digests of algorithms the runtimes lack or of the wrong length or case, names over 255 once normalised.
    "ab".repeat(32),
    "app@md5:" + "ab".repeat(16),
    "app@sha256:" + "AB".repeat(32),
    "app@sha512:" + "ab".repeat(32),
    "app@constructor:" + "ab".repeat(32),
    "a".repeat(256 - "library/".length),
    "registry.example.com/" + "a".repeat(256),
    "[::ffff:1.2.3.4]:5000/app",
    "reg_istry.com:5000/a",
  ])("refuses %j", (text) => {
    expect(parseImageReference(text).ok).toBe(false);
  });

  it.each([
    ["redis:alpine:7", /more than one `:`/],
    ["gcr.io/google-samples/redis:alpine:v0.3.6", /more than one `:`/],
    // A second colon beside other faults is judged by the path rule.
    ["UPPER::bad", /not lowercase/],
    ["team/Redis:alpine:7", /not lowercase/],
  ])("says why %j is refused", (text, reason) => {
    const result = parseImageReference(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it("matches allowed registries on whole path components", () => {
    const ref = (t: string) => {
      const r = parseImageReference(t);
      if (!r.ok) throw new Error(r.reason);
      return r.reference;
    };
    expect(repositoryAllowed(ref("ghcr.io/acme/app"), ["ghcr.io/acme"])).toBe(true);
    expect(repositoryAllowed(ref("ghcr.io/acmecorp/app"), ["ghcr.io/acme"])).toBe(false);
    expect(repositoryAllowed(ref("nginx"), ["docker.io/library"])).toBe(true);
    // Host names without case, as DNS compares them; index.docker.io is docker.io.
    expect(repositoryAllowed(ref("Registry.Example.com/team/app"), ["registry.example.com"])).toBe(true);
    expect(repositoryAllowed(ref("registry.example.com/team/app"), ["REGISTRY.example.com/team"])).toBe(true);
    expect(repositoryAllowed(ref("nginx"), ["index.docker.io/library"])).toBe(true);
    expect(repositoryAllowed(ref("registry.example.com/Team/app".toLowerCase()), ["registry.example.com/TEAM"])).toBe(false);
  });

  it("never throws, and what parses prints back to an equivalent reference (property)", () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,6}([._-][a-z0-9]{1,4})?$/);
    const arb = fc.tuple(fc.option(fc.constantFrom("ghcr.io", "localhost:5000", "registry.example.com")), fc.array(component, { minLength: 1, maxLength: 3 }), fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}$/)), fc.boolean());
    fc.assert(
      fc.property(arb, ([domain, parts, tag, withDigest]) => {
        const text = `${domain ? `${domain}/` : ""}${parts.join("/")}${tag ? `:${tag}` : ""}${withDigest ? `@${D}` : ""}`;
        const parsed = parseImageReference(text);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const printed = `${parsed.reference.repository}${parsed.reference.tag ? `:${parsed.reference.tag}` : ""}${parsed.reference.digest ? `@${parsed.reference.digest}` : ""}`;
        expect(parseImageReference(printed)).toEqual(parsed);
      }),
    );
    fc.assert(fc.property(fc.string(), (text) => typeof parseImageReference(text).ok === "boolean"));
  });

  it("the images policy never echoes an image field that is no reference", () => {
    const p = pod("p", "default", { containers: [{ name: "app", image: "deploy:Hunter2Hunter2@registry.example.com/app" }] });
    const decision = validateAdmission(review(p), { policies: [imagesPolicy({ allowedRegistries: [], requireDigest: false, forbidLatest: true }, "enforce")], now: NOW });
    expect(decision.response.status?.message).toContain('container "app" image is not a reference the kubelet can pull, as its digest is malformed');
    expect(JSON.stringify(decision)).not.toContain("Hunter2");
  });

  it("the images policy names each container and rule", () => {
    const policy = imagesPolicy({ allowedRegistries: ["ghcr.io/acme"], requireDigest: true, forbidLatest: true }, "enforce");
    const p = pod("p", "default", { initContainers: [{ name: "init", image: "ghcr.io/acme/init@" + D }], containers: [{ name: "app", image: "ghcr.io/acme/app:latest" }] });
    const decision = validateAdmission(review(p), { policies: [policy], now: NOW });
    expect(decision.records.map((r) => `${r.rule}`).sort()).toEqual(["digest", "latest"]);
    expect(decision.response.status?.message).toContain('container "app"');
  });
});

describe("exceptions applied to scan findings", () => {
  const finding = (ruleId: string, namespace: string, name: string): Finding => ({ ruleId, severity: "high", pillar: "workload", message: "m", object: { kind: "Deployment", name, namespace } });
  it("suppresses matching findings, reports expired and unused exceptions", () => {
    const base = { policy: "pod-security", rule: "hostNamespaces", namespace: "billing", owner: "o", reason: "r" };
    const report = applyExceptionsToFindings(
      [finding("pss/hostNamespaces", "billing", "legacy"), finding("pss/hostNamespaces", "shop", "web")],
      [
        { ...base, id: "live", workload: { kind: "Deployment", name: "legacy" }, expires: new Date("2027-01-01") },
        { ...base, id: "old", expires: new Date("2026-01-01") },
        { ...base, id: "stale", namespace: "nowhere", expires: new Date("2027-01-01") },
      ],
      NOW,
    );
    expect(report.kept.map((f) => f.object?.namespace)).toEqual(["shop"]);
    expect(report.excepted.map((e) => e.exception.id)).toEqual(["live"]);
    expect(report.expired.map((e) => e.id)).toEqual(["old"]);
    expect(report.unused.map((e) => e.id)).toEqual(["stale"]);
  });
});
