/**
 * How kube-apiserver decodes an AuthenticationConfiguration before validating it
 * (pkg/kubeapiserver/options/authentication.go loadAuthenticationConfigFromData, with a codec
 * factory built with serializer.EnableStrict): the YAML becomes JSON, is decoded case-sensitively
 * into the versioned Go types, and then
 *   1. a value of the wrong JSON type fails the decoding; Go names only the first one it meets,
 *      and it meets the keys sorted (the YAML-to-JSON step writes maps with sorted keys);
 *   2. otherwise every unknown field is a strict-decoding error ("unknown field ...").
 * Either way the file is not loaded and kube-apiserver does not start. Duplicate keys, the other
 * strict-decoding error, never reach this module: the YAML loader already refuses them.
 *
 * The fields are those of apiserver.config.k8s.io v1alpha1, v1beta1 and v1, which have the same
 * AuthenticationConfiguration shape (k8s.io/apiserver/pkg/apis/apiserver/<version>/types.go).
 */
import { isRecord, type FieldPath } from "../../k8s/types.js";

type Field = "string" | "bool" | "strings" | { object: Shape } | { list: Shape };
type Shape = Readonly<Record<string, Field>>;

const PREFIXED_CLAIM_OR_EXPRESSION: Shape = { claim: "string", prefix: "string", expression: "string" };

const JWT_AUTHENTICATOR: Shape = {
  issuer: {
    object: {
      url: "string",
      discoveryURL: "string",
      certificateAuthority: "string",
      audiences: "strings",
      audienceMatchPolicy: "string",
      egressSelectorType: "string",
    },
  },
  claimValidationRules: { list: { claim: "string", requiredValue: "string", expression: "string", message: "string" } },
  claimMappings: {
    object: {
      username: { object: PREFIXED_CLAIM_OR_EXPRESSION },
      groups: { object: PREFIXED_CLAIM_OR_EXPRESSION },
      uid: { object: { claim: "string", expression: "string" } },
      extra: { list: { key: "string", valueExpression: "string" } },
    },
  },
  userValidationRules: { list: { expression: "string", message: "string" } },
};

const AUTHENTICATION_CONFIGURATION: Shape = {
  apiVersion: "string",
  kind: "string",
  jwt: { list: JWT_AUTHENTICATOR },
  anonymous: { object: { enabled: "bool", conditions: { list: { path: "string" } } } },
};

export interface WrongType {
  path: FieldPath;
  expected: "string" | "boolean" | "list" | "object";
}

/** The first value of the wrong type, as Go's decoding names it: nothing else is reported then. */
export function firstTypeError(doc: Record<string, unknown>): WrongType | undefined {
  return typeErrorIn(doc, AUTHENTICATION_CONFIGURATION, []);
}

/** Every field the versioned types do not have, in the order the strict decoder meets them. */
export function unknownFields(doc: Record<string, unknown>): FieldPath[] {
  const found: FieldPath[] = [];
  unknownIn(doc, AUTHENTICATION_CONFIGURATION, [], found);
  return found;
}

const sortedKeys = (value: Record<string, unknown>) => Object.keys(value).sort();

function typeErrorIn(value: Record<string, unknown>, shape: Shape, at: FieldPath): WrongType | undefined {
  for (const key of sortedKeys(value)) {
    const field = shape[key];
    if (field === undefined) continue;
    const problem = fieldTypeError(value[key], field, [...at, key]);
    if (problem) return problem;
  }
  return undefined;
}

function fieldTypeError(value: unknown, field: Field, at: FieldPath): WrongType | undefined {
  // JSON null decodes into any Go field as its zero value.
  if (value === null || value === undefined) return undefined;
  const wrong = (expected: WrongType["expected"]): WrongType => ({ path: at, expected });
  if (field === "string") return typeof value === "string" ? undefined : wrong("string");
  if (field === "bool") return typeof value === "boolean" ? undefined : wrong("boolean");
  if (field === "strings") {
    if (!Array.isArray(value)) return wrong("list");
    const index = value.findIndex((item) => item !== null && typeof item !== "string");
    return index < 0 ? undefined : { path: [...at, index], expected: "string" };
  }
  if ("object" in field) return isRecord(value) ? typeErrorIn(value, field.object, at) : wrong("object");
  if (!Array.isArray(value)) return wrong("list");
  for (const [i, item] of value.entries()) {
    if (item === null) continue;
    if (!isRecord(item)) return { path: [...at, i], expected: "object" };
    const problem = typeErrorIn(item, field.list, [...at, i]);
    if (problem) return problem;
  }
  return undefined;
}

function unknownIn(value: Record<string, unknown>, shape: Shape, at: FieldPath, found: FieldPath[]): void {
  for (const key of sortedKeys(value)) {
    const field = shape[key];
    // Matching is case-sensitive: `URL:` is as unknown as `foo:`.
    if (field === undefined) {
      found.push([...at, key]);
      continue;
    }
    const child = value[key];
    if (typeof field === "string") continue;
    if ("object" in field) {
      if (isRecord(child)) unknownIn(child, field.object, [...at, key], found);
    } else if (Array.isArray(child)) {
      child.forEach((item, i) => {
        if (isRecord(item)) unknownIn(item, field.list, [...at, key, i], found);
      });
    }
  }
}
