import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkEncryptionConfigurationObject, encryptionFindings, transformersFor } from "../../src/encryption/index.js";
import { parseGroupResource } from "../../src/encryption/resources.js";

const noPositions = () => undefined;
const ref = { kind: "EncryptionConfiguration", name: "enc.yaml" };

/** Arbitrary JSON-ish values, to throw at the decoder where a config field is expected. */
const anything = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.string({ maxLength: 12 }),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("keys", "name", "secret", "identity", "kms", "aesgcm", "resources", "providers", "x"), tie("value"), { maxKeys: 3 }),
  ),
})).value;

const providerArb = fc.oneof(
  fc.constant({ identity: {} }),
  fc.record({
    kind: fc.constantFrom("aesgcm", "aescbc", "secretbox"),
    keys: fc.array(fc.record({ name: fc.stringMatching(/^[a-z0-9]{1,6}$/), size: fc.constantFrom(16, 24, 32), bytes: fc.uint8Array({ minLength: 32, maxLength: 32 }) }), { minLength: 1, maxLength: 3 }),
  }).map(({ kind, keys }) => ({ [kind]: { keys: keys.map((k) => ({ name: k.name, secret: Buffer.from(k.bytes.subarray(0, kind === "secretbox" ? 32 : k.size)).toString("base64") })) } })),
  fc.record({ apiVersion: fc.constantFrom("v1", "v2", undefined), name: fc.stringMatching(/^[a-z]{1,8}$/) }).map((k) => ({
    kms: { ...(k.apiVersion ? { apiVersion: k.apiVersion } : {}), name: k.name, endpoint: "unix:///kms.sock" },
  })),
);
const resourceArb = fc.constantFrom("secrets", "configmaps", "*.", "*.*", "*.apps", "deployments.apps", "events", "widgets.example.com");
const configArb = fc.record({
  apiVersion: fc.constant("apiserver.config.k8s.io/v1"),
  kind: fc.constant("EncryptionConfiguration"),
  resources: fc.array(
    fc.record({ resources: fc.uniqueArray(resourceArb, { minLength: 1, maxLength: 3 }), providers: fc.array(providerArb, { minLength: 1, maxLength: 4 }) }),
    { minLength: 1, maxLength: 4 },
  ),
});

function secretsOf(config: { resources: Array<{ providers: Array<Record<string, unknown>> }> }): string[] {
  const out: string[] = [];
  for (const entry of config.resources) {
    for (const p of entry.providers) {
      for (const v of Object.values(p)) {
        const keys = (v as { keys?: Array<{ secret: string }> }).keys ?? [];
        out.push(...keys.map((k) => k.secret));
      }
    }
  }
  return out;
}

describe("property: decoding never throws, whatever the input", () => {
  it("arbitrary values in place of the config and of its fields give problems, not exceptions", () => {
    fc.assert(
      fc.property(anything, anything, (top, inner) => {
        const a = checkEncryptionConfigurationObject(top, "x.yaml", noPositions);
        const b = checkEncryptionConfigurationObject(
          { apiVersion: "apiserver.config.k8s.io/v1", kind: "EncryptionConfiguration", resources: [{ resources: ["secrets"], providers: [inner] }] },
          "x.yaml",
          noPositions,
        );
        for (const check of [a, b]) {
          expect(check.config === undefined || check.problems.length >= 0).toBe(true);
          if (!check.config) expect(check.problems.length).toBeGreaterThan(0);
          for (const p of check.problems) expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("property: generated configs", () => {
  it("valid ones build transformer chains; findings never contain key material", () => {
    fc.assert(
      fc.property(configArb, (raw) => {
        const check = checkEncryptionConfigurationObject(raw, "enc.yaml", noPositions);
        const findings = JSON.stringify(encryptionFindings(check, ref));
        for (const secret of secretsOf(raw)) {
          // Not the key, and not any 8-character piece of it.
          for (let i = 0; i + 8 <= secret.length; i += 4) expect(findings).not.toContain(secret.slice(i, i + 8));
        }
        if (check.problems.length === 0) {
          const t = transformersFor(check.config!);
          for (const r of ["secrets", "configmaps", "deployments.apps", "widgets.example.com"]) expect(t.forResource(r).resource).toBe(r);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a config is refused for masking exactly when a later resource falls under an earlier *.group or *.*", () => {
    fc.assert(
      fc.property(configArb, (raw) => {
        const check = checkEncryptionConfigurationObject(raw, "enc.yaml", noPositions);
        const masked = check.problems.some((p) => p.message.includes("masked by earlier rule"));
        // Only judge configs without other problems (masking is checked last, as at load).
        if (check.problems.some((p) => !p.message.includes("masked by earlier rule"))) return;
        const seen = new Set<string>();
        let expected = false;
        for (const entry of raw.resources) {
          for (const r of entry.resources) {
            const gr = parseGroupResource(r);
            if (seen.has(`*|${gr.group}`) || seen.has("*|*")) expected = true;
            seen.add(`${gr.resource}|${gr.group}`);
          }
        }
        expect(masked).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
