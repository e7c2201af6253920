/**
 * A Service's cluster IPs, IP families and family policy as the Service REST storage judges
 * them on create, before the strategy's validation runs (pkg/registry/core/service/storage:
 * beginCreate's normalizeClusterIPs, then allocateCreate's initIPFamilyFields):
 *
 * - a clusterIP written without clusterIPs becomes clusterIPs [clusterIP];
 * - an unset ipFamilyPolicy becomes RequireDualStack for a headless Service without a
 *   selector, SingleStack otherwise;
 * - ValidateServiceClusterIPsRelatedFields (pkg/apis/core/validation) judges the fields, and
 *   its errors are the whole answer: the object is refused before anything else is validated;
 * - then SingleStack with two cluster IPs or two families is refused, again alone.
 *
 * What depends on the cluster (a family it is not configured for, dual-stack on a single-stack
 * cluster, an address outside the service CIDR) is not judged. ExternalName Services skip all
 * of this; ValidateService forbids the fields for them instead (refused-service.ts).
 */
import { isRecord, type FieldPath } from "../k8s/types.js";
import { duplicate, invalid, notSupported, type ApiFieldError } from "./api-field-errors.js";
import { isIPv4, parseGoIP } from "./go-ip.js";

const IP_FAMILIES = ["IPv4", "IPv6"] as const;
const IP_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"] as const;
const CLUSTER_IPS_TODO = "write clusterIP alone, or clusterIPs with clusterIP as its first value; \"None\" makes the Service headless";
const FAMILY_TODO = "list each IP family once, as IPv4 or IPv6, in the order of clusterIPs";
const POLICY_TODO = "set ipFamilyPolicy: PreferDualStack or RequireDualStack to ask for two families or cluster IPs";

/** A list of text as Go decodes it: [] for absent or null, undefined when the decoder refuses it (manifest/wrong-type's to report). */
export function textList(value: unknown): readonly string[] | undefined {
  if (value === undefined || value === null) return NO_TEXTS;
  if (!Array.isArray(value)) return undefined;
  for (const item of value) if (typeof item !== "string" && item !== null) return undefined;
  return value.map((item: string | null) => item ?? "");
}

/** Text as Go decodes it: "" for absent or null, undefined when it is not text. */
export function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : undefined;
}

const NO_TEXTS: readonly string[] = [];

/** spec.clusterIPs after normalizeClusterIPs, and where the manifest holds it. */
export interface ClusterIPs {
  values: readonly string[];
  /** False when the list is clusterIP's, copied: its errors point at spec.clusterIP. */
  written: boolean;
}

/** The normalized clusterIPs, or undefined when clusterIP or clusterIPs does not decode. */
export function clusterIPsOf(spec: Record<string, unknown>): ClusterIPs | undefined {
  const clusterIP = textOf(spec.clusterIP);
  const written = textList(spec.clusterIPs);
  if (clusterIP === undefined || written === undefined) return undefined;
  if (clusterIP !== "" && written.length === 0) return { values: [clusterIP], written: false };
  return { values: written, written: true };
}

/** isHeadlessService: one cluster IP, "None". */
export function isHeadless(ips: ClusterIPs): boolean {
  return ips.values.length === 1 && ips.values[0] === "None";
}

/** Where the manifest holds clusterIPs[index] (clusterIP's value, when clusterIPs was not written). */
export function clusterIPAt(ips: ClusterIPs, index?: number): FieldPath {
  if (!ips.written) return ["spec", "clusterIP"];
  return index === undefined ? ["spec", "clusterIPs"] : ["spec", "clusterIPs", index];
}

