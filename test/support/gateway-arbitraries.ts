/** Gateway API objects of any shape where Palisade reads them, for hostile-input properties. */
import fc from "fast-check";
import type { K8sObject } from "../../src/k8s/types.js";

/** Anything, and sometimes the right shape. */
const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(true), fc.constant("LoadBalancer"), fc.constant({ name: "s" }), fc.constant([{ name: "s" }]));

/** Gateway API objects, each field anything or sometimes of the right shape one level down. */
const GW = "gateway.networking.k8s.io/v1";
const some = (shape: fc.Arbitrary<Record<string, unknown>>) => fc.oneof(value, fc.array(fc.oneof(value, shape), { maxLength: 2 }));
/** A label selector whose parts are anything: the API would refuse most, and none may throw. */
const selector = fc.record({ matchLabels: value, matchExpressions: fc.oneof(value, fc.array(fc.record({ key: value, operator: fc.oneof(value, fc.constantFrom("In", "Gt")), values: value }), { maxLength: 2 })) });
const listener = fc.record({ name: value, port: value, protocol: fc.oneof(value, fc.constantFrom("HTTP", "http", "TLS")), hostname: value, allowedRoutes: fc.oneof(value, fc.record({ namespaces: fc.oneof(value, fc.record({ from: fc.oneof(value, fc.constantFrom("All", "Selector")), selector: fc.oneof(value, selector) })), kinds: value })) });
const backendRef = fc.record({ name: value, namespace: value, kind: value, group: value, weight: value, filters: some(fc.record({ requestMirror: fc.oneof(value, fc.record({ backendRef: value })), externalAuth: value })) });
export const gatewayObjects = fc.tuple(some(listener), value, some(fc.record({ name: fc.constant("g"), namespace: value, kind: value, group: value, sectionName: value, port: value })), value, some(fc.record({ backendRefs: some(backendRef), filters: value })), value, some(fc.record({ group: fc.oneof(value, fc.constant("")), kind: fc.oneof(value, fc.constant("Service")), name: value }))).map(
  ([listeners, allowedListeners, parentRefs, hostnames, rules, from, to]): K8sObject[] => [
    { apiVersion: GW, kind: "Gateway", metadata: { name: "g", namespace: "n" }, spec: { listeners, allowedListeners } },
    { apiVersion: GW, kind: "ListenerSet", metadata: { name: "g", namespace: "n" }, spec: { parentRef: allowedListeners, listeners } },
    { apiVersion: GW, kind: "HTTPRoute", metadata: { name: "r", namespace: "n" }, spec: { parentRefs, hostnames, rules } },
    { apiVersion: GW, kind: "ReferenceGrant", metadata: { name: "rg", namespace: "n" }, spec: { from, to } },
    { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "n" }, spec: { selector: { app: "a" } } },
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "n" }, spec: { template: { metadata: { labels: { app: "a" } }, spec: { containers: [{ name: "c", image: "i" }] } } } },
  ],
);

