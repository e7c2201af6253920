/**
 * A built-in object's fields against its type, as the API server decodes it:
 *
 * - a field the type does not have, as strict field validation (kubectl apply's default)
 *   refuses it: a misspelt `readOnlyRootFileSystem`, or `runAsNonRoot` on a container
 *   instead of its securityContext. Clients that do not validate, and the API server
 *   without strict validation, drop such a field without a word, so the protection it was
 *   meant to add silently does not exist;
 * - a value of another type than the field's, which the decoder refuses whatever the
 *   validation: `replicas: "3"` or `runAsNonRoot: "true"` (as a Helm template's `| quote`
 *   writes them), a single string where a list is declared (`command: "sh -c ..."`);
 * - a boolean, number or collection in a text field (a name, an image, a label, a
 *   ConfigMap's data), for manifest/string-expected: every text field of the type, so that
 *   a volume or port named `n` (YAML 1.1's false) is found like a container so named.
 *
 * - a []byte field (a Secret's data, a ConfigMap's binaryData, a caBundle, a CSR's request)
 *   whose text Go's base64 decoder refuses, as encoding/json decodes it before anything else.
 *
 * Maps with any keys (labels, data, nodeSelector) are looked into only for text values;
 * values of several forms (IntOrString, Quantity, raw JSON: several-forms.ts) are not judged.
 * A null is accepted anywhere, as Go's decoder accepts it.
 * An object's `status` is not looked into either: the server writes it, and the status of
 * `kubectl get -o yaml` from a newer cluster has fields this API does not know yet.
 */
import { didYouMean } from "../did-you-mean.js";
import { stdBase64ErrorOffset } from "../k8s/go-base64.js";
import { isRecord, valueAt, type FieldPath, type K8sObject } from "../k8s/types.js";
import { fieldsOf, rootTypeOf, type ApiType, type FieldType } from "./api-schema.js";
import { notBase64Reason, type NotBase64Reason } from "./describe-base64.js";

export interface UnknownField {
  path: FieldPath;
  /** The type that has no such field (SecurityContext, PodSpec...). */
  type: string;
  /** A field of the type, or of a field below it (`securityContext.runAsNonRoot`), that was most likely meant. */
  meant: string | undefined;
}

export interface WrongType {
  path: FieldPath;
  /** What the API declares, in words: "an integer", "a list", "a mapping (Container)". */
  expected: string;
  value: unknown;
}

/** A text field holding something else, with what Kubernetes' YAML made of it. */
export interface MisTypedField {
  path: FieldPath;
  value: unknown;
}

/**
 * A []byte field whose text Go's base64.StdEncoding refuses: where and how long, never
 * the text (it is a Secret's value as often as not).
 */
export interface NotBase64 {
  path: FieldPath;
  /** The N of Go's "illegal base64 data at input byte N". */
  offset: number;
  /** The text's length in UTF-8 bytes, as the API server receives it. */
  length: number;
  /** Why Go stopped there, as a class (describe-base64.ts): never a character of the text. */
  why: NotBase64Reason;
}

export interface FieldCheck {
  unknown: UnknownField[];
  wrongTypes: WrongType[];
  /** Text fields holding a boolean, a number, a list or a mapping (manifest/string-expected). */
  notText: MisTypedField[];
  /** []byte fields that are not base64 (manifest/invalid-base64); left out when there is none, as in nearly every object. */
  notBase64?: NotBase64[];
}

/** A value Go's JSON decoder puts in a string: text, or null (which leaves it empty). */
export function isText(value: unknown): boolean {
  return value === null || typeof value === "string";
}

const SUGGESTED_PER_OBJECT = 100;

/** Every unknown field and every value of the wrong type in the object, in document order. */
export function checkFields(object: K8sObject): FieldCheck {
  const root = rootTypeOf(object);
  if (root === undefined) return { unknown: [], wrongTypes: [], notText: [] };
  const out: FieldCheck = { unknown: [], wrongTypes: [], notText: [] };
  // One path, grown and shrunk as the walk goes: copied only for a field that is wrong.
  walkObject(object as Record<string, unknown>, root, [], out, true);
  if (out.notBase64 && isSopsMetadata(object.sops)) {
    // SOPS replaces each value it encrypted (ENC[...], not base64) with the original before apply.
    const left = out.notBase64.filter((bad) => !isSopsEncrypted(valueAt(object, bad.path)));
    if (left.length > 0) out.notBase64 = left;
    else delete out.notBase64;
  }
  return out;
}

function isSopsEncrypted(value: unknown): boolean {
  return typeof value === "string" && value.startsWith("ENC[") && value.endsWith("]");
}

