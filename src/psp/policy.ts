import { isRecord, type K8sObject } from "../k8s/types.js";
import { FieldPath, invalid, required, type FieldError } from "./field-errors.js";

/**
 * The PodSecurityPolicy object (policy/v1beta1 and extensions/v1beta1, which share one
 * schema) read from plain JSON into typed data, with the API server's defaulting applied
 * (allowPrivilegeEscalation defaults to true). Shape errors are reported as field errors,
 * as the API server's decoder would; unknown fields are reported too, because a typo in a
 * security policy (`hostNetwrok: false`) silently means "allowed" otherwise.
 */

export const PSP_API_VERSIONS = ["policy/v1beta1", "extensions/v1beta1"] as const;

export interface IDRange {
  min: number;
  max: number;
}

export interface SELinuxOptions {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

export interface RangeStrategy {
  rule: string;
  ranges: IDRange[];
}

export interface AllowedHostPath {
  pathPrefix: string;
  readOnly: boolean;
}

export interface RuntimeClassStrategy {
  allowedRuntimeClassNames: string[];
  defaultRuntimeClassName?: string;
}

export interface PodSecurityPolicySpec {
  privileged: boolean;
  defaultAddCapabilities: string[];
  requiredDropCapabilities: string[];
  allowedCapabilities: string[];
  volumes: string[];
  hostNetwork: boolean;
  hostPorts: IDRange[];
  hostPID: boolean;
  hostIPC: boolean;
  seLinux: { rule: string; seLinuxOptions?: SELinuxOptions };
  runAsUser: RangeStrategy;
  /** Absent means RunAsAny (the field came after the others and is optional upstream). */
  runAsGroup?: RangeStrategy;
  supplementalGroups: RangeStrategy;
  fsGroup: RangeStrategy;
  readOnlyRootFilesystem: boolean;
  defaultAllowPrivilegeEscalation?: boolean;
  allowPrivilegeEscalation: boolean;
  allowedHostPaths: AllowedHostPath[];
  allowedFlexVolumes: { driver: string }[];
  allowedCSIDrivers: { name: string }[];
  allowedUnsafeSysctls: string[];
  forbiddenSysctls: string[];
  allowedProcMountTypes: string[];
  runtimeClass?: RuntimeClassStrategy;
}

export interface PodSecurityPolicy {
  name: string;
  apiVersion: string;
  annotations: Record<string, string>;
  spec: PodSecurityPolicySpec;
}

export function isPodSecurityPolicy(object: K8sObject): boolean {
  return object.kind === "PodSecurityPolicy" && (PSP_API_VERSIONS as readonly string[]).includes(object.apiVersion ?? "");
}

/** Reads the fields of one JSON object, collecting type errors and unknown names. */
class FieldReader {
  constructor(
    private readonly source: Record<string, unknown>,
    private readonly path: FieldPath,
    private readonly errors: FieldError[],
    private readonly known: Set<string> = new Set(),
  ) {}

  private take(name: string): unknown {
    this.known.add(name);
    return this.source[name];
  }

  bool(name: string): boolean | undefined {
    const v = this.take(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") {
      this.errors.push(invalid(this.path.child(name), v, "expected a boolean (true or false)"));
      return undefined;
    }
    return v;
  }

  string(name: string): string | undefined {
    const v = this.take(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") {
      this.errors.push(invalid(this.path.child(name), v, "expected a string"));
      return undefined;
    }
    return v;
  }

  /** A Go integer field of `bits` bits: a whole number outside its range fails decoding, as a fraction does. */
  int(name: string, bits: 32 | 64 = 64): number | undefined {
    const v = this.take(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      this.errors.push(invalid(this.path.child(name), v, "expected an integer"));
      return undefined;
    }
    const limit = 2 ** (bits - 1);
    if (v < -limit || v >= limit) {
      this.errors.push(invalid(this.path.child(name), v, `expected an integer that fits int${bits}`));
      return undefined;
    }
    return v;
  }

  strings(name: string): string[] {
    const v = this.take(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.errors.push(invalid(this.path.child(name), v, "expected a list of strings"));
      return [];
    }
    const out: string[] = [];
    v.forEach((item, i) => {
      if (typeof item === "string") out.push(item);
      else this.errors.push(invalid(this.path.child(name).index(i), item, "expected a string"));
    });
    return out;
  }

  objects<T>(name: string, read: (r: FieldReader, path: FieldPath) => T): T[] {
    const v = this.take(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.errors.push(invalid(this.path.child(name), v, "expected a list"));
      return [];
    }
    const out: T[] = [];
    v.forEach((item, i) => {
      const itemPath = this.path.child(name).index(i);
      if (!isRecord(item)) {
        this.errors.push(invalid(itemPath, item, "expected an object"));
        return;
      }
      const reader = new FieldReader(item, itemPath, this.errors);
      out.push(read(reader, itemPath));
      reader.reportUnknown();
    });
    return out;
  }

  object<T>(name: string, read: (r: FieldReader, path: FieldPath) => T): T | undefined {
    const v = this.take(name);
    if (v === undefined || v === null) return undefined;
    const path = this.path.child(name);
    if (!isRecord(v)) {
      this.errors.push(invalid(path, v, "expected an object"));
      return undefined;
    }
    const reader = new FieldReader(v, path, this.errors);
    const result = read(reader, path);
    reader.reportUnknown();
    return result;
  }

