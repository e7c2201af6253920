/**
 * AdmissionReview admission.k8s.io/v1 (and v1beta1) on the wire (specs/webhooks.md §2): strict reading of
 * requests and building of responses. A request we cannot answer (not JSON, wrong
 * apiVersion/kind, no uid) is a `ReviewError`; the server turns it into an HTTP 400 with a
 * metav1.Status body, which the API server treats as a call failure (failurePolicy decides).
 */
import { isRecord, type K8sObject } from "../k8s/types.js";
import type { JsonPatchOperation } from "../findings/types.js";

export const ADMISSION_API_VERSION = "admission.k8s.io/v1";
/**
 * kube-apiserver sends v1beta1 to a webhook whose admissionReviewVersions lists it before v1
 * (or alone, as configurations written before v1 do). Request and response have the same
 * fields in both; the answer must carry the request's apiVersion or the call fails.
 */
export const ADMISSION_API_VERSION_V1BETA1 = "admission.k8s.io/v1beta1";
export type AdmissionApiVersion = typeof ADMISSION_API_VERSION | typeof ADMISSION_API_VERSION_V1BETA1;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
const OPERATIONS: readonly string[] = ["CREATE", "UPDATE", "DELETE", "CONNECT"];

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource: string;
  name: string;
  namespace: string;
  operation: Operation;
  userInfo: UserInfo;
  object: K8sObject | null;
  oldObject: K8sObject | null;
  dryRun: boolean;
  /** Set only for a v1beta1 review (absent means v1): the version to answer in. */
  apiVersion?: typeof ADMISSION_API_VERSION_V1BETA1;
}

/** metav1.StatusCause: `reason` is the cause type (e.g. FieldValueInvalid). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** metav1.StatusDetails; the API server passes it through to the client with the denial. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

export interface Status {
  code: number;
  reason: string;
  message: string;
  details?: StatusDetails;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: Status & { status: "Failure" };
  patch?: string;
  patchType?: "JSONPatch";
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** A request body we refuse to judge; `code` is the HTTP status to answer with. */
export class ReviewError extends Error {
  constructor(
    message: string,
    readonly code = 400,
  ) {
    super(message);
    this.name = "ReviewError";
  }
}

function str(value: unknown, field: string, required: boolean): string {
  if (value === undefined || value === null) {
    if (required) throw new ReviewError(`request.${field} is required`);
    return "";
  }
  if (typeof value !== "string") throw new ReviewError(`request.${field} must be a string`);
  return value;
}

function gvk(value: unknown, field: string): GroupVersionKind {
  if (!isRecord(value)) throw new ReviewError(`request.${field} must be an object {group, version, kind}`);
  return { group: str(value.group, `${field}.group`, false), version: str(value.version, `${field}.version`, true), kind: str(value.kind, `${field}.kind`, true) };
}

function gvr(value: unknown, field: string): GroupVersionResource {
  if (!isRecord(value)) throw new ReviewError(`request.${field} must be an object {group, version, resource}`);
  return { group: str(value.group, `${field}.group`, false), version: str(value.version, `${field}.version`, true), resource: str(value.resource, `${field}.resource`, true) };
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new ReviewError(`request.${field} must be a list of strings`);
  return value as string[];
}

function userInfo(value: unknown): UserInfo {
  if (value === undefined || value === null) return { username: "", groups: [] };
  if (!isRecord(value)) throw new ReviewError("request.userInfo must be an object");
  const info: UserInfo = { username: str(value.username, "userInfo.username", false), groups: stringList(value.groups, "userInfo.groups") };
  if (typeof value.uid === "string") info.uid = value.uid;
  if (isRecord(value.extra)) {
    const extra: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(value.extra)) extra[k] = stringList(v, `userInfo.extra.${k}`);
    info.extra = extra;
  }
  return info;
}

/**
 * Deeper than any Kubernetes object nests (built-in kinds stay under 30 levels), and well
 * short of where the recursive walks policies make (structuredClone, JSON.stringify, semantic
 * comparison) run out of JavaScript stack (about 3000 levels): a deeper object would answer
 * 500 from a stack overflow instead of saying what is wrong.
 */
export const MAX_OBJECT_DEPTH = 1000;

/** Nesting depth up to the limit, walked without recursion (the walk itself must not overflow). */
function tooDeep(root: unknown): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > MAX_OBJECT_DEPTH) return true;
    const children = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : undefined;
    if (children) for (const child of children) if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

function stringMap(value: unknown, field: string): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value) || !Object.values(value).every((v) => typeof v === "string")) throw new ReviewError(`request.${field} must be a map of strings`);
}

/**
 * What the API server guarantees of every object it sends (ObjectMeta's types), checked so
 * that policies may rely on it: a hostile body with, say, annotations as a string must get
 * a 400 saying so, not a 500 from a policy that trusted the type.
 */
