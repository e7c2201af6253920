import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { KmsV1Service, KmsV2Service } from "../../src/encryption/kms-service.js";

/**
 * The two fake KMS plugins of the conformance data (vectors.json `kms.fakePlugins`),
 * implemented from their description, so the KMS transformers are tested against
 * values another implementation wrote.
 */

type Annotations = Record<string, Uint8Array>;

function annotationsFrom(record: Record<string, string>): Annotations {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, "base64"))]));
}

export interface FakePluginSpec {
  keyID: string;
  annotations: Record<string, string>;
  kekBase64?: string;
  statusResponse: { version: string; healthz: string; keyID: string };
}

const toBase64Text = (bytes: Uint8Array): Uint8Array => new Uint8Array(Buffer.from(Buffer.from(bytes).toString("base64"), "ascii"));
const fromBase64Text = (bytes: Uint8Array): Uint8Array => new Uint8Array(Buffer.from(Buffer.from(bytes).toString("ascii"), "base64"));

/** KMS v2: Encrypt returns the base64 text of the plaintext, like upstream's mock plugin. */
export class Base64PluginV2 implements KmsV2Service {
  calls = { status: 0, encrypt: 0, decrypt: 0 };
  constructor(private readonly spec: FakePluginSpec) {}

  async status() {
    this.calls.status++;
    const s = this.spec.statusResponse;
    return { healthz: s.healthz, version: s.version, keyId: s.keyID };
  }

  async encrypt(uid: string, plaintext: Uint8Array) {
    this.calls.encrypt++;
    if (uid === "") throw new Error("uid is required");
    return { ciphertext: toBase64Text(plaintext), keyId: this.spec.keyID, annotations: annotationsFrom(this.spec.annotations) };
  }

  async decrypt(uid: string, req: { ciphertext: Uint8Array; keyId: string }) {
    this.calls.decrypt++;
    if (uid === "") throw new Error("uid is required");
    return fromBase64Text(req.ciphertext);
  }
}

/** KMS v1 flavour of the same mock. */
export class Base64PluginV1 implements KmsV1Service {
  calls = { encrypt: 0, decrypt: 0 };
  async encrypt(plaintext: Uint8Array) {
    this.calls.encrypt++;
    return toBase64Text(plaintext);
  }
  async decrypt(ciphertext: Uint8Array) {
    this.calls.decrypt++;
    return fromBase64Text(ciphertext);
  }
}

/** A fixed AES-256-GCM KEK that binds keyID as additional data. */
export class AesGcmKekPlugin implements KmsV2Service {
  private readonly kek: Buffer;
  constructor(private readonly spec: FakePluginSpec) {
    this.kek = Buffer.from(spec.kekBase64!, "base64");
  }

  async status() {
    const s = this.spec.statusResponse;
    return { healthz: s.healthz, version: s.version, keyId: s.keyID };
  }

  async encrypt(_uid: string, plaintext: Uint8Array) {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.kek, nonce);
    cipher.setAAD(Buffer.from(this.spec.keyID, "utf8"));
    const ciphertext = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { ciphertext: new Uint8Array(ciphertext), keyId: this.spec.keyID, annotations: annotationsFrom(this.spec.annotations) };
  }

  async decrypt(_uid: string, req: { ciphertext: Uint8Array; keyId: string }) {
    const data = Buffer.from(req.ciphertext);
    const decipher = createDecipheriv("aes-256-gcm", this.kek, data.subarray(0, 12));
    decipher.setAAD(Buffer.from(req.keyId, "utf8"));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return new Uint8Array(Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]));
  }
}
