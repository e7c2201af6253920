import { describe, expect, it } from "vitest";
import { apiGroupMatches, nonResourceURLMatches, resourceMatches, resourceNameMatches, ruleAllows, verbMatches } from "../../../src/access/rbac/matching.js";
import { res, rule, url } from "./helpers.js";

describe("VerbMatches", () => {
  it("matches the verb itself or *", () => {
    expect(verbMatches(rule({ verbs: ["get", "list"] }), "list")).toBe(true);
    expect(verbMatches(rule({ verbs: ["*"] }), "impersonate")).toBe(true);
    expect(verbMatches(rule({ verbs: ["get"] }), "watch")).toBe(false);
  });
  it("is case-sensitive and not a prefix match", () => {
    expect(verbMatches(rule({ verbs: ["Get"] }), "get")).toBe(false);
    expect(verbMatches(rule({ verbs: ["ge*"] }), "get")).toBe(false);
  });
});

describe("APIGroupMatches", () => {
  it("treats \"\" as the core group only and * as every group", () => {
    expect(apiGroupMatches(rule({ verbs: ["get"], apiGroups: [""] }), "")).toBe(true);
    expect(apiGroupMatches(rule({ verbs: ["get"], apiGroups: [""] }), "apps")).toBe(false);
    expect(apiGroupMatches(rule({ verbs: ["get"], apiGroups: ["*"] }), "apps")).toBe(true);
    expect(apiGroupMatches(rule({ verbs: ["get"], apiGroups: ["*"] }), "")).toBe(true);
    expect(apiGroupMatches(rule({ verbs: ["get"], apiGroups: [] }), "")).toBe(false);
  });
});

describe("ResourceMatches", () => {
  const r = (...resources: string[]) => rule({ verbs: ["get"], resources });
  it("* matches resources and every subresource", () => {
    expect(resourceMatches(r("*"), "pods", "")).toBe(true);
    expect(resourceMatches(r("*"), "pods/exec", "exec")).toBe(true);
  });
  it("a resource does not cover its subresources", () => {
    expect(resourceMatches(r("pods"), "pods/exec", "exec")).toBe(false);
    expect(resourceMatches(r("pods/exec"), "pods/exec", "exec")).toBe(true);
    expect(resourceMatches(r("pods/exec"), "pods", "")).toBe(false);
  });
  it("*/scale matches the scale subresource of any resource, and nothing else", () => {
    expect(resourceMatches(r("*/scale"), "deployments/scale", "scale")).toBe(true);
    expect(resourceMatches(r("*/scale"), "deployments", "")).toBe(false);
    expect(resourceMatches(r("*/scale"), "deployments/status", "status")).toBe(false);
    expect(resourceMatches(r("*/scale"), "x/rescale", "rescale")).toBe(false);
  });
  it("pods/* is not a wildcard", () => {
    expect(resourceMatches(r("pods/*"), "pods/exec", "exec")).toBe(false);
    expect(resourceMatches(r("pods/*"), "pods/*", "*")).toBe(true);
  });
});

describe("ResourceNameMatches", () => {
  it("no names allows every name, including the empty name of list and create", () => {
    expect(resourceNameMatches(rule({ verbs: ["get"] }), "")).toBe(true);
    expect(resourceNameMatches(rule({ verbs: ["get"] }), "x")).toBe(true);
  });
  it("names restrict to those names; a nameless request never matches", () => {
    const named = rule({ verbs: ["get"], resourceNames: ["a", "b"] });
    expect(resourceNameMatches(named, "a")).toBe(true);
    expect(resourceNameMatches(named, "c")).toBe(false);
    expect(resourceNameMatches(named, "")).toBe(false);
  });
});

describe("NonResourceURLMatches", () => {
  const u = (...nonResourceURLs: string[]) => rule({ verbs: ["get"], nonResourceURLs });
  it("matches exactly, by * and by trailing-* prefix", () => {
    expect(nonResourceURLMatches(u("/healthz"), "/healthz")).toBe(true);
    expect(nonResourceURLMatches(u("/healthz"), "/healthz/etcd")).toBe(false);
    expect(nonResourceURLMatches(u("*"), "/anything")).toBe(true);
    expect(nonResourceURLMatches(u("/api/*"), "/api/v1")).toBe(true);
    expect(nonResourceURLMatches(u("/api/*"), "/api/")).toBe(true);
    expect(nonResourceURLMatches(u("/api/*"), "/api")).toBe(false);
    expect(nonResourceURLMatches(u("/healthz*"), "/healthzfoo")).toBe(true);
    expect(nonResourceURLMatches(u("/logs**"), "/logsx")).toBe(true);
  });
  it("a * in the middle is literal", () => {
    expect(nonResourceURLMatches(u("/a/*/b"), "/a/x/b")).toBe(false);
  });
});

describe("RuleAllows", () => {
  it("needs verb, group, resource and name to match for resource requests", () => {
    const r = rule({ verbs: ["get"], apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["web"] });
    expect(ruleAllows(res("get", "deployments", { group: "apps", name: "web" }), r)).toBe(true);
    expect(ruleAllows(res("get", "deployments", { group: "", name: "web" }), r)).toBe(false);
    expect(ruleAllows(res("list", "deployments", { group: "apps" }), r)).toBe(false);
    expect(ruleAllows(res("get", "deployments", { group: "apps", name: "db" }), r)).toBe(false);
  });
  it("a resource rule never allows a non-resource URL and vice versa", () => {
    expect(ruleAllows(url("get", "/healthz"), rule({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }))).toBe(false);
    expect(ruleAllows(res("get", "pods"), rule({ verbs: ["*"], nonResourceURLs: ["*"] }))).toBe(false);
  });
});
