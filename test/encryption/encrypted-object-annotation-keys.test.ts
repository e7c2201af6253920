/**
 * Every annotation key of a stored KMS v2 EncryptedObject reaches validation as an own key,
 * so a key that is not a fully qualified domain name is refused (upstream
 * kmsv2/envelope.go ValidateEncryptedObject -> validateAnnotations), `__proto__` and other
 * Object.prototype names included: `annotations["__proto__"] = v` would set the prototype
 * instead, and the annotation would vanish from validation, the Decrypt request and the DEK
 * cache key.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes, utf8 } from "../../src/encryption/bytes.js";
import { KmsV2Transformer } from "../../src/encryption/transformers/kms-v2.js";
import { decodeEncryptedObject, encodeEncryptedObject } from "../../src/encryption/transformers/encrypted-object.js";
import { isFullyQualifiedDomainName, validateEncryptedObject } from "../../src/encryption/transformers/kms-v2-validation.js";
import { Base64PluginV2 } from "./fake-plugins.js";

const VALID = encodeEncryptedObject({
  encryptedData: Uint8Array.of(1, 2, 3),
  keyId: "key-1",
  encryptedDekSource: Uint8Array.of(4, 5, 6),
  annotations: { "a.example.com": Uint8Array.of(7) },
  encryptedDekSourceType: 1,
});

function lenField(field: number, bytes: Uint8Array): Uint8Array {
  const length: number[] = [];
  let n = bytes.length;
  while (n >= 0x80) {
    length.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  length.push(n);
  return concatBytes(Uint8Array.of((field << 3) | 2), Uint8Array.from(length), bytes);
}

/** `stored` with one more annotations map entry {key, value} (field 4). */
const withAnnotation = (stored: Uint8Array, key: string, value: Uint8Array) => concatBytes(stored, lenField(4, concatBytes(lenField(1, utf8(key)), lenField(2, value))));

const keys = fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "b.example.com"), fc.string({ minLength: 1 }));

describe("EncryptedObject annotation keys", () => {
  it("decodes every key, Object.prototype names included, as an own key with its value", () => {
    fc.assert(
      fc.property(keys, fc.uint8Array({ minLength: 1, maxLength: 8 }), (key, value) => {
        const { annotations } = decodeEncryptedObject(withAnnotation(VALID, key, value));
        expect(Object.prototype.hasOwnProperty.call(annotations, key)).toBe(true);
        expect(Object.getPrototypeOf(annotations)).toBe(Object.prototype);
        expect(Buffer.from(annotations[key]!)).toEqual(Buffer.from(value));
      }),
    );
  });

  it("refuses exactly the keys that are not fully qualified domain names", () => {
    fc.assert(
      fc.property(keys, (key) => {
        const object = decodeEncryptedObject(withAnnotation(VALID, key, Uint8Array.of(1)));
        if (isFullyQualifiedDomainName(key)) expect(() => validateEncryptedObject(object)).not.toThrow();
        else expect(() => validateEncryptedObject(object)).toThrow(`failed to validate annotations: key ${JSON.stringify(key)} is not a fully qualified domain name`);
      }),
    );
  });

  it("a stored value with a __proto__ annotation is not read", async () => {
    const plugin = new Base64PluginV2({ keyID: "k1", annotations: {}, statusResponse: { version: "v2", healthz: "ok", keyID: "k1" } });
    const transformer = new KmsV2Transformer(plugin, "palisade");
    const aad = utf8("/registry/secrets/default/s");
    const stored = await transformer.write(utf8("object"), aad);
    expect(Buffer.from((await transformer.read(stored, aad)).plaintext).toString()).toBe("object");
    await expect(transformer.read(withAnnotation(stored, "__proto__", utf8("x")), aad)).rejects.toThrow('key "__proto__" is not a fully qualified domain name');
  });
});
