/**
 * A request on one Namespace object is made in that namespace: the API server's
 * RequestInfoFactory (apiserver/pkg/endpoints/request/requestinfo.go) reads
 * /api/v1/namespaces/NAME[/status|/finalize] with namespace NAME, so a RoleBinding in NAME
 * can grant get, update, patch and delete on the Namespace NAME itself.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isNamespaceObjectRequest, namespaceOfNamespaceObject, requestNamespace, type NamespaceChoice } from "../../../src/access/rbac/namespace-object.js";
import { resolveResource } from "../../../src/access/rbac/resources.js";
import { impersonatedUser } from "../../../src/access/rbac/subjects.js";
import type { ResourceRequest } from "../../../src/access/rbac/types.js";
import { authorizer, clusterRole, role, roleBinding, userSubject } from "./helpers.js";

function namespacesRequest(verb: string, name: string, subresource = "", choice: NamespaceChoice = {}): ResourceRequest & { warning?: string } {
  const resolved = resolveResource("namespaces", subresource);
  const attributes = { verb, apiGroup: resolved.group, resource: resolved.resource, subresource: resolved.subresource, name };
  const { namespace, warning } = requestNamespace(attributes, resolved.namespaced, choice);
  return { kind: "resource", ...attributes, namespace, ...(warning ? { warning } : {}) };
}

describe("which requests on namespaces name one Namespace object", () => {
  it("get, update, patch, delete and watch of a named Namespace, and its status and finalize subresources", () => {
    for (const verb of ["get", "update", "patch", "delete", "watch"]) {
      expect(namespaceOfNamespaceObject({ verb, apiGroup: "", resource: "namespaces", subresource: "", name: "team" })).toBe("team");
    }
    expect(namespaceOfNamespaceObject({ verb: "update", apiGroup: "", resource: "namespaces", subresource: "status", name: "team" })).toBe("team");
    expect(namespaceOfNamespaceObject({ verb: "update", apiGroup: "", resource: "namespaces", subresource: "finalize", name: "team" })).toBe("team");
  });

  it("not the collection (create, list, deletecollection), nor a nameless request, another subresource or another resource", () => {
    for (const verb of ["create", "list", "deletecollection"]) expect(namespaceOfNamespaceObject({ verb, apiGroup: "", resource: "namespaces", subresource: "", name: "team" })).toBeUndefined();
    expect(namespaceOfNamespaceObject({ verb: "get", apiGroup: "", resource: "namespaces", subresource: "", name: "" })).toBeUndefined();
    // /api/v1/namespaces/team/pods is the pods of team, not a subresource of the Namespace.
    expect(isNamespaceObjectRequest({ verb: "get", apiGroup: "", resource: "namespaces", subresource: "pods" })).toBe(false);
    expect(namespaceOfNamespaceObject({ verb: "get", apiGroup: "", resource: "nodes", subresource: "", name: "team" })).toBeUndefined();
  });
});

describe("requestNamespace: the namespace the API server authorizes a request in", () => {
  it("a named Namespace is its own namespace, with or without -n; another -n, or -A, is ignored with a warning", () => {
    expect(namespacesRequest("delete", "team")).toMatchObject({ namespace: "team" });
    expect(namespacesRequest("delete", "team").warning).toBeUndefined();
    expect(namespacesRequest("delete", "team", "", { namespace: "team" }).warning).toBeUndefined();
    expect(namespacesRequest("delete", "team", "", { namespace: "other" })).toMatchObject({
      namespace: "team",
      warning: "a request on the Namespace team is made in namespace team, as the API server reads /api/v1/namespaces/team; -n other is ignored",
    });
    expect(namespacesRequest("update", "team", "finalize", { allNamespaces: true })).toMatchObject({ namespace: "team", warning: expect.stringContaining("/api/v1/namespaces/team/finalize; -A is ignored") });
  });

  it("the collection of namespaces and other cluster-scoped resources have no namespace; -n is ignored with a warning", () => {
    expect(namespacesRequest("list", "")).toMatchObject({ namespace: "" });
    expect(namespacesRequest("create", "team", "", { namespace: "team" })).toMatchObject({ namespace: "", warning: "resource namespaces is not namespace scoped; -n team is ignored" });
    expect(requestNamespace({ verb: "get", apiGroup: "", resource: "nodes", subresource: "", name: "n1" }, false, {})).toEqual({ namespace: "" });
  });

  it("namespaced resources take -n, default without it, and -A is every namespace", () => {
    const pods = { verb: "get", apiGroup: "", resource: "pods", subresource: "", name: "" };
    expect(requestNamespace(pods, true, {})).toEqual({ namespace: "default" });
    expect(requestNamespace(pods, true, { namespace: "team" })).toEqual({ namespace: "team" });
    expect(requestNamespace(pods, true, { allNamespaces: true })).toEqual({ namespace: "" });
  });

  /**
   * The URL a client sends for a request on namespaces, and the namespace requestinfo.go
   * parses from it: /namespaces/NAME gives NAME whatever follows when that is a Namespace
   * subresource; the collection /namespaces gives none.
   */
  function urlFor(verb: string, name: string, subresource: string): string | undefined {
    const collection = verb === "create" || verb === "list" || verb === "deletecollection" || name === "";
    if (collection) return subresource ? undefined : "/api/v1/namespaces";
    if (verb === "watch") return subresource ? undefined : `/api/v1/watch/namespaces/${name}`;
    return `/api/v1/namespaces/${name}${subresource ? `/${subresource}` : ""}`;
  }
  function parsedNamespace(url: string): string {
    const parts = url.split("/").filter(Boolean).slice(2);
    if (parts[0] === "watch") parts.shift();
    return parts[0] === "namespaces" && parts.length > 1 ? (parts[1] as string) : "";
  }

  it("whatever -n or -A says, agrees with the namespace the API server parses from the request's URL (property)", () => {
    const name = fc.oneof(fc.constant(""), fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/));
    const choice = fc.oneof(fc.constant({}), fc.record({ namespace: fc.constantFrom("team", "other", "default") }), fc.constant({ allNamespaces: true }));
    fc.assert(
      fc.property(fc.constantFrom("get", "update", "patch", "delete", "watch", "list", "create", "deletecollection"), name, fc.constantFrom("", "status", "finalize"), choice, (verb, n, sub, c) => {
        const url = urlFor(verb, n, sub);
        fc.pre(url !== undefined);
        expect(namespacesRequest(verb, n, sub, c).namespace).toBe(parsedNamespace(url as string));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("can-i and who-can on a named Namespace (QA /tmp/qa-rbac/ns and r2)", () => {
  const nsOwner = [
    role("team", "ns-owner", [{ apiGroups: [""], resources: ["namespaces"], verbs: ["get", "update", "patch", "delete"] }]),
    roleBinding("team", "ns-owner", "Role", "ns-owner", [userSubject("carol")]),
  ];
  const carol = impersonatedUser("carol");

  it("a Role in team on namespaces lets its subjects get, update, patch and delete the Namespace team", () => {
    const a = authorizer(nsOwner);
    for (const verb of ["get", "update", "patch", "delete"]) {
      const decision = a.authorize(carol, namespacesRequest(verb, "team", "", { namespace: "other" }));
      expect(decision.allowed, verb).toBe(true);
      if (decision.allowed && !decision.superuser) expect(`${decision.grant.binding.kind} ${decision.grant.binding.namespace}/${decision.grant.binding.name}`).toBe("RoleBinding team/ns-owner");
    }
    expect(a.whoCan(namespacesRequest("delete", "team")).map((e) => `${e.subject.kind} ${e.subject.name}`)).toEqual(["Group system:masters", "User carol"]);
  });

  it("but not another Namespace, the list of namespaces, or creating one", () => {
    const a = authorizer(nsOwner);
    expect(a.authorize(carol, namespacesRequest("delete", "prod")).allowed).toBe(false);
    expect(a.authorize(carol, namespacesRequest("list", "", "", { namespace: "team" })).allowed).toBe(false);
    expect(a.authorize(carol, namespacesRequest("create", "team", "", { namespace: "team" })).allowed).toBe(false);
  });

  it("a ClusterRole of * bound by a RoleBinding in team reaches the Namespace team and its status and finalize", () => {
    const a = authorizer([clusterRole("all", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]), roleBinding("team", "all", "ClusterRole", "all", [userSubject("carol")])]);
    expect(a.authorize(carol, namespacesRequest("delete", "team")).allowed).toBe(true);
    expect(a.authorize(carol, namespacesRequest("update", "team", "finalize")).allowed).toBe(true);
    expect(a.authorize(carol, namespacesRequest("patch", "team", "status")).allowed).toBe(true);
  });
});
