/**
 * The spec fields of a CertificateSigningRequest whose JSON type the API server cannot decode
 * (a string for expirationSeconds, a number past int32, a usages string instead of a list):
 * kube-apiserver refuses the whole object before validating it, with encoding/json's error.
 * Only the first such field is reported, as the decoder returns only its first error.
 */
import type { FieldPath } from "../../k8s/types.js";

export interface DecodeError {
  path: FieldPath;
  message: string;
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

/** encoding/json's name for the JSON value it could not store ("number 600.5", "string"...). */
function jsonKind(value: unknown): string {
  if (typeof value === "number") return `number ${String(value)}`;
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

function cannotUnmarshal(field: string, goType: string, value: unknown): string {
  return `CertificateSigningRequest in version "v1" cannot be handled as a CertificateSigningRequest: json: cannot unmarshal ${jsonKind(value)} into Go struct field CertificateSigningRequestSpec.spec.${field} of type ${goType}`;
}

const present = (value: unknown) => value !== undefined && value !== null;

/** The first spec field the decoder refuses, or undefined. */
export function specDecodeError(spec: { signerName: unknown; usages: unknown; expirationSeconds: unknown }): DecodeError | undefined {
  if (present(spec.signerName) && typeof spec.signerName !== "string") return { path: ["spec", "signerName"], message: cannotUnmarshal("signerName", "string", spec.signerName) };
  if (present(spec.usages)) {
    if (!Array.isArray(spec.usages)) return { path: ["spec", "usages"], message: cannotUnmarshal("usages", "[]v1.KeyUsage", spec.usages) };
    const index = spec.usages.findIndex((usage) => typeof usage !== "string");
    if (index >= 0) return { path: ["spec", "usages", index], message: cannotUnmarshal("usages", "v1.KeyUsage", spec.usages[index]) };
  }
  const seconds = spec.expirationSeconds;
  if (present(seconds) && (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds > INT32_MAX || seconds < INT32_MIN)) {
    return { path: ["spec", "expirationSeconds"], message: cannotUnmarshal("expirationSeconds", "int32", seconds) };
  }
  return undefined;
}
