import { UserError } from "../../errors.js";
import { isRecord } from "../../k8s/types.js";
import type { JsonWebKeySet } from "./jwt.js";

/**
 * A JWKS document as served by an OIDC provider or /openid/v1/jwks. Private members are
 * refused: a key set with private keys is a leaked signing key, not a verification key.
 */
export function parseJwks(doc: unknown, where: string): JsonWebKeySet {
  if (!isRecord(doc) || !Array.isArray(doc.keys)) throw new UserError(`${where}: expected a JSON Web Key Set ({"keys": [...]})`);
  const keys = doc.keys.map((key, i) => {
    if (!isRecord(key) || typeof key.kty !== "string") throw new UserError(`${where}: keys[${i}] is not a JWK (no kty)`);
    if ("d" in key) {
      throw new UserError(`${where}: keys[${i}] contains private key material`, { hint: "publish only public keys; rotate this key, it has been exposed" });
    }
    return key as JsonWebKeySet["keys"][number];
  });
  if (keys.length === 0) throw new UserError(`${where}: the key set is empty`);
  return { keys };
}
