/**
 * Services as kube-proxy forwards them: which backends a Service port reaches and on which
 * pod port, from its selector or from the EndpointSlices (or Endpoints) written for it,
 * and the addresses it answers at.
 */
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import type { K8sObject, LoadedObject } from "../../src/k8s/types.js";
import type { Endpoints } from "../../src/network/endpoints.js";
import type { PodEndpoint } from "../../src/network/model.js";
import { readServices, routeThroughService, serviceAtAddress, type ServiceView } from "../../src/network/services.js";

function pod(namespace: string, name: string, labels: Record<string, string>, ports: PodEndpoint["ports"], ips: string[] = []): PodEndpoint {
  return { kind: "pod", namespace, name, labels, namespaceLabels: { "kubernetes.io/metadata.name": namespace }, ips, ports, workload: `Deployment/${name}` };
}

function endpointsOf(pods: PodEndpoint[]): Endpoints {
  return { workloads: pods.map((endpoint) => ({ endpoint, source: { object: { kind: "Pod" } } as LoadedObject, podNames: [], folded: [] })), namespaces: new Map() };
}

const loaded = (objects: K8sObject[]): LoadedObject[] => objects.map((object) => ({ object }) as LoadedObject);
const svc = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): K8sObject => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "shop" }, spec, ...(status ? { status } : {}) });
const only = (objects: K8sObject[]): ServiceView => readServices(loaded(objects))[0]!;

const PODS = [
  pod("shop", "api-v1", { app: "api", track: "stable" }, [{ name: "http", port: 8080, protocol: "TCP" }], ["10.0.0.5"]),
  // Same labels, but its http port is UDP and it names 8443 "https": not a backend of targetPort http/TCP.
  pod("shop", "api-v2", { app: "api", track: "canary" }, [{ name: "http", port: 8081, protocol: "UDP" }, { name: "https", port: 8443, protocol: "TCP" }], ["10.0.0.6"]),
  pod("other", "api", { app: "api" }, [{ name: "http", port: 9999, protocol: "TCP" }], ["10.0.1.5"]),
];

