/**
 * The spec fields of a CertificateSigningRequest that the API server cannot decode. A value of
 * the wrong JSON type (a string for expirationSeconds, usages as a string) is the manifest
 * family's to report (manifest/wrong-type, manifest/string-expected: the one check of every
 * field's type), so the CSR rules stay quiet on such an object, which no validation and no
 * signer ever sees. What that check cannot see is a whole number past int32, which
 * encoding/json refuses for expirationSeconds: that is reported here, with the decoder's error.
 */
import type { FieldPath } from "../../k8s/types.js";

export interface DecodeError {
  path: FieldPath;
  message: string;
}

interface SpecFields {
  signerName: unknown;
  usages: unknown;
  expirationSeconds: unknown;
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

const present = (value: unknown) => value !== undefined && value !== null;

/** A field of the wrong JSON type: the manifest family reports it. */
export function hasTypeError(spec: SpecFields): boolean {
  if (present(spec.signerName) && typeof spec.signerName !== "string") return true;
  if (present(spec.usages) && (!Array.isArray(spec.usages) || spec.usages.some((usage) => typeof usage !== "string"))) return true;
  return present(spec.expirationSeconds) && !Number.isInteger(spec.expirationSeconds);
}

/** expirationSeconds as a whole number int32 cannot hold, with encoding/json's refusal. */
export function int32Overflow(spec: SpecFields): DecodeError | undefined {
  const seconds = spec.expirationSeconds;
  if (typeof seconds !== "number" || !Number.isInteger(seconds) || (seconds <= INT32_MAX && seconds >= INT32_MIN)) return undefined;
  return {
    path: ["spec", "expirationSeconds"],
    message: `CertificateSigningRequest in version "v1" cannot be handled as a CertificateSigningRequest: json: cannot unmarshal number ${String(seconds)} into Go struct field CertificateSigningRequestSpec.spec.expirationSeconds of type int32`,
  };
}
