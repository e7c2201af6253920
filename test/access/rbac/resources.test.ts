import { describe, expect, it } from "vitest";
import { builtInResources, resolveResource, singularOf } from "../../../src/access/rbac/resources.js";

describe("built-in resources resolve to their group and scope, as discovery says", () => {
  const expected: Array<[string, string, boolean]> = [
    ["csinodes", "storage.k8s.io", false],
    ["csidrivers", "storage.k8s.io", false],
    ["csistoragecapacities", "storage.k8s.io", true],
    ["volumeattachments", "storage.k8s.io", false],
    ["volumeattributesclasses", "storage.k8s.io", false],
    ["runtimeclasses", "node.k8s.io", false],
    ["ingressclasses", "networking.k8s.io", false],
    ["ipaddresses", "networking.k8s.io", false],
    ["servicecidrs", "networking.k8s.io", false],
    ["localsubjectaccessreviews", "authorization.k8s.io", true],
    ["selfsubjectrulesreviews", "authorization.k8s.io", false],
    ["selfsubjectreviews", "authentication.k8s.io", false],
    ["podtemplates", "", true],
    ["componentstatuses", "", false],
    ["bindings", "", true],
    ["validatingadmissionpolicies", "admissionregistration.k8s.io", false],
    ["validatingadmissionpolicybindings", "admissionregistration.k8s.io", false],
    ["mutatingadmissionpolicies", "admissionregistration.k8s.io", false],
    ["mutatingadmissionpolicybindings", "admissionregistration.k8s.io", false],
    ["flowschemas", "flowcontrol.apiserver.k8s.io", false],
    ["prioritylevelconfigurations", "flowcontrol.apiserver.k8s.io", false],
    ["leases", "coordination.k8s.io", true],
    ["endpointslices", "discovery.k8s.io", true],
    ["apiservices", "apiregistration.k8s.io", false],
    ["clustertrustbundles", "certificates.k8s.io", false],
    ["resourceclaims", "resource.k8s.io", true],
    ["resourceslices", "resource.k8s.io", false],
    ["deviceclasses", "resource.k8s.io", false],
  ];
  for (const [resource, group, namespaced] of expected) {
    it(`${resource} -> ${group || "core"}, ${namespaced ? "namespaced" : "cluster-scoped"}`, () => {
      expect(resolveResource(resource)).toEqual({ group, resource, subresource: "", namespaced });
    });
  }

  it("singular names and short names resolve too (csinode, vac, cs)", () => {
    expect(resolveResource("csinode")).toMatchObject({ group: "storage.k8s.io", resource: "csinodes" });
    expect(resolveResource("vac").resource).toBe("volumeattributesclasses");
    expect(resolveResource("ingressclass").resource).toBe("ingressclasses");
    expect(resolveResource("cs").resource).toBe("componentstatuses");
    expect(["networkpolicies", "ingresses", "componentstatuses", "endpoints", "ipaddresses"].map(singularOf)).toEqual(["networkpolicy", "ingress", "componentstatus", "endpoints", "ipaddress"]);
  });

  it("events are core's unless events.k8s.io is named, and namespaced either way", () => {
    expect(resolveResource("events")).toMatchObject({ group: "", namespaced: true });
    expect(resolveResource("events.events.k8s.io")).toMatchObject({ group: "events.k8s.io", namespaced: true });
  });

  it("no alias shadows another resource's plural", () => {
    const plurals = new Set(builtInResources().map((r) => r.resource));
    for (const { resource } of builtInResources()) expect(resolveResource(resource).resource).toBe(resource);
    expect(plurals.size).toBe(builtInResources().length);
  });
});

describe("a resource the table does not know", () => {
  it("without a group: the core group, with a warning", () => {
    const got = resolveResource("foos");
    expect(got).toMatchObject({ group: "", resource: "foos", namespaced: undefined });
    expect(got.warning).toBe('resource type "foos" is not a built-in Kubernetes resource; the answer is for it in the core API group (""). For a custom resource give its group: RESOURCE.GROUP, e.g. widgets.example.com');
  });

  it("with a group, or *, or a built-in: no warning", () => {
    expect(resolveResource("widgets.example.com").warning).toBeUndefined();
    expect(resolveResource("*").warning).toBeUndefined();
    expect(resolveResource("pods/exec").warning).toBeUndefined();
  });
});
