/**
 * Field errors in the shape the API server reports them (apimachinery's field.Error):
 * a type, a dotted field path, the offending value and a detail. Keeping upstream's
 * vocabulary means a message from Palisade reads like the one kube-apiserver gave.
 */

export type FieldErrorType = "Invalid" | "Required" | "Forbidden" | "NotSupported" | "Duplicate";

export interface FieldError {
  type: FieldErrorType;
  /** Dotted path with [index] and [key] parts, e.g. `spec.containers[0].securityContext.privileged`. */
  field: string;
  value?: unknown;
  detail: string;
}

/** A field path being built: `path("spec").child("volumes").index(2)`. */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(...names: string[]): FieldPath {
    return new FieldPath(names.join("."));
  }

  child(...names: string[]): FieldPath {
    return new FieldPath([this.text, ...names].filter((s) => s !== "").join("."));
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

export function invalid(field: FieldPath, value: unknown, detail: string): FieldError {
  return { type: "Invalid", field: field.toString(), value, detail };
}

export function required(field: FieldPath, detail = ""): FieldError {
  return { type: "Required", field: field.toString(), detail };
}

export function forbidden(field: FieldPath, detail: string): FieldError {
  return { type: "Forbidden", field: field.toString(), detail };
}

export function notSupported(field: FieldPath, value: unknown, supported: readonly string[]): FieldError {
  return {
    type: "NotSupported",
    field: field.toString(),
    value,
    detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}`,
  };
}

export function duplicate(field: FieldPath, value: unknown): FieldError {
  return { type: "Duplicate", field: field.toString(), value, detail: "" };
}

function renderValue(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  return JSON.stringify(value);
}

/** `field: Invalid value: true: detail`, as `field.Error.Error()` prints it. */
export function formatFieldError(e: FieldError): string {
  switch (e.type) {
    case "Invalid":
      return `${e.field}: Invalid value: ${renderValue(e.value)}${e.detail ? `: ${e.detail}` : ""}`;
    case "Required":
      return `${e.field}: Required value${e.detail ? `: ${e.detail}` : ""}`;
    case "Forbidden":
      return `${e.field}: Forbidden${e.detail ? `: ${e.detail}` : ""}`;
    case "NotSupported":
      return `${e.field}: Unsupported value: ${renderValue(e.value)}: ${e.detail}`;
    case "Duplicate":
      return `${e.field}: Duplicate value: ${renderValue(e.value)}`;
  }
}
