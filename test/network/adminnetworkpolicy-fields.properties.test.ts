/**
 * Properties of the AdminNetworkPolicy field check: a policy written with the CRDs' fields
 * only has no unknown field; renaming any one of its keys to a name no type has gives exactly
 * one, at that key's path; and the policy is then judged as if the key were not written.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { editDistance } from "../../src/did-you-mean.js";
import type { FieldPath, K8sObject } from "../../src/k8s/types.js";
import { apiTypes } from "../../src/manifest/api-schema.js";
import { checkFields } from "../../src/manifest/field-check.js";
import { ADMIN_POLICY_TYPES } from "../../src/network/adminnetworkpolicy/schema.js";
import { validateAdminNetworkPolicy } from "../../src/network/adminnetworkpolicy/compile.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import { buildPolicySet } from "../../src/network/policy-set.js";

const API = "policy.networking.k8s.io/v1alpha1";

const requirement = fc.oneof(
  fc.record({ key: fc.constantFrom("app", "tier"), operator: fc.constantFrom("In", "NotIn"), values: fc.subarray(["x", "y"], { minLength: 1 }) }),
  fc.record({ key: fc.constant("app"), operator: fc.constantFrom("Exists", "DoesNotExist") }),
);
const selector = fc.record({ matchLabels: fc.dictionary(fc.constantFrom("app", "env", "a.b/c"), fc.constantFrom("x", "y"), { maxKeys: 2 }), matchExpressions: fc.array(requirement, { maxLength: 2 }) }, { requiredKeys: [] });
const namespacedPod = fc.record({ namespaceSelector: selector, podSelector: selector });
const ingressPeer = fc.oneof(selector.map((namespaces) => ({ namespaces })), namespacedPod.map((pods) => ({ pods })));
const egressPeer = (baseline: boolean) =>
  fc.oneof(
    ingressPeer,
    selector.map((nodes) => ({ nodes })),
    fc.subarray(["10.0.0.0/8", "192.168.1.0/24", "fd00::/8"], { minLength: 1 }).map((networks) => ({ networks })),
    ...(baseline ? [] : [fc.subarray(["example.com", "*.kubernetes.io"], { minLength: 1 }).map((domainNames) => ({ domainNames }))]),
  );
const protocol = fc.constantFrom("TCP", "UDP", "SCTP");
const numbered = fc.oneof(
  fc.record({ portNumber: fc.record({ port: fc.integer({ min: 1, max: 65535 }), protocol }, { requiredKeys: ["port"] }) }),
  fc.record({ portRange: fc.record({ start: fc.constant(80), end: fc.constant(90), protocol }, { requiredKeys: ["start", "end"] }) }),
);
// Egress rules may have peers without named ports (networks, nodes, domainNames), which the CEL rule keeps from namedPort.
const port = (peerField: "from" | "to") => (peerField === "from" ? fc.oneof(numbered, fc.record({ namedPort: fc.constantFrom("http", "dns") })) : numbered);
const rule = (actions: string[], peerField: "from" | "to", peer: fc.Arbitrary<Record<string, unknown>>) =>
  fc
    .record(
      { name: fc.constantFrom("r", "allow-dns"), action: fc.constantFrom(...actions), peers: fc.array(peer, { minLength: 1, maxLength: 2 }), ports: fc.array(port(peerField), { minLength: 1, maxLength: 2 }) },
      { requiredKeys: ["action", "peers"] },
    )
    .map(({ peers, ...rest }) => ({ ...rest, [peerField]: peers }));
const subject = fc.oneof(selector.map((namespaces) => ({ namespaces })), namespacedPod.map((pods) => ({ pods })));
const metadata = fc.record({ name: fc.constant("default"), labels: fc.dictionary(fc.constantFrom("team", "x"), fc.constant("y"), { maxKeys: 1 }) }, { requiredKeys: ["name"] });

const adminPolicy: fc.Arbitrary<K8sObject> = fc.oneof(
  fc
    .record({
      metadata,
      spec: fc.record(
        { priority: fc.integer({ min: 0, max: 1000 }), subject, ingress: fc.array(rule(["Allow", "Deny", "Pass"], "from", ingressPeer), { maxLength: 2 }), egress: fc.array(rule(["Allow", "Deny", "Pass"], "to", egressPeer(false)), { maxLength: 2 }) },
        { requiredKeys: ["priority", "subject"] },
      ),
    })
    .map((o) => ({ apiVersion: API, kind: "AdminNetworkPolicy", ...o })),
  fc
    .record({
      metadata,
      spec: fc.record({ subject, ingress: fc.array(rule(["Allow", "Deny"], "from", ingressPeer), { maxLength: 2 }), egress: fc.array(rule(["Allow", "Deny"], "to", egressPeer(true)), { maxLength: 2 }) }, { requiredKeys: ["subject"] }),
    })
    .map((o) => ({ apiVersion: API, kind: "BaselineAdminNetworkPolicy", ...o })),
);

/** Maps whose keys are data, not fields: labels, annotations, matchLabels. */
const FREE_MAPS = new Set(["labels", "annotations", "matchLabels"]);