describe("Service routing", () => {
  it("forwards a named target port to each selected pod's port of that name and protocol, in the Service's namespace only", () => {
    const service = only([svc("api", { selector: { app: "api" }, ports: [{ name: "web", port: 80, targetPort: "http" }, { name: "tls", port: 443, targetPort: "https" }] })]);
    const web = routeThroughService(service, "TCP", 80, endpointsOf(PODS), []);
    expect(web.via).toBe("selector");
    expect(web.backends.map((b) => [(b.endpoint as PodEndpoint).name, b.port])).toEqual([["api-v1", 8080]]);
    expect(web.notServing).toEqual([{ endpoint: "shop/api-v2[Deployment]", reason: "declares no container port named http for TCP" }]);
    const tls = routeThroughService(service, "TCP", 443, endpointsOf(PODS), []);
    expect(tls.backends.map((b) => [(b.endpoint as PodEndpoint).name, b.port])).toEqual([["api-v2", 8443]]);
  });

  it("defaults targetPort to the port and protocol to TCP, forwards a numeric target to every selected pod, and matches the protocol asked", () => {
    const service = only([svc("api", { selector: { track: "stable" }, ports: [{ port: 80 }, { port: 80, protocol: "UDP", targetPort: 5353 }] })]);
    expect(routeThroughService(service, "TCP", 80, endpointsOf(PODS), []).backends.map((b) => b.port)).toEqual([80]);
    expect(routeThroughService(service, "UDP", 80, endpointsOf(PODS), []).backends.map((b) => b.port)).toEqual([5353]);
    expect(() => routeThroughService(service, "SCTP", 80, endpointsOf(PODS), [])).toThrow(/has no port 80\/SCTP/);
    expect(() => routeThroughService(service, "TCP", 81, endpointsOf(PODS), [])).toThrow(UserError);
    expect(() => routeThroughService(service, "ICMP", undefined, endpointsOf(PODS), [])).toThrow(/forwards TCP, UDP and SCTP ports only/);
  });

  it("leaves a headless Service's ports alone: the pods are reached on the port asked, ICMP included", () => {
    const service = only([svc("db", { clusterIP: "None", selector: { app: "api" }, ports: [{ port: 5432, targetPort: "http" }] })]);
    expect(service.headless).toBe(true);
    expect(service.addresses).toEqual([]);
    const route = routeThroughService(service, "TCP", 7000, endpointsOf(PODS), []);
    expect(route.servicePort).toBeUndefined();
    expect(route.backends.map((b) => b.port)).toEqual([7000, 7000]);
    expect(routeThroughService(service, "ICMP", undefined, endpointsOf(PODS), []).backends.map((b) => b.port)).toEqual([undefined, undefined]);
  });

  it("refuses an ExternalName Service, and one with no selector (or an empty one) and no endpoints written for it", () => {
    expect(() => routeThroughService(only([svc("ext", { type: "ExternalName", externalName: "db.example.com" })]), "TCP", 80, endpointsOf(PODS), [])).toThrow(/ExternalName: DNS answers with db.example.com/);
    const empty = only([svc("manual", { selector: {}, ports: [{ port: 80 }] })]);
    expect(empty.selector).toBeUndefined();
    expect(() => routeThroughService(empty, "TCP", 80, endpointsOf(PODS), [])).toThrow(/no selector, and the input holds no EndpointSlice or Endpoints/);
  });

  it("reads a selector-less Service's EndpointSlices: the port of the Service port's name, pods by address, others outside, not-ready ones left out", () => {
    const service = svc("kubernetes", { ports: [{ name: "https", port: 443, targetPort: 6443 }] });
    const slice = (name: string, namespace: string, serviceName: string, body: Record<string, unknown>): K8sObject => ({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name, namespace, labels: { "kubernetes.io/service-name": serviceName } }, addressType: "IPv4", ...body } as K8sObject);
    const objects = loaded([
      service,
      slice("k-1", "shop", "kubernetes", { ports: [{ name: "https", port: 6443, protocol: "TCP" }, { name: "other", port: 1 }], endpoints: [{ addresses: ["192.0.2.10"] }, { addresses: ["10.0.0.5"], conditions: { ready: true } }, { addresses: ["192.0.2.11"], conditions: { ready: false } }] }),
      // Another Service's slice, and one of another namespace: not this Service's.
      slice("x-1", "shop", "x", { ports: [{ name: "https", port: 1 }], endpoints: [{ addresses: ["192.0.2.99"] }] }),
      slice("k-2", "other", "kubernetes", { ports: [{ name: "https", port: 1 }], endpoints: [{ addresses: ["192.0.2.98"] }] }),
    ]);
    const route = routeThroughService(only([service]), "TCP", 443, endpointsOf(PODS), objects);
    expect(route.via).toBe("EndpointSlice");
    expect(route.backends).toEqual([{ endpoint: { kind: "external", ip: "192.0.2.10" }, port: 6443 }, { endpoint: PODS[0], port: 6443 }]);
    expect(route.notServing).toEqual([{ endpoint: "192.0.2.11", reason: "is not ready at 192.0.2.11" }]);
  });

  it("reads an Endpoints object when no EndpointSlice is there, an unnamed port by its empty name", () => {
    const service = svc("legacy", { ports: [{ port: 5432 }] });
    const endpoints: K8sObject = { apiVersion: "v1", kind: "Endpoints", metadata: { name: "legacy", namespace: "shop" }, subsets: [{ addresses: [{ ip: "192.0.2.20" }], notReadyAddresses: [{ ip: "192.0.2.21" }], ports: [{ port: 15432 }] }] } as K8sObject;
    const route = routeThroughService(only([service]), "TCP", 5432, endpointsOf(PODS), loaded([service, endpoints]));
    expect(route.via).toBe("Endpoints");
    expect(route.backends).toEqual([{ endpoint: { kind: "external", ip: "192.0.2.20" }, port: 15432 }]);
    expect(route.notServing.map((n) => n.endpoint)).toEqual(["192.0.2.21"]);
  });

  it("answers at its cluster IPs, external IPs and load balancer addresses (not one that proxies itself), compared as addresses", () => {
    const service = only([
      svc("api", { type: "LoadBalancer", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10", "fd00:96::a"], externalIPs: ["198.51.100.7"], selector: { app: "api" }, ports: [{ port: 80 }] }, { loadBalancer: { ingress: [{ ip: "203.0.113.1" }, { ip: "203.0.113.2", ipMode: "Proxy" }, { hostname: "lb.example.com" }] } }),
    ]);
    expect(service.addresses).toEqual(["10.96.0.10", "fd00:96::a", "198.51.100.7", "203.0.113.1"]);
    expect(service.published).toBe(true);
    const services = [service];
    expect(serviceAtAddress(services, "fd00:96:0::000a")?.name).toBe("api");
    expect(serviceAtAddress(services, "203.0.113.1")?.name).toBe("api");
    expect(serviceAtAddress(services, "203.0.113.2")).toBeUndefined();
    expect(serviceAtAddress(services, "10.96.0.11")).toBeUndefined();
    expect(only([svc("internal", { clusterIP: "10.96.0.20", ports: [{ port: 80 }] })]).published).toBe(false);
  });
});
