import { formatFieldPath, type FieldPath } from "../k8s/types.js";
import { decodeStdBase64 } from "../k8s/go-base64.js";
import type { DecodedConfiguration } from "./config-decode.js";
import type { ConfigProblem, EncryptionConfiguration, KmsConfig, Locator, ProviderConfig, ResourceRule } from "./config-types.js";
import {
  ANY_GROUP_ANY_RESOURCE,
  formatGroupResource,
  groupResourceKey,
  parseGroupResource,
  type GroupResource,
} from "./resources.js";

export const AES_KEY_LENGTHS = [16, 24, 32];
export const SECRETBOX_KEY_LENGTHS = [32];

const NON_REST_RESOURCES = new Set(["apiserveripinfo", "serviceipallocations", "servicenodeportallocations"]);

export interface ValidateOptions {
  /** `--encryption-provider-config-automatic-reload`: KMS v1 names must then be unique too. */
  automaticReload?: boolean;
}

/**
 * Every check kube-apiserver makes before it accepts the file: the rules of
 * validation_encryption.go, then the load-time masking check of config.go. KMS v1 being
 * disabled by default (feature gate) is left to the risk findings, since the gate may be on.
 * All problems are returned, not just the first, so one run shows everything to fix.
 */
export function validateEncryptionConfiguration(
  decoded: DecodedConfiguration,
  locate: Locator,
  options: ValidateOptions = {},
): { config: EncryptionConfiguration; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const problem = (path: FieldPath, message: string, hint?: string): void => {
    problems.push({ message, field: formatFieldPath(path) || "(document)", path, position: locate(path), hint });
  };
  const rules: ResourceRule[] = [];

  if (decoded.resources.length === 0) {
    problem(["resources"], "at least one resources entry is required", "list the resources to encrypt and their providers");
  }
  const kmsNames = new Set<string>();
  for (const [i, entry] of decoded.resources.entries()) {
    const path: FieldPath = ["resources", i];
    if (entry.resources.length === 0) problem([...path, "resources"], `at least one resources[${i}].resources is required`);
    validateOverlap(entry.resources, [...path, "resources"], problem);
    validateResourceNames(entry.resources, [...path, "resources"], problem);
    if (entry.providers.length === 0) problem([...path, "providers"], `at least one resources[${i}].providers is required`);
    const providers: ProviderConfig[] = [];
    for (const [j, element] of entry.providers.entries()) {
      const at: FieldPath = [...path, "providers", j];
      if (element.length === 0) {
        problem(at, "provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity");
        continue;
      }
      if (element.length > 1) {
        problem(
          at,
          `more than one provider specified in a single element (${element.map((p) => p.type).join(", ")})`,
          "split them into separate list elements",
        );
        continue;
      }
      const provider = element[0]!;
      providers.push(provider);
      if (provider.type === "kms") validateKms(provider.kms, [...at, "kms"], kmsNames, options, problem);
      else if (provider.type !== "identity") {
        const lengths = provider.type === "secretbox" ? SECRETBOX_KEY_LENGTHS : AES_KEY_LENGTHS;
        validateKeys(provider.keys, [...at, provider.type, "keys"], lengths, problem);
      }
    }
    rules.push({ resources: entry.resources, providers });
  }
  if (problems.length === 0) validateMasking(decoded, problem);
  return { config: { resources: rules }, problems };
}

type Report = (path: FieldPath, message: string, hint?: string) => void;

function sameGr(a: GroupResource, b: GroupResource): boolean {
  return a.group === b.group && a.resource === b.resource;
}

function validateOverlap(resources: string[], path: FieldPath, problem: Report): void {
  if (resources.length < 2) return;
  const parsed = resources.map(parseGroupResource);
  let duplicate = false;
  let overlap = false;
  for (const [i, a] of parsed.entries()) {
    for (const [j, b] of parsed.entries()) {
      if (i === j) continue;
      if (sameGr(a, b)) {
        duplicate = true;
        continue;
      }
      if (sameGr(a, ANY_GROUP_ANY_RESOURCE)) overlap = true;
      else if (a.group === b.group && (a.resource === "*" || b.resource === "*")) overlap = true;
    }
  }
  if (duplicate) problem(path, "the same resource cannot be specified multiple times");
  if (overlap) {
    problem(
      path,
      "using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked",
      "keep either the wildcard or the specific resources in one list; put specific resources in an earlier entry",
    );
  }
}

function validateResourceNames(resources: string[], path: FieldPath, problem: Report): void {
  for (const [j, resource] of resources.entries()) {
    const at = [...path, j];
    const gr = parseGroupResource(resource);
    if (resource.toLowerCase() !== resource) {
      problem(at, `resource ${JSON.stringify(resource)}: resource name should not contain capital letters`, `use ${JSON.stringify(resource.toLowerCase())}`);
    } else if (resource === "*") {
      problem(at, "resource \"*\" is not allowed", "use '*.' to encrypt all the resources from core API group or '*.*' to encrypt all resources");
    } else if (NON_REST_RESOURCES.has(resource)) {
      problem(at, `resource ${JSON.stringify(resource)}: resources which do not have REST API/s cannot be encrypted`);
    } else if (gr.group === "events.k8s.io") {
      problem(at, `resource ${JSON.stringify(resource)}: '*.events.k8s.io' objects are stored using the 'events' API group in etcd`, "use 'events' instead");
    } else if (gr.group === "extensions") {
      problem(at, `resource ${JSON.stringify(resource)}: 'extensions' group has been removed and cannot be used for encryption`);
    } else if (gr.group === "*" && gr.resource !== "*") {
      problem(at, `resource ${JSON.stringify(resource)}: encrypting the same resource across groups is not supported`, "name the group, or use '*.*'");
    }
  }
}