/** The path of every key of a typed mapping in the object (the keys a person could misspell), but apiVersion and kind, which say what the object is. */
function fieldKeyPaths(object: K8sObject): FieldPath[] {
  return keyPaths(object).filter((path) => path.length > 1 || (path[0] !== "apiVersion" && path[0] !== "kind"));
}

function keyPaths(value: unknown, path: FieldPath = []): FieldPath[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keyPaths(item, [...path, i]));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [[...path, key], ...(FREE_MAPS.has(key) ? [] : keyPaths(item, [...path, key]))]);
}

/** Every field name of every type an AdminNetworkPolicy is made of: a name outside it is unknown wherever it is written. */
const FIELD_NAMES = new Set(
  ["V1LabelSelector", "V1LabelSelectorRequirement", "V1ObjectMeta", ...Object.keys(ADMIN_POLICY_TYPES)].flatMap((model) => Object.keys(apiTypes()[model] ?? {})),
);

function holderAt(object: K8sObject, path: FieldPath): Record<string, unknown> {
  let node: unknown = object;
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[step];
  return node as Record<string, unknown>;
}

/** The object with the key at `path` renamed (in place of the key, order kept) or removed. */
function rewritten(object: K8sObject, path: FieldPath, to: string | undefined): K8sObject {
  const copy = structuredClone(object);
  const holder = holderAt(copy, path);
  const from = path[path.length - 1] as string;
  const entries = Object.entries(holder);
  for (const key of Object.keys(holder)) delete holder[key];
  for (const [key, value] of entries) {
    if (key !== from) holder[key] = value;
    else if (to !== undefined) holder[to] = value;
  }
  return copy;
}

describe("AdminNetworkPolicy field properties", () => {
  it("a policy written with the CRDs' fields only has no unknown field, and the API server accepts it", () => {
    fc.assert(
      fc.property(adminPolicy, (object) => {
        expect(checkFields(object).unknown).toEqual([]);
        expect(validateAdminNetworkPolicy(object, object.kind === "BaselineAdminNetworkPolicy").filter((p) => !p.message.includes("domainNames peer"))).toEqual([]);
      }),
    );
  });

  it("renaming any one key to a name no type has gives exactly one unknown field, at that path, and the policy is judged as without it", () => {
    const unknownName = fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !FIELD_NAMES.has(name) && name !== "__proto__");
    const cases = adminPolicy.chain((object) => fc.tuple(fc.constant(object), fc.constantFrom(...fieldKeyPaths(object)), unknownName));
    fc.assert(
      fc.property(cases, ([object, path, name]) => {
        // A key that is already there (a free map's data) is no rename.
        fc.pre(!(name in holderAt(object, path)));
        const renamed = rewritten(object, path, name);
        expect(checkFields(renamed).unknown.map((u) => u.path)).toEqual([[...path.slice(0, -1), name]]);
        const baseline = object.kind === "BaselineAdminNetworkPolicy";
        expect(validateAdminNetworkPolicy(renamed, baseline)).toEqual(validateAdminNetworkPolicy(rewritten(object, path, undefined), baseline));
      }),
    );
  });

  it("a key with one letter dropped is reported with the key it was, or a sibling as near (`nods` is one letter from pods as from nodes)", () => {
    const cases = adminPolicy.chain((object) => fc.tuple(fc.constant(object), fc.constantFrom(...fieldKeyPaths(object).filter((p) => !FREE_MAPS.has(String(p[p.length - 2]))))).chain(([o, path]) => fc.tuple(fc.constant(o), fc.constant(path), fc.nat(String(path[path.length - 1]).length - 1))));
    fc.assert(
      fc.property(cases, ([object, path, drop]) => {
        const key = String(path[path.length - 1]);
        const typo = key.slice(0, drop) + key.slice(drop + 1);
        fc.pre(typo.length > 0 && !FIELD_NAMES.has(typo));
        const found = checkFields(rewritten(object, path, typo)).unknown;
        expect(found.map((u) => u.path)).toEqual([[...path.slice(0, -1), typo]]);
        const meant = found[0]!.meant!;
        if (meant !== key) expect(editDistance(typo, meant)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe("AdminNetworkPolicy validation on any input", () => {
  it("never throws, and whatever it accepts compiles and evaluates", () => {
    const anyJson = fc.jsonValue({ maxDepth: 3 });
    // A known policy with any one value replaced by any JSON: wrong types at every depth.
    const cases = adminPolicy.chain((object) => fc.tuple(fc.constant(object), fc.constantFrom(...fieldKeyPaths(object)), anyJson));
    fc.assert(
      fc.property(cases, ([object, path, value]) => {
        const copy = structuredClone(object);
        holderAt(copy, path)[String(path[path.length - 1])] = value;
        const baseline = copy.kind === "BaselineAdminNetworkPolicy";
        const set = buildPolicySet([{ object: copy }]);
        if (validateAdminNetworkPolicy(copy, baseline).length === 0) {
          expect(set.policies).toHaveLength(1);
          const pod = { kind: "pod" as const, namespace: "a", name: "p", labels: { app: "x" }, namespaceLabels: { "kubernetes.io/metadata.name": "a" }, ips: ["10.1.2.3"], ports: [] };
          evaluateConnection(set.tiers, { src: pod, dst: pod, protocol: "TCP", port: 80 });
        } else expect(set.refused.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
