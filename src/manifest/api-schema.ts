/**
 * The types of built-in objects as the API declares them (api-fields.generated.ts),
 * compiled on first use: most of the 290 types never appear in a scan.
 */
import { isRecord, type K8sObject } from "../k8s/types.js";
import { API_TYPES_JSON, FIELDS_RELEASE, ROOT_TYPES } from "./api-fields.generated.js";
import { ADMIN_POLICY_FIELDS_RELEASE, ADMIN_POLICY_ROOT_TYPES, ADMIN_POLICY_TYPES } from "../network/adminnetworkpolicy/schema.js";
import { SEVERAL_FORMS } from "./several-forms.js";

export interface ApiType {
  model: string;
  /** The type's name as Kubernetes documents it (SecurityContext, PodSpec...). */
  name: string;
  fields: Map<string, FieldType> | undefined;
}

/** Scalars whose type is certain; text is not among them (see the generator). */
export type ScalarType = "integer" | "number" | "boolean";

/** A field's value: lists and maps around it (outermost first), then its item. */
export interface FieldType {
  wrappers: readonly ("list" | "map")[];
  /** A type with fields, a scalar, or undefined for text and values of several forms. */
  item: ApiType | ScalarType | undefined;
  /** The item is text and nothing else (not a Quantity, an IntOrString or raw JSON: several-forms.ts). */
  text: boolean;
  /** The item is Go []byte: text, which encoding/json decodes as padded standard base64. */
  bytes: boolean;
}

const SCALARS: Readonly<Record<string, ScalarType>> = { i: "integer", n: "number", b: "boolean" };
/** The encoding of a []byte item (OpenAPI's string of format byte). */
const BYTES = "64";
const types = new Map<string, ApiType>();
let declared: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;

/**
 * Type → field → encoded type (see api-fields.generated.ts), parsed on first use; with the
 * network-policy-api's CRD types, whose unknown fields the API server prunes as silently.
 */
export function apiTypes(): Readonly<Record<string, Readonly<Record<string, string>>>> {
  return (declared ??= { ...(JSON.parse(API_TYPES_JSON) as Record<string, Record<string, string>>), ...ADMIN_POLICY_TYPES });
}

function apiType(model: string): ApiType {
  let type = types.get(model);
  if (type === undefined) {
    // V1SecurityContext, CoreV1EndpointPort, V2HorizontalPodAutoscaler → the documented name.
    type = { model, name: model.replace(/^(?:[A-Z][a-z]+)*?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])/, ""), fields: undefined };
    types.set(model, type);
  }
  return type;
}

export function fieldsOf(type: ApiType): Map<string, FieldType> {
  if (type.fields === undefined) {
    type.fields = new Map();
    for (const [field, encoded] of Object.entries(apiTypes()[type.model] ?? {})) {
      const wrappers: ("list" | "map")[] = [];
      let rest = encoded;
      while (rest.startsWith("[]") || rest.startsWith("{}")) {
        wrappers.push(rest.startsWith("[]") ? "list" : "map");
        rest = rest.slice(2);
      }
      const bytes = rest === BYTES;
      const text = bytes || (rest === "" && !SEVERAL_FORMS.has(`${type.model}.${field}`));
      type.fields.set(field, { wrappers, item: rest === "" || bytes ? undefined : (SCALARS[rest] ?? apiType(rest)), text, bytes });
    }
  }
  return type.fields;
}

/** The type of an object of this apiVersion and kind, when it is one whose fields are known. */
export function rootTypeOf(object: K8sObject): ApiType | undefined {
  if (!isRecord(object) || typeof object.apiVersion !== "string" || typeof object.kind !== "string") return undefined;
  const key = `${object.apiVersion} ${object.kind}`;
  const model = ROOT_TYPES[key] ?? ADMIN_POLICY_ROOT_TYPES[key];
  return model === undefined ? undefined : apiType(model);
}

/** Whose API declares the fields of such an object, for messages: a Kubernetes release, or the CRDs' project. */
export function fieldsReleaseOf(object: K8sObject): string {
  return ADMIN_POLICY_ROOT_TYPES[`${object.apiVersion} ${object.kind}`] !== undefined ? `the ${ADMIN_POLICY_FIELDS_RELEASE} CRD` : `the Kubernetes ${FIELDS_RELEASE} API`;
}