function validateKeys(keys: { name: string; secret: string }[], path: FieldPath, lengths: number[], problem: Report): void {
  if (keys.length === 0) {
    problem(path, "at least one keys is required", "add a key: name plus a base64 secret from a CSPRNG (head -c 32 /dev/urandom | base64)");
    return;
  }
  for (const [k, key] of keys.entries()) {
    const at = [...path, k];
    if (key.name === "") problem([...at, "name"], "name is a mandatory field for a key");
    if (key.secret === "") {
      problem([...at, "secret"], "secret is a mandatory field for a key");
      continue;
    }
    const bytes = decodeStdBase64(key.secret);
    if (!bytes) {
      problem([...at, "secret"], "secrets must be base64 encoded (standard alphabet, with padding)", "generate one with: head -c 32 /dev/urandom | base64");
    } else if (!lengths.includes(bytes.length)) {
      problem(
        [...at, "secret"],
        `secret is not of the expected length, got ${bytes.length}, expected one of [${lengths.join(" ")}]`,
        "generate one with: head -c 32 /dev/urandom | base64",
      );
    }
  }
}

function validateKms(kms: KmsConfig, path: FieldPath, names: Set<string>, options: ValidateOptions, problem: Report): void {
  if (kms.name === "") problem([...path, "name"], "name is a mandatory field for a provider");
  if (kms.apiVersion !== "v1" && kms.name.includes(":")) {
    problem([...path, "name"], `invalid KMS provider name ${JSON.stringify(kms.name)}, must not contain ':'`);
  }
  if ((options.automaticReload || kms.apiVersion !== "v1") && names.has(kms.name)) {
    problem([...path, "name"], `duplicate KMS provider name ${JSON.stringify(kms.name)}, names must be unique`);
  }
  names.add(kms.name);
  if (kms.timeoutMs <= 0) problem([...path, "timeout"], "timeout should be a positive value");
  validateEndpoint(kms.endpoint, [...path, "endpoint"], problem);
  if (kms.apiVersion !== "v1" && kms.cachesize !== undefined) {
    problem([...path, "cachesize"], "cachesize is not supported in v2", "remove cachesize: KMS v2 caches DEKs itself");
  }
  if (kms.apiVersion === "v1" && kms.cachesize === 0) {
    problem([...path, "cachesize"], "cachesize should be a positive value, or negative to disable");
  }
  if (kms.apiVersion !== "v1" && kms.apiVersion !== "v2") {
    problem([...path, "apiVersion"], `unsupported apiVersion ${JSON.stringify(kms.apiVersion)} for KMS provider, only v1 and v2 are supported`, "use apiVersion: v2");
  }
}

/**
 * Go's url.Parse accepts almost anything; what matters is the scheme. A scheme is
 * `[A-Za-z][A-Za-z0-9+.-]*:`; without one the scheme is empty. Go lowercases it.
 */
function validateEndpoint(endpoint: string, path: FieldPath, problem: Report): void {
  if (endpoint === "") {
    problem(path, "endpoint is a mandatory field for a kms", "use unix:///var/run/kms-plugin/socket.sock");
    return;
  }
  if ([...endpoint].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    problem(path, "invalid endpoint for kms provider: net/url: invalid control character in URL");
    return;
  }
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(endpoint);
  if (!match && endpoint.startsWith(":")) {
    problem(path, "invalid endpoint for kms provider: missing protocol scheme");
    return;
  }
  const scheme = match ? match[1]!.toLowerCase() : "";
  if (scheme !== "unix") {
    problem(path, `unsupported scheme ${JSON.stringify(scheme)} for KMS provider, only unix is supported`, "use unix:///path/to/plugin.sock");
  }
}

/** config.go's load check: a resource after a `*.group` or `*.*` entry that covers it is masked. */
function validateMasking(decoded: DecodedConfiguration, problem: Report): void {
  const seen = new Set<string>();
  for (const [i, entry] of decoded.resources.entries()) {
    for (const [j, resource] of entry.resources.entries()) {
      const gr = parseGroupResource(resource);
      const anyInGroup = { group: gr.group, resource: "*" };
      for (const mask of [anyInGroup, ANY_GROUP_ANY_RESOURCE]) {
        if (!seen.has(groupResourceKey(mask))) continue;
        problem(
          ["resources", i, "resources", j],
          `resource ${JSON.stringify(formatGroupResource(gr))} is masked by earlier rule ${JSON.stringify(formatGroupResource(mask))}`,
          "list specific resources before wildcard entries",
        );
        break;
      }
      seen.add(groupResourceKey(gr));
    }
  }
}
