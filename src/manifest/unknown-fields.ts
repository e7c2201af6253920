/**
 * Fields that a built-in object's type does not have, as the API server's strict field
 * validation finds them (kubectl apply's default): a misspelt `readOnlyRootFileSystem`, or
 * `runAsNonRoot` put on a container instead of its securityContext. Clients that do not
 * validate (and the API server without strict validation) drop such a field without a
 * word, so the protection it was meant to add silently does not exist.
 *
 * The types come from the API's OpenAPI document (api-fields.generated.ts). Maps with any
 * keys (labels, data, nodeSelector) and values without declared fields are not looked into.
 */
import { didYouMean } from "../did-you-mean.js";
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { API_TYPES, ROOT_TYPES } from "./api-fields.generated.js";

export interface UnknownField {
  path: FieldPath;
  /** The type's name as Kubernetes documents it (SecurityContext, PodSpec...). */
  type: string;
  /** A field of the type, or of a field below it (`securityContext.runAsNonRoot`), that was most likely meant. */
  meant: string | undefined;
}

interface TypeInfo {
  model: string;
  name: string;
  /** Compiled on first use: most of the 290 types never appear in a scan. */
  fields: Map<string, Shape> | undefined;
}

/** A field's value: lists and maps around it (outermost first), then a type with fields, or none. */
interface Shape {
  wrappers: readonly ("list" | "map")[];
  type: TypeInfo | undefined;
}

const infos = new Map<string, TypeInfo>();

function typeInfo(model: string): TypeInfo {
  let info = infos.get(model);
  if (info === undefined) {
    // V1SecurityContext, CoreV1EndpointPort, V2HorizontalPodAutoscaler → the documented name.
    info = { model, name: model.replace(/^(?:[A-Z][a-z]+)*?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])/, ""), fields: undefined };
    infos.set(model, info);
  }
  return info;
}

function fieldsOf(info: TypeInfo): Map<string, Shape> {
  if (info.fields === undefined) {
    info.fields = new Map();
    for (const [field, encoded] of Object.entries(API_TYPES[info.model] ?? {})) {
      const wrappers: ("list" | "map")[] = [];
      let rest = encoded;
      while (rest.startsWith("[]") || rest.startsWith("{}")) {
        wrappers.push(rest.startsWith("[]") ? "list" : "map");
        rest = rest.slice(2);
      }
      info.fields.set(field, { wrappers, type: rest === "" ? undefined : typeInfo(rest) });
    }
  }
  return info.fields;
}

/** The type of an object of this apiVersion and kind, when it is one whose fields are known. */
function rootOf(object: K8sObject): TypeInfo | undefined {
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") return undefined;
  const model = ROOT_TYPES[`${object.apiVersion} ${object.kind}`];
  return model === undefined ? undefined : typeInfo(model);
}

/** Every field of the object that its type does not have, in document order. */
export function unknownFields(object: K8sObject): UnknownField[] {
  const root = rootOf(object);
  const out: UnknownField[] = [];
  // One path, grown and shrunk as the walk goes: copied only for a field that is unknown.
  if (root !== undefined) walkObject(object, root, [], out);
  return out;
}

function walkObject(value: unknown, info: TypeInfo, path: (string | number)[], out: UnknownField[]): void {
  // A value of the wrong type is not this rule's business (the API server's decoder refuses it).
  if (!isRecord(value)) return;
  const fields = fieldsOf(info);
  for (const key in value) {
    const shape = fields.get(key);
    if (shape === undefined) {
      out.push({ path: [...path, key], type: info.name, meant: meantField(key, fields) });
      continue;
    }
    if (shape.type === undefined) continue;
    path.push(key);
    walkShape(value[key], shape, 0, path, out);
    path.pop();
  }
}

function walkShape(value: unknown, shape: Shape, depth: number, path: (string | number)[], out: UnknownField[]): void {
  if (depth === shape.wrappers.length) return walkObject(value, shape.type!, path, out);
  if (shape.wrappers[depth] === "list") {
    if (!Array.isArray(value)) return;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walkShape(value[i], shape, depth + 1, path, out);
      path.pop();
    }
  } else if (isRecord(value)) {
    for (const key in value) {
      path.push(key);
      walkShape(value[key], shape, depth + 1, path, out);
      path.pop();
    }
  }
}

/**
 * A misspelling of one of the type's fields, or the same field one level down: a
 * container's `runAsNonRoot` belongs in its `securityContext`.
 */
function meantField(key: string, fields: Map<string, Shape>): string | undefined {
  const spelt = didYouMean(key, [...fields.keys()]);
  if (spelt !== undefined) return spelt;
  for (const [field, shape] of fields) {
    if (shape.wrappers.length === 0 && shape.type !== undefined && fieldsOf(shape.type).has(key)) return `${field}.${key}`;
  }
  return undefined;
}
