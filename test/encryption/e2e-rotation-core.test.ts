import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeOrigin, inspectValue, rotationAction, StatusAccumulator, type StoredValueCodec } from "../../src/encryption/rotation.js";
import { keyLocator, locateKey, normalizePrefix } from "../../src/encryption/rotation-keys.js";
import { prefixEnd } from "../../src/adapters/etcd-client.js";

/** The pure pieces under `etcd status|rotate`: key layout, classification, prefix ranges. */

describe("etcd key -> resource, as kube-apiserver lays keys out", () => {
  it("maps the compiled-in special prefixes", () => {
    expect(locateKey("/registry", "/registry/services/specs/default/kubernetes")).toEqual({ group: "", resource: "services", objectPath: "default/kubernetes" });
    expect(locateKey("/registry", "/registry/services/endpoints/default/kubernetes")).toMatchObject({ group: "", resource: "endpoints" });
    expect(locateKey("/registry", "/registry/minions/node-1")).toMatchObject({ group: "", resource: "nodes", objectPath: "node-1" });
    expect(locateKey("/registry", "/registry/controllers/default/rc")).toMatchObject({ group: "", resource: "replicationcontrollers" });
    expect(locateKey("/registry", "/registry/ingress/default/web")).toMatchObject({ group: "networking.k8s.io", resource: "ingresses" });
  });

  it("gives built-ins their group, and reads custom resources as <group>/<resource>", () => {
    expect(locateKey("/registry", "/registry/secrets/kube-system/token")).toEqual({ group: "", resource: "secrets", objectPath: "kube-system/token" });
    expect(locateKey("/registry", "/registry/deployments/default/web")).toMatchObject({ group: "apps", resource: "deployments" });
    expect(locateKey("/registry", "/registry/clusterroles/admin")).toMatchObject({ group: "rbac.authorization.k8s.io", resource: "clusterroles" });
    expect(locateKey("/registry", "/registry/events/default/e1")).toMatchObject({ group: "", resource: "events" });
    expect(locateKey("/registry", "/registry/stable.example.com/crontabs/default/c1")).toEqual({ group: "stable.example.com", resource: "crontabs", objectPath: "default/c1" });
    expect(locateKey("/registry", "/registry/apiregistration.k8s.io/apiservices/v1.apps")).toMatchObject({ group: "apiregistration.k8s.io", resource: "apiservices" });
  });

  it("skips bookkeeping keys and keys outside the prefix", () => {
    expect(locateKey("/registry", "/registry/ranges/serviceips")).toBeUndefined();
    expect(locateKey("/registry", "/registry/masterleases/10.0.0.1")).toBeUndefined();
    expect(locateKey("/registry", "/other/secrets/a/b")).toBeUndefined();
    expect(locateKey("/registry", "/registryx/secrets/a/b")).toBeUndefined();
  });

  it("normalises the prefix as the apiserver does (leading and trailing slash)", () => {
    expect(normalizePrefix("registry")).toBe("/registry/");
    expect(normalizePrefix("/registry/")).toBe("/registry/");
    expect(normalizePrefix("/43da/registry")).toBe("/43da/registry/");
    expect(locateKey("43da/registry", "/43da/registry/secrets/ns/s")).toMatchObject({ resource: "secrets", objectPath: "ns/s" });
  });
});

/** locateKey as it was written first (split and join), kept as the reference for the indexOf version. */
function referenceLocate(prefix: string, key: string): ReturnType<typeof locateKey> {
  const special: Array<[string, { group: string; resource: string }]> = [
    ["services/specs", { group: "", resource: "services" }],
    ["services/endpoints", { group: "", resource: "endpoints" }],
    ["controllers", { group: "", resource: "replicationcontrollers" }],
    ["minions", { group: "", resource: "nodes" }],
    ["ingress", { group: "networking.k8s.io", resource: "ingresses" }],
  ];
  const base = normalizePrefix(prefix);
  if (!key.startsWith(base)) return undefined;
  const rest = key.slice(base.length);
  for (const [s, gr] of special) if (rest.startsWith(`${s}/`)) return { ...gr, objectPath: rest.slice(s.length + 1) };
  const segments = rest.split("/");
  const first = segments[0] ?? "";
  if (first === "" || segments.length < 2 || first === "ranges" || first === "masterleases") return undefined;
  if (first.includes(".")) {
    const resource = segments[1] ?? "";
    if (resource === "" || segments.length < 3) return undefined;
    return { group: first, resource, objectPath: segments.slice(2).join("/") };
  }
  return { group: locateKey("/r", `/r/${first}/x`)!.group, resource: first, objectPath: segments.slice(1).join("/") };
}

