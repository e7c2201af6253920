import { readFileSync } from "node:fs";
import { join } from "node:path";
import { conformancePath } from "../support/conformance.js";

/** vectors.json from ../shared/conformance/encryption, read in place (never copied). */
export interface Vectors {
  cases: Array<{
    id: string;
    provider: "aescbc" | "aesgcm" | "secretbox";
    keyName: string;
    keyBase64: string;
    etcdKey: string;
    plaintextBase64: string | null;
    storedBase64: string;
    expectDecryptError: boolean;
  }>;
  kms: {
    fakePlugins: Record<string, { keyID: string; annotations: Record<string, string>; kekBase64?: string; statusResponse: { version: string; healthz: string; keyID: string } }>;
    v2: { cases: KmsCase[] };
    v1: { cases: Array<KmsCase & { expectStale: boolean | null }> };
  };
  chains: {
    configs: Record<string, unknown[]>;
    cases: Array<{ id: string; config: string; etcdKey: string; storedBase64: string; expectDecryptError: boolean; plaintextBase64: string | null; expectStale: boolean | null; errorHint?: string }>;
  };
  upstream: Array<Record<string, unknown> & { id: string }>;
}

export interface KmsCase {
  id: string;
  plugin: string;
  providerName: string;
  etcdKey: string;
  plaintextBase64: string | null;
  storedBase64: string;
  expectDecryptError: boolean;
}

const dir = conformancePath("encryption");
export const vectors: Vectors | undefined = dir ? (JSON.parse(readFileSync(join(dir, "vectors.json"), "utf8")) as Vectors) : undefined;

export const b64 = (text: string | null | undefined): Uint8Array => new Uint8Array(Buffer.from(text ?? "", "base64"));
