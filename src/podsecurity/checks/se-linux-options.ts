import { ALLOWED, forbidden, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, type PodView, type SecurityContextFields } from "../pod.js";

const TYPES_1_0 = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);
const TYPES_1_31 = new Set([...TYPES_1_0, "container_engine_t"]);

function nonEmpty(value: unknown): boolean {
  return typeof value === "string" && value.length > 0;
}

function seLinuxOptionsCheck(allowedTypes: ReadonlySet<string>) {
  return ({ spec }: PodView): CheckResult => {
    const badSetters: string[] = [];
    const badTypes: string[] = [];
    const fields: FieldPath[] = [];
    let setUser = false;
    let setRole = false;
    const valid = (sc: SecurityContextFields | null | undefined, at: FieldPath): boolean => {
      const opts = sc?.seLinuxOptions;
      if (opts == null) return true;
      let ok = true;
      const type = typeof opts.type === "string" ? opts.type : "";
      if (!allowedTypes.has(type)) {
        ok = false;
        badTypes.push(type);
        fields.push([...at, "seLinuxOptions", "type"]);
      }
      if (nonEmpty(opts.user)) {
        ok = false;
        setUser = true;
        fields.push([...at, "seLinuxOptions", "user"]);
      }
      if (nonEmpty(opts.role)) {
        ok = false;
        setRole = true;
        fields.push([...at, "seLinuxOptions", "role"]);
      }
      return ok;
    };
    if (!valid(spec.securityContext, ["spec", "securityContext"])) badSetters.push("pod");
    const badContainers = containersOf(spec)
      .filter((c) => !valid(c.container.securityContext, [...c.path, "securityContext"]))
      .map((c) => c.name);
    if (badContainers.length > 0) badSetters.push(`${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)}`);
    if (badSetters.length === 0) return ALLOWED;
    // Upstream only words user/role when a type was also bad; the detail is kept identical.
    const badData: string[] = [];
    const types = sortedUnique(badTypes);
    if (types.length > 0) {
      badData.push(`${pluralize("type", "types", types.length)} ${joinQuote(types)}`);
      if (setUser) badData.push("user may not be set");
      if (setRole) badData.push("role may not be set");
    }
    return forbidden("seLinuxOptions", `${badSetters.join(" and ")} set forbidden securityContext.seLinuxOptions: ${badData.join("; ")}`, fields);
  };
}

export const seLinuxOptions: Check = {
  id: "seLinuxOptions",
  level: "baseline",
  title: "Setting a custom SELinux user or role, or a non-container SELinux type, is forbidden",
  remediation: "Remove seLinuxOptions.user and .role; use type container_t, container_init_t, container_kvm_t (or container_engine_t from v1.31), or leave it unset.",
  versions: [
    { minimumMinor: 0, check: seLinuxOptionsCheck(TYPES_1_0) },
    { minimumMinor: 31, check: seLinuxOptionsCheck(TYPES_1_31) },
  ],
};