describe("keyLocator (one indexOf per key) agrees with the split-based reference", () => {
  it("property: same location or none for keys built from key-like segments", () => {
    const segment = fc.oneof(
      fc.constantFrom("", "secrets", "services", "specs", "endpoints", "controllers", "minions", "ingress", "ranges", "deployments", "a.b.io", "stable.example.com", "x"),
      fc.string({ maxLength: 6 }),
    );
    const locate = keyLocator("/registry");
    let located = 0;
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), fc.boolean(), (segments, underPrefix) => {
        const key = `${underPrefix ? "/registry/" : "/reg/"}${segments.join("/")}`;
        const expected = referenceLocate("/registry", key);
        if (expected) located++;
        expect(locate(key)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
    // Not vacuous: many of the drawn keys are objects (not all undefined on both sides).
    expect(located).toBeGreaterThan(100);
  });
});

describe("prefix range end", () => {
  it("property: every key with the prefix sorts below the range end, and the end does not have the prefix", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (prefix, rest) => {
        const end = prefixEnd(Buffer.from(prefix));
        const key = Buffer.concat([Buffer.from(prefix), Buffer.from(rest)]);
        if (prefix.every((b) => b === 0xff)) {
          // etcd's "to the end of the keyspace"; returning the expect() result made fast-check read it as false.
          expect(end).toEqual(Buffer.from([0]));
          return;
        }
        expect(Buffer.compare(key, end)).toBe(-1);
        expect(end.subarray(0, prefix.length).equals(Buffer.from(prefix))).toBe(false);
      }),
    );
    // The all-0xff prefix is the edge fast-check only sometimes draws: check it every run.
    expect(prefixEnd(Buffer.from([0xff]))).toEqual(Buffer.from([0]));
  });
});

describe("classification", () => {
  const codec = (behaviour: "current" | "stale" | "plain" | "fail"): StoredValueCodec => ({
    async read(_key, _location, value) {
      if (behaviour === "fail") throw new Error("no matching key was found for the provider AES-CBC");
      if (behaviour === "plain") return { plaintext: value, stale: true, origin: { provider: "identity" } };
      return { plaintext: value, stale: behaviour === "stale", origin: { provider: "aescbc", keyName: behaviour === "stale" ? "old" : "new" } };
    },
    async write() {
      return new Uint8Array();
    },
  });

  it("rewrites stale values, keeps current ones, reports unreadable ones", async () => {
    const key = "/registry/secrets/ns/s";
    const current = (await inspectValue(codec("current"), "/registry", key, new Uint8Array([1])))!;
    const stale = (await inspectValue(codec("stale"), "/registry", key, new Uint8Array([1])))!;
    const failed = (await inspectValue(codec("fail"), "/registry", key, new Uint8Array([1])))!;
    expect([rotationAction(current), rotationAction(stale), rotationAction(failed)]).toEqual(["keep", "rewrite", "report"]);
    expect(failed.error).toMatch(/no matching key/);
    expect(await inspectValue(codec("current"), "/registry", "/registry/ranges/serviceips", new Uint8Array())).toBeUndefined();
  });

  it("property: status counts add up and list Secrets by name only", async () => {
    const kinds = ["current", "stale", "plain", "fail"] as const;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...kinds), fc.boolean()), { maxLength: 40 }), async (values) => {
        const acc = new StatusAccumulator();
        let i = 0;
        for (const [kind, secret] of values) {
          const key = `/registry/${secret ? "secrets" : "configmaps"}/ns/obj-${i++}`;
          acc.add((await inspectValue(codec(kind), "/registry", key, new Uint8Array([7])))!);
        }
        const status = acc.result();
        const total = Object.values(status.resources).reduce((n, r) => n + r.total, 0);
        expect(total).toBe(values.length);
        for (const counts of Object.values(status.resources)) {
          expect(Object.values(counts.byWriter).reduce((a, b) => a + b, 0)).toBe(counts.total);
        }
        expect(status.plaintextSecrets.length).toBe(values.filter(([k, s]) => k === "plain" && s).length);
        expect(status.staleSecrets.length).toBe(values.filter(([k, s]) => (k === "plain" || k === "stale") && s).length);
        expect(status.undecryptable.length).toBe(values.filter(([k]) => k === "fail").length);
        for (const name of status.plaintextSecrets) expect(name).toMatch(/^ns\/obj-\d+$/);
      }),
      { numRuns: 100 },
    );
  });

  it("names writers as provider:key", () => {
    expect(describeOrigin({ provider: "identity" })).toBe("identity");
    expect(describeOrigin({ provider: "aesgcm", keyName: "k1" })).toBe("aesgcm:k1");
    expect(describeOrigin({ provider: "kms", keyName: "vault", kmsApiVersion: "v2" })).toBe("kms:v2:vault");
  });
});