function objectMeta(object: Record<string, unknown>, field: string): void {
  for (const key of ["apiVersion", "kind"]) if (object[key] !== undefined && typeof object[key] !== "string") throw new ReviewError(`request.${field}.${key} must be a string`);
  const metadata = object.metadata;
  if (metadata === undefined || metadata === null) return;
  if (!isRecord(metadata)) throw new ReviewError(`request.${field}.metadata must be an object`);
  for (const key of ["name", "generateName", "namespace", "uid", "resourceVersion"]) {
    if (metadata[key] !== undefined && metadata[key] !== null && typeof metadata[key] !== "string") throw new ReviewError(`request.${field}.metadata.${key} must be a string`);
  }
  stringMap(metadata.labels, `${field}.metadata.labels`);
  stringMap(metadata.annotations, `${field}.metadata.annotations`);
  const owners = metadata.ownerReferences;
  if (owners !== undefined && owners !== null && (!Array.isArray(owners) || !owners.every(isRecord))) throw new ReviewError(`request.${field}.metadata.ownerReferences must be a list of objects`);
}

function objectOrNull(value: unknown, field: string): K8sObject | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) throw new ReviewError(`request.${field} must be an object or null`);
  if (tooDeep(value)) throw new ReviewError(`request.${field} is nested deeper than ${MAX_OBJECT_DEPTH} levels`);
  objectMeta(value, field);
  return value as K8sObject;
}

/** Read a parsed JSON body as an AdmissionReview v1 (or v1beta1) request, or throw a ReviewError saying what is wrong. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isRecord(body)) throw new ReviewError("body must be a JSON object (an AdmissionReview)");
  const v1beta1 = body.apiVersion === ADMISSION_API_VERSION_V1BETA1;
  if ((body.apiVersion !== ADMISSION_API_VERSION && !v1beta1) || body.kind !== "AdmissionReview") {
    throw new ReviewError(`expected apiVersion ${ADMISSION_API_VERSION} (or ${ADMISSION_API_VERSION_V1BETA1}) kind AdmissionReview, got ${JSON.stringify(body.apiVersion)?.slice(0, 100)} ${JSON.stringify(body.kind)?.slice(0, 100)}; set admissionReviewVersions: ["v1"]`);
  }
  const request = body.request;
  if (!isRecord(request)) throw new ReviewError("request is required");
  const uid = str(request.uid, "uid", true);
  if (uid === "") throw new ReviewError("request.uid must not be empty");
  const operation = str(request.operation, "operation", true);
  if (!OPERATIONS.includes(operation)) throw new ReviewError(`request.operation must be one of ${OPERATIONS.join(", ")}`);
  if (request.dryRun !== undefined && request.dryRun !== null && typeof request.dryRun !== "boolean") throw new ReviewError("request.dryRun must be a boolean");
  return {
    uid,
    kind: gvk(request.kind, "kind"),
    resource: gvr(request.resource, "resource"),
    subResource: str(request.subResource, "subResource", false),
    name: str(request.name, "name", false),
    namespace: str(request.namespace, "namespace", false),
    operation: operation as Operation,
    userInfo: userInfo(request.userInfo),
    object: objectOrNull(request.object, "object"),
    oldObject: objectOrNull(request.oldObject, "oldObject"),
    dryRun: request.dryRun === true,
    ...(v1beta1 ? { apiVersion: ADMISSION_API_VERSION_V1BETA1 } : {}),
  };
}

/** The full AdmissionReview answer, in the request's apiVersion; uid echoed, patch base64 with patchType JSONPatch only when non-empty. */
export function admissionReviewResponse(response: AdmissionResponse, apiVersion: AdmissionApiVersion = ADMISSION_API_VERSION): Record<string, unknown> {
  return { apiVersion, kind: "AdmissionReview", response };
}

const PLAIN_ANSWER_KEYS = 2;

/**
 * admissionReviewResponse as JSON text, byte for byte what JSON.stringify gives. The common
 * answer (uid and allowed, nothing else) is written from a template.
 */
export function admissionReviewJson(response: AdmissionResponse, apiVersion: AdmissionApiVersion = ADMISSION_API_VERSION): string {
  let keys = 0;
  for (const key in response) if ((response as unknown as Record<string, unknown>)[key] !== undefined) keys++;
  if (keys === PLAIN_ANSWER_KEYS && typeof response.uid === "string" && typeof response.allowed === "boolean") {
    return `{"apiVersion":"${apiVersion}","kind":"AdmissionReview","response":{"uid":${JSON.stringify(response.uid)},"allowed":${response.allowed}}}`;
  }
  return JSON.stringify(admissionReviewResponse(response, apiVersion));
}

export function encodePatch(patch: readonly JsonPatchOperation[]): Pick<AdmissionResponse, "patch" | "patchType"> {
  if (patch.length === 0) return {};
  return { patch: Buffer.from(JSON.stringify(patch)).toString("base64"), patchType: "JSONPatch" };
}

/** metav1.Status for requests we refuse (HTTP 4xx/5xx bodies). */
export function statusBody(code: number, message: string): Record<string, unknown> {
  const reason = code === 400 ? "BadRequest" : code === 413 ? "RequestEntityTooLarge" : code === 404 ? "NotFound" : code === 405 ? "MethodNotAllowed" : code === 408 ? "Timeout" : code === 415 ? "UnsupportedMediaType" : "InternalError";
  return { apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", code, reason, message };
}

/**
 * Audit annotation keys are stored as `<webhook name>/<key>`, which must be a qualified name:
 * the key must be at most 63 characters, alphanumeric at both ends, `-_.` inside.
 */
export function isValidAuditAnnotationKey(key: string): boolean {
  return key.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key);
}
