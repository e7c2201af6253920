import { randomBytes } from "node:crypto";

/**
 * Where IVs, nonces, DEKs and seeds come from. The default is the system CSPRNG, as
 * upstream; tests and benchmarks may pass a deterministic source to get fixed output.
 */
export type RandomSource = (length: number) => Uint8Array;

export const systemRandom: RandomSource = (length) => {
  const bytes = randomBytes(length);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};