function isSopsMetadata(value: unknown): boolean {
  return typeof value === "object" && value !== null && ("mac" in value || "version" in value);
}

function walkObject(value: Record<string, unknown>, type: ApiType, path: (string | number)[], out: FieldCheck, root = false): void {
  const fields = fieldsOf(type);
  for (const key in value) {
    const field = fields.get(key);
    if (field === undefined) {
      // SOPS keeps its metadata beside the fields it encrypts; decryption removes it before apply.
      if (root && key === "sops" && isSopsMetadata(value[key])) continue;
      // A suggestion costs an edit distance to every field: a flood of unknown keys (hostile,
      // or a map put where a type belongs) is no typo, and gets none past the first few.
      const meant = out.unknown.length < SUGGESTED_PER_OBJECT && key.length <= 64 ? meantField(key, fields) : undefined;
      out.unknown.push({ path: [...path, key], type: type.name, meant });
      continue;
    }
    if (root && key === "status") continue;
    if (field.item === undefined && field.wrappers.length === 0) {
      if (field.text && !isText(value[key])) out.notText.push({ path: [...path, key], value: value[key] });
      else if (field.bytes) checkBase64(value[key], path, key, out);
      continue;
    }
    path.push(key);
    walkValue(value[key], field, 0, path, out);
    path.pop();
  }
}

function walkValue(value: unknown, field: FieldType, depth: number, path: (string | number)[], out: FieldCheck): void {
  if (value === null) return;
  if (depth < field.wrappers.length) {
    // Items of text are only held to be text; items of several forms are not looked at.
    const itemsFree = depth + 1 === field.wrappers.length && field.item === undefined;
    if (field.wrappers[depth] === "list") {
      if (!Array.isArray(value)) return wrong(out, path, `a list${itemName(field)}`, value);
      if (itemsFree) {
        if (field.text) for (let i = 0; i < value.length; i++) if (!isText(value[i])) out.notText.push({ path: [...path, i], value: value[i] });
        if (field.bytes) for (let i = 0; i < value.length; i++) checkBase64(value[i], path, i, out);
        return;
      }
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walkValue(value[i], field, depth + 1, path, out);
        path.pop();
      }
    } else {
      if (!isRecord(value)) return wrong(out, path, "a mapping", value);
      if (itemsFree) {
        if (field.text) for (const key in value) if (!isText(value[key])) out.notText.push({ path: [...path, key], value: value[key] });
        if (field.bytes) for (const key in value) checkBase64(value[key], path, key, out);
        return;
      }
      for (const key in value) {
        path.push(key);
        walkValue(value[key], field, depth + 1, path, out);
        path.pop();
      }
    }
    return;
  }
  const item = field.item;
  if (item === undefined) return;
  if (item === "integer") {
    if (typeof value !== "number" || !Number.isInteger(value)) wrong(out, path, "an integer", value);
  } else if (item === "number") {
    if (typeof value !== "number") wrong(out, path, "a number", value);
  } else if (item === "boolean") {
    if (typeof value !== "boolean") wrong(out, path, "a boolean (true or false)", value);
  } else if (!isRecord(value)) {
    wrong(out, path, `a mapping (${item.name})`, value);
  } else walkObject(value, item, path, out);
}

/** A []byte field's text as encoding/json decodes it; a value that is not text is notText's. */
function checkBase64(value: unknown, path: readonly (string | number)[], key: string | number, out: FieldCheck): void {
  if (typeof value !== "string") return;
  const offset = stdBase64ErrorOffset(value);
  if (offset !== undefined) (out.notBase64 ??= []).push({ path: [...path, key], offset, length: Buffer.byteLength(value, "utf8"), why: notBase64Reason(value, offset) });
}

function wrong(out: FieldCheck, path: readonly (string | number)[], expected: string, value: unknown): void {
  out.wrongTypes.push({ path: [...path], expected, value });
}

function itemName(field: FieldType): string {
  const item = field.item;
  return typeof item === "object" ? ` of ${item.name}` : "";
}

/**
 * A misspelling of one of the type's fields, or the same field one level down: a
 * container's `runAsNonRoot` belongs in its `securityContext`.
 */
function meantField(key: string, fields: Map<string, FieldType>): string | undefined {
  const spelt = didYouMean(key, [...fields.keys()]);
  if (spelt !== undefined) return spelt;
  for (const [name, field] of fields) {
    if (field.wrappers.length === 0 && typeof field.item === "object" && fieldsOf(field.item).has(key)) return `${name}.${key}`;
  }
  return undefined;
}
