/**
 * A kubeconfig value of a type clientcmd's api/v1 types do not take: a cluster named 2024,
 * a context whose user is `y` (YAML 1.1's true), `clusters` written as a mapping.
 * client-go's Load decodes the whole file at once (runtime.Decode through sigs.k8s.io/yaml,
 * which turns the YAML into JSON with every mapping's keys sorted, then Go's JSON decoding
 * into v1.Config), and a value of the wrong type fails that decode for the whole file,
 * whichever context is used. Go keeps decoding after such a value and returns the first
 * one it met, in the sorted JSON's order, so that one is what kubectl prints and the one
 * reported here, in its words (encoding/json UnmarshalTypeError: "json: cannot unmarshal
 * number into Go struct field NamedCluster.clusters.name of type string").
 *
 * The fields judged are the ones Palisade reads (names, references, the cluster's and the
 * user's settings); a map's values (auth-provider config, as-user-extra) are not. The walk
 * itself is Go's, whatever the type: the kubelet's configuration file is judged with it too.
 */
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";

/**
 * A Go type as its JSON decoding sees it; a struct's `name` is reflect's Type.String()
 * (`v1.Cluster`), and a pointer field is named by what it points to, as the error names it.
 */
export type GoType =
  | { kind: "string" | "bool" | "int32" | "bytes" | "strings"; goName?: string }
  | GoStruct
  | { kind: "list"; item: GoStruct };
export interface GoStruct {
  kind: "struct";
  name: string;
  fields: Readonly<Record<string, GoType>>;
}

export const STRING: GoType = { kind: "string" };
export const BOOL: GoType = { kind: "bool" };
export const INT32: GoType = { kind: "int32" };
const BYTES: GoType = { kind: "bytes" };
export const STRINGS: GoType = { kind: "strings" };
export const goStruct = (name: string, fields: Record<string, GoType>): GoStruct => ({ kind: "struct", name, fields });
const struct = (name: string, fields: Record<string, GoType>) => goStruct(`v1.${name}`, fields);

/** clientcmd/api/v1 types.go, by their JSON names. */
const CLUSTER = struct("Cluster", {
  server: STRING,
  "tls-server-name": STRING,
  "insecure-skip-tls-verify": BOOL,
  "certificate-authority": STRING,
  "certificate-authority-data": BYTES,
  "proxy-url": STRING,
  "disable-compression": BOOL,
});
const EXEC_ENV_VAR = struct("ExecEnvVar", { name: STRING, value: STRING });
const EXEC = struct("ExecConfig", {
  command: STRING,
  args: STRINGS,
  env: { kind: "list", item: EXEC_ENV_VAR },
  apiVersion: STRING,
  installHint: STRING,
  provideClusterInfo: BOOL,
  interactiveMode: STRING,
});
const AUTH_INFO = struct("AuthInfo", {
  "client-certificate": STRING,
  "client-certificate-data": BYTES,
  "client-key": STRING,
  "client-key-data": BYTES,
  token: STRING,
  tokenFile: STRING,
  as: STRING,
  "as-uid": STRING,
  "as-groups": STRINGS,
  username: STRING,
  password: STRING,
  "auth-provider": struct("AuthProviderConfig", { name: STRING }),
  exec: EXEC,
});
const CONTEXT = struct("Context", { cluster: STRING, user: STRING, namespace: STRING });
const CONFIG: GoStruct = struct("Config", {
  clusters: { kind: "list", item: struct("NamedCluster", { name: STRING, cluster: CLUSTER }) },
  users: { kind: "list", item: struct("NamedAuthInfo", { name: STRING, user: AUTH_INFO }) },
  contexts: { kind: "list", item: struct("NamedContext", { name: STRING, context: CONTEXT }) },
  "current-context": STRING,
});

/** reflect's Type.String() of each type, as the error names it (a pointer field is named by the struct it points to). */
function goTypeName(type: GoType): string {
  switch (type.kind) {
    case "string":
    case "bool":
    case "int32":
      return type.goName ?? type.kind;
    case "bytes":
      return "[]uint8";
    case "strings":
      return "[]string";
    case "struct":
      return type.name;
    case "list":
      return `[]${type.item.name}`;
  }
}

/** A struct's name in the error's "Go struct field NAME.path": reflect's Name(), without the package. */
const bareName = (type: GoStruct) => type.name.slice(type.name.lastIndexOf(".") + 1);

