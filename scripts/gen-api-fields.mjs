/**
 * Writes src/manifest/api-fields.generated.ts: the fields of the Kubernetes API types that
 * built-in objects are made of, as the API's OpenAPI document declares them, for the
 * manifest/* rules. The source is the models that @kubernetes/client-node
 * generates from that document (each with its `attributeTypeMap`).
 *
 *   cd /tmp && npm pack @kubernetes/client-node@2.0.1 && tar xzf kubernetes-client-node-2.0.1.tgz
 *   node scripts/gen-api-fields.mjs /tmp/package
 *
 * It is not a dependency of Palisade: only these facts are kept, regenerated when the
 * client follows a newer Kubernetes release.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const client = process.argv[2];
if (!client) {
  console.error("usage: node scripts/gen-api-fields.mjs DIR  (DIR: an unpacked @kubernetes/client-node package)");
  process.exit(2);
}

/** Built-in kinds whose fields are checked, by apiVersion: the model is the version and the kind (V1Pod, V2HorizontalPodAutoscaler) unless named. */
const ROOTS = [
  ["v1", ["Pod", "PodTemplate", "ReplicationController", "Service", "Endpoints", "ConfigMap", "Secret", "Namespace", "ServiceAccount", "PersistentVolumeClaim", "PersistentVolume", "LimitRange", "ResourceQuota"]],
  ["apps/v1", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision"]],
  ["batch/v1", ["Job", "CronJob"]],
  ["networking.k8s.io/v1", ["NetworkPolicy", "Ingress", "IngressClass", "ServiceCIDR", "IPAddress"]],
  ["discovery.k8s.io/v1", ["EndpointSlice"]],
  ["rbac.authorization.k8s.io/v1", ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]],
  ["policy/v1", ["PodDisruptionBudget"]],
  ["autoscaling/v2", ["HorizontalPodAutoscaler"]],
  ["scheduling.k8s.io/v1", ["PriorityClass"]],
  ["node.k8s.io/v1", ["RuntimeClass"]],
  ["coordination.k8s.io/v1", ["Lease"]],
  ["storage.k8s.io/v1", ["StorageClass", "CSIDriver", "VolumeAttachment", "CSIStorageCapacity", "VolumeAttributesClass"]],
  ["certificates.k8s.io/v1", ["CertificateSigningRequest"]],
  ["flowcontrol.apiserver.k8s.io/v1", ["FlowSchema", "PriorityLevelConfiguration"]],
  [
    "admissionregistration.k8s.io/v1",
    ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"],
  ],
  ["apiextensions.k8s.io/v1", ["CustomResourceDefinition"]],
  ["apiregistration.k8s.io/v1", ["APIService"]],
  // KIND=MODEL where the client names the model after its group too.
  ["resource.k8s.io/v1", ["DeviceClass", "ResourceClaim=ResourceV1ResourceClaim", "ResourceClaimTemplate"]],
];

const modelsDir = join(client, "dist/gen/models");
const models = new Map();
for (const file of readdirSync(modelsDir).filter((f) => f.endsWith(".js"))) {
  const module = await import(join(resolve(modelsDir), file));
  for (const [name, model] of Object.entries(module)) {
    if (typeof model === "function" && Array.isArray(model.attributeTypeMap)) models.set(name, model.attributeTypeMap);
  }
}
const specVersion = /OpenAPI spec version: release-(\d+\.\d+)/.exec(readFileSync(join(modelsDir, "V1Pod.js"), "utf8"))?.[1];
if (!specVersion) throw new Error("cannot tell which Kubernetes release the models follow");

/**
 * `V1SecurityContext`, `Array<V1Container>`, `{ [key: string]: string; }` → our encoding:
 * `[]` or `{}` before the item's type, which is a model name, `i` (integer), `n` (number),
 * `b` (boolean), `64` (Go []byte: OpenAPI's string of format byte, which encoding/json
 * reads as base64), or "" for text and for what may take several forms (IntOrString, raw
 * JSON). Text is not told apart: the models call a Quantity (text or a number) a string.
 */
function encode(type, format) {
  const list = /^Array<(.+)>$/.exec(type);
  if (list) return `[]${encode(list[1], format)}`;
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return `{}${encode(map[1], format)}`;
  if (models.has(type)) return type;
  if (type === "number") return format === "int32" || format === "int64" ? "i" : "n";
  if (type === "boolean") return "b";
  if (type === "string" && format === "byte") return "64";
  return "";
}

const reachable = new Map();
function visit(model) {
  if (reachable.has(model)) return;
  const attributes = models.get(model);
  if (!attributes) throw new Error(`no model ${model}`);
  const fields = {};
  reachable.set(model, fields);
  for (const attribute of attributes) {
    const encoded = encode(attribute.type, attribute.format);
    fields[attribute.baseName] = encoded;
    const inner = encoded.replace(/^(\[\]|\{\})+/, "");
    if (models.has(inner)) visit(inner);
  }
}

const roots = {};
for (const [apiVersion, kinds] of ROOTS) {
  const version = apiVersion.split("/").pop();
  for (const entry of kinds) {
    const [kind, named] = entry.split("=");
    const model = named ?? `${version[0].toUpperCase()}${version.slice(1)}${kind}`;
    const fields = models.get(model);
    if (!fields?.some((f) => f.baseName === "kind")) throw new Error(`${apiVersion} ${kind}: no model ${model}`);
    roots[`${apiVersion} ${kind}`] = model;
    visit(model);
  }
}

const types = Object.fromEntries([...reachable].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
// The JSON goes into a template literal, one type a line: nothing in it may end or interpolate the literal.
if (/[`\\]|\$\{/.test(JSON.stringify(types))) throw new Error("a field name holds a backquote, a backslash or ${");
const out = `// Generated by scripts/gen-api-fields.mjs from @kubernetes/client-node's models
// (OpenAPI of Kubernetes release-${specVersion}). Do not edit: regenerate.

/** The Kubernetes release whose API these fields are. */
export const FIELDS_RELEASE = "v${specVersion}";

/** \`apiVersion kind\` → the type of such an object. */
export const ROOT_TYPES: Readonly<Record<string, string>> = ${JSON.stringify(roots, null, 2)};

/**
 * Type → field → the field's type: \`[]\` before the item's type for a list, \`{}\` for a
 * map with any keys; the item's type is a type name, i (integer), n (number), b (boolean),
 * 64 (Go []byte: text that encoding/json decodes as padded standard base64), or "" for
 * text and values that may take several forms (IntOrString, Quantity, raw JSON).
 * Kept as JSON text and parsed on first use: as an object literal, its ~60 KB cost every
 * process that imports Palisade several milliseconds, scans without manifest checks too.
 */
export const API_TYPES_JSON = \`{
${Object.entries(types).map(([name, fields]) => `${JSON.stringify(name)}: ${JSON.stringify(fields)}`).join(",\n")}
}\`;
`;
const target = fileURLToPath(new URL("../src/manifest/api-fields.generated.ts", import.meta.url));
writeFileSync(target, out);
console.log(`${target}: ${reachable.size} types for ${Object.keys(roots).length} kinds (Kubernetes release-${specVersion})`);