/** The refusals of initIPFamilyFields, for a Service whose type (after defaulting) is not ExternalName. */
export function clusterIPRefusals(spec: Record<string, unknown>): ApiFieldError[] {
  const ips = clusterIPsOf(spec);
  const clusterIP = textOf(spec.clusterIP);
  const families = textList(spec.ipFamilies);
  const writtenPolicy = spec.ipFamilyPolicy;
  if (ips === undefined || clusterIP === undefined || families === undefined || (writtenPolicy != null && typeof writtenPolicy !== "string")) return [];
  const out = relatedFieldRefusals(ips, clusterIP, families, writtenPolicy);
  if (out.length > 0) return out;
  const selector = spec.selector;
  const policy = writtenPolicy ?? (clusterIP === "None" && !(isRecord(selector) && Object.keys(selector).length > 0) ? "RequireDualStack" : "SingleStack");
  if (policy !== "SingleStack") return out;
  const policyAt = (otherwise: FieldPath): FieldPath => (writtenPolicy != null ? ["spec", "ipFamilyPolicy"] : otherwise);
  if (ips.values.length === 2) {
    out.push({ at: policyAt(clusterIPAt(ips)), text: invalid("spec.ipFamilyPolicy", policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"), todo: POLICY_TODO });
  }
  if (families.length === 2) {
    out.push({ at: policyAt(["spec", "ipFamilies"]), text: invalid("spec.ipFamilyPolicy", policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"), todo: POLICY_TODO });
  }
  return out;
}

/** ValidateServiceClusterIPsRelatedFields, for a Service that is not ExternalName. */
function relatedFieldRefusals(ips: ClusterIPs, clusterIP: string, families: readonly string[], policy: string | null | undefined): ApiFieldError[] {
  const out: ApiFieldError[] = [];
  const values = ips.values;
  // Normalization gave a lone clusterIP its list, so upstream's "Required" for it cannot arise.
  if (clusterIP !== "") {
    if (values[0] !== clusterIP) out.push({ at: ["spec", "clusterIPs"], text: invalid("spec.clusterIPs", values, "first value must match `clusterIP`"), todo: CLUSTER_IPS_TODO });
  } else if (values.length !== 0) {
    out.push({ at: ["spec", "clusterIPs"], text: invalid("spec.clusterIPs", values, "must be empty when `clusterIP` is not specified"), todo: CLUSTER_IPS_TODO });
  }
  families.forEach((family, index) => {
    if (family !== "IPv4" && family !== "IPv6") out.push({ at: ["spec", "ipFamilies", index], text: notSupported(`spec.ipFamilies[${index}]`, family, IP_FAMILIES), todo: FAMILY_TODO });
    if (families.indexOf(family) < index) out.push({ at: ["spec", "ipFamilies", index], text: duplicate(`spec.ipFamilies[${index}]`, family), todo: FAMILY_TODO });
  });
  if (policy != null && !(IP_FAMILY_POLICIES as readonly string[]).includes(policy)) {
    out.push({ at: ["spec", "ipFamilyPolicy"], text: notSupported("spec.ipFamilyPolicy", policy, IP_FAMILY_POLICIES), todo: "set ipFamilyPolicy to SingleStack, PreferDualStack or RequireDualStack" });
  }
  let hasInvalidIPs = false;
  const parsed: (Uint8Array | undefined)[] = [];
  values.forEach((ip, index) => {
    if (index === 0 && ip === "None") {
      if (values.length > 1) {
        hasInvalidIPs = true;
        out.push({ at: clusterIPAt(ips), text: invalid("spec.clusterIPs", values, "'None' must be the first and only value"), todo: CLUSTER_IPS_TODO });
      }
      return;
    }
    const address = parseGoIP(ip);
    parsed[index] = address;
    if (address !== undefined) return;
    hasInvalidIPs = true;
    out.push({ at: clusterIPAt(ips, index), text: invalid(`spec.clusterIPs[${index}]`, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"), todo: "write an IPv4 or IPv6 address, or \"None\"" });
  });
  if (values.length > 2) out.push({ at: clusterIPAt(ips), text: invalid("spec.clusterIPs", values, "may only hold up to 2 values"), todo: "give at most one cluster IP of each family" });
  if (hasInvalidIPs) return out;
  if (values.length > 1) {
    const v4 = parsed.filter((ip) => ip !== undefined && isIPv4(ip)).length;
    if (v4 === 0 || v4 === parsed.length) out.push({ at: clusterIPAt(ips), text: invalid("spec.clusterIPs", values, "may specify no more than one IP for each IP family"), todo: "give one IPv4 and one IPv6 cluster IP" });
  }
  if (!isHeadless(ips) && families.length > 0) {
    for (let index = 0; index < values.length && index < families.length; index++) {
      const ip = parsed[index];
      if (ip === undefined) continue;
      const expected = families[index] === "IPv4" && !isIPv4(ip) ? "IPv4" : families[index] === "IPv6" && isIPv4(ip) ? "IPv6" : undefined;
      if (expected !== undefined) {
        out.push({ at: clusterIPAt(ips, index), text: invalid(`spec.clusterIPs[${index}]`, values[index], `expected an ${expected} value as indicated by \`ipFamilies[${index}]\``), todo: FAMILY_TODO });
      }
    }
  }
  return out;
}