/**
 * The JSON value as the error names it: its kind, and for a number that an integer field
 * cannot hold (1.5, or past int32), the number too (encoding/json's "number 1.5").
 */
function jsonKind(value: unknown, type: GoType): string {
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && type.kind === "int32") return `number ${String(value)}`;
  return typeof value === "object" ? "object" : typeof value;
}

const isInt32 = (value: number) => Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;

/** Whether JSON of this kind decodes into the type (null decodes into anything, as nothing). */
function fits(value: unknown, type: GoType): boolean {
  if (value === null) return true;
  switch (type.kind) {
    case "string":
      return typeof value === "string";
    case "bool":
      return typeof value === "boolean";
    case "int32":
      return typeof value === "number" && isInt32(value);
    // A []byte also takes a JSON array of numbers, each a byte: left alone here.
    case "bytes":
      return typeof value === "string" || Array.isArray(value);
    case "strings":
    case "list":
      return Array.isArray(value);
    case "struct":
      return isRecord(value);
  }
}

export interface DecodeTypeError {
  path: FieldPath;
  /** Go's own error text. */
  error: string;
  /** What was found and what belongs there, in words (never the value). */
  found: string;
  expected: string;
}

interface Context {
  /** The innermost struct whose field is being decoded. */
  struct: string;
  /** The JSON names of the fields from the top, without list indices (Go's errorContext.FieldStack). */
  fields: readonly string[];
}

const FOUND: Readonly<Record<string, string>> = { bool: "a boolean", array: "a list", object: "a mapping", string: "text", number: "a number" };
const EXPECTED: Readonly<Record<GoType["kind"], string>> = { string: "text", bool: "a boolean", int32: "a whole number (int32)", struct: "a mapping", bytes: "base64 text", strings: "a list", list: "a list" };

function mismatch(value: unknown, type: GoType, path: FieldPath, context: Context): DecodeTypeError {
  const kind = jsonKind(value, type);
  return {
    path,
    error: `json: cannot unmarshal ${kind} into Go struct field ${context.struct}.${context.fields.join(".")} of type ${goTypeName(type)}`,
    found: kind.startsWith("number ") ? "a number it cannot hold" : (FOUND[kind] ?? `a ${kind}`),
    expected: EXPECTED[type.kind],
  };
}

/** Every value Go's decoding refuses, in the order it meets them (it goes on decoding after each, and returns the first). */
function collectErrors(value: unknown, type: GoType, path: FieldPath, context: Context, out: DecodeTypeError[]): void {
  if (!fits(value, type)) {
    out.push(mismatch(value, type, path, context));
    return;
  }
  if (value === null) return;
  if (type.kind === "strings" || type.kind === "list") {
    (value as unknown[]).forEach((item, i) => collectErrors(item, type.kind === "list" ? type.item : STRING, [...path, i], context, out));
    return;
  }
  if (type.kind !== "struct") return;
  const object = value as Record<string, unknown>;
  // sigs.k8s.io/yaml's JSON has each mapping's keys sorted; Go matches them to fields exactly (case-sensitively).
  for (const key of Object.keys(object).sort()) {
    const field = type.fields[key];
    if (field !== undefined) collectErrors(object[key], field, [...path, key], { struct: bareName(type), fields: [...context.fields, key] }, out);
  }
}

/** Every value of `object` (a whole document) that Go's JSON decoding into `root` refuses, in the order it meets them. */
export function goTypeErrors(object: K8sObject, root: GoStruct): DecodeTypeError[] {
  const out: DecodeTypeError[] = [];
  collectErrors(object, root, [], { struct: bareName(root), fields: [] }, out);
  return out;
}

/**
 * The first value of `object` (a whole document) that Go's JSON decoding into `root`
 * refuses, in the order it meets them; undefined when the types are right. Shared with the
 * kubelet's configuration file, which the kubelet decodes the same way (kubelet-config-types.ts).
 */
export function firstGoTypeError(object: K8sObject, root: GoStruct): DecodeTypeError | undefined {
  return goTypeErrors(object, root)[0];
}

/** The value whose type makes client-go refuse the whole kubeconfig, the first as Go meets it; undefined when the types are right. */
export function kubeconfigTypeError(object: K8sObject): DecodeTypeError | undefined {
  return firstGoTypeError(object, CONFIG);
}