  reportUnknown(): void {
    for (const name of Object.keys(this.source)) {
      if (!this.known.has(name)) this.errors.push(invalid(this.path.child(name), this.source[name], "unknown field"));
    }
  }
}

function readRange(r: FieldReader): IDRange {
  return { min: r.int("min") ?? 0, max: r.int("max") ?? 0 };
}

/** HostPortRange's bounds are int32, where IDRange's are int64. */
function readHostPortRange(r: FieldReader): IDRange {
  return { min: r.int("min", 32) ?? 0, max: r.int("max", 32) ?? 0 };
}

function readRangeStrategy(r: FieldReader): RangeStrategy {
  return { rule: r.string("rule") ?? "", ranges: r.objects("ranges", readRange) };
}

function readSELinuxOptions(r: FieldReader): SELinuxOptions {
  const out: SELinuxOptions = {};
  for (const k of ["user", "role", "type", "level"] as const) {
    const v = r.string(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * Read a PSP object. The result is always usable (missing fields take their zero value);
 * `errors` holds every shape problem, to be reported together with `validatePolicy`'s.
 */
export function readPodSecurityPolicy(object: K8sObject): { policy: PodSecurityPolicy; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const name = typeof metadata.name === "string" ? metadata.name : "";
  const annotations: Record<string, string> = {};
  if (isRecord(metadata.annotations)) {
    for (const [k, v] of Object.entries(metadata.annotations)) if (typeof v === "string") annotations[k] = v;
  }
  const specPath = FieldPath.root("spec");
  const rawSpec = object.spec;
  if (!isRecord(rawSpec)) errors.push(required(specPath, "a PodSecurityPolicy needs a spec"));
  const r = new FieldReader(isRecord(rawSpec) ? rawSpec : {}, specPath, errors);
  const spec: PodSecurityPolicySpec = {
    privileged: r.bool("privileged") ?? false,
    defaultAddCapabilities: r.strings("defaultAddCapabilities"),
    requiredDropCapabilities: r.strings("requiredDropCapabilities"),
    allowedCapabilities: r.strings("allowedCapabilities"),
    volumes: r.strings("volumes"),
    hostNetwork: r.bool("hostNetwork") ?? false,
    hostPorts: r.objects("hostPorts", readHostPortRange),
    hostPID: r.bool("hostPID") ?? false,
    hostIPC: r.bool("hostIPC") ?? false,
    seLinux: r.object("seLinux", (s) => {
      const opts = s.object("seLinuxOptions", readSELinuxOptions);
      return { rule: s.string("rule") ?? "", ...(opts ? { seLinuxOptions: opts } : {}) };
    }) ?? { rule: "" },
    runAsUser: r.object("runAsUser", readRangeStrategy) ?? { rule: "", ranges: [] },
    supplementalGroups: r.object("supplementalGroups", readRangeStrategy) ?? { rule: "", ranges: [] },
    fsGroup: r.object("fsGroup", readRangeStrategy) ?? { rule: "", ranges: [] },
    readOnlyRootFilesystem: r.bool("readOnlyRootFilesystem") ?? false,
    // API server defaulting (SetDefaults_PodSecurityPolicySpec): unset means true.
    allowPrivilegeEscalation: r.bool("allowPrivilegeEscalation") ?? true,
    allowedHostPaths: r.objects("allowedHostPaths", (h) => ({ pathPrefix: h.string("pathPrefix") ?? "", readOnly: h.bool("readOnly") ?? false })),
    allowedFlexVolumes: r.objects("allowedFlexVolumes", (f) => ({ driver: f.string("driver") ?? "" })),
    allowedCSIDrivers: r.objects("allowedCSIDrivers", (c) => ({ name: c.string("name") ?? "" })),
    allowedUnsafeSysctls: r.strings("allowedUnsafeSysctls"),
    forbiddenSysctls: r.strings("forbiddenSysctls"),
    allowedProcMountTypes: r.strings("allowedProcMountTypes"),
  };
  const runAsGroup = r.object("runAsGroup", readRangeStrategy);
  if (runAsGroup) spec.runAsGroup = runAsGroup;
  const defaultAllowPrivilegeEscalation = r.bool("defaultAllowPrivilegeEscalation");
  if (defaultAllowPrivilegeEscalation !== undefined) spec.defaultAllowPrivilegeEscalation = defaultAllowPrivilegeEscalation;
  const runtimeClass = r.object("runtimeClass", (rc) => {
    const out: RuntimeClassStrategy = { allowedRuntimeClassNames: rc.strings("allowedRuntimeClassNames") };
    const def = rc.string("defaultRuntimeClassName");
    if (def !== undefined) out.defaultRuntimeClassName = def;
    return out;
  });
  if (runtimeClass) spec.runtimeClass = runtimeClass;
  if (isRecord(rawSpec)) r.reportUnknown();
  return { policy: { name, apiVersion: object.apiVersion ?? "policy/v1beta1", annotations, spec }, errors };
}
