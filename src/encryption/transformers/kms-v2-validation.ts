import { utf8 } from "../bytes.js";
import { StoredValueError } from "../errors.js";
import { DEK_SOURCE_AES_GCM_KEY, DEK_SOURCE_HKDF_SEED, type EncryptedObject } from "./encrypted-object.js";
import { isDns1123Label, isDns1123Subdomain } from "../../k8s/dns-names.js";

/** Limits from upstream kmsv2/envelope.go; all are inclusive. */
export const KEY_ID_MAX_BYTES = 1024;
export const ENCRYPTED_DEK_SOURCE_MAX_BYTES = 1024;
export const ANNOTATIONS_MAX_BYTES = 32 * 1024;

export function validateKeyId(keyId: string): void {
  if (keyId.length === 0) throw new StoredValueError("failed to validate key id: keyID is empty");
  const size = utf8(keyId).length;
  if (size > KEY_ID_MAX_BYTES) {
    throw new StoredValueError(`failed to validate key id: keyID is ${size} bytes, which exceeds the max size of ${KEY_ID_MAX_BYTES}`);
  }
}

export function validateEncryptedDekSource(source: Uint8Array): void {
  if (source.length === 0) throw new StoredValueError("failed to validate encrypted DEK source: it is empty");
  if (source.length > ENCRYPTED_DEK_SOURCE_MAX_BYTES) {
    throw new StoredValueError(
      `failed to validate encrypted DEK source: it is ${source.length} bytes, which exceeds the max size of ${ENCRYPTED_DEK_SOURCE_MAX_BYTES}`,
    );
  }
}


/** apimachinery's IsFullyQualifiedDomainName: a DNS-1123 subdomain of at least two labels. */
export function isFullyQualifiedDomainName(name: string): boolean {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  if (!isDns1123Subdomain(trimmed)) return false;
  const labels = trimmed.split(".");
  return labels.length >= 2 && labels.every(isDns1123Label);
}

export function validateAnnotations(annotations: Record<string, Uint8Array>): void {
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    if (!isFullyQualifiedDomainName(key)) {
      throw new StoredValueError(`failed to validate annotations: key ${JSON.stringify(key)} is not a fully qualified domain name`);
    }
    total += utf8(key).length + value.length;
  }
  if (total > ANNOTATIONS_MAX_BYTES) {
    throw new StoredValueError(`failed to validate annotations: ${total} bytes exceeds the max size of ${ANNOTATIONS_MAX_BYTES}`);
  }
}

/** Upstream's ValidateEncryptedObject, applied on every read and write. */
export function validateEncryptedObject(object: EncryptedObject): void {
  const type = object.encryptedDekSourceType;
  if (type !== DEK_SOURCE_AES_GCM_KEY && type !== DEK_SOURCE_HKDF_SEED) {
    throw new StoredValueError(`unknown encryptedDEKSourceType: ${type}`);
  }
  if (object.encryptedData.length === 0) throw new StoredValueError("encrypted data is empty");
  validateEncryptedDekSource(object.encryptedDekSource);
  validateKeyId(object.keyId);
  validateAnnotations(object.annotations);
}
