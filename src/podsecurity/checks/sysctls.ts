import { ALLOWED, forbidden, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import type { PodView } from "../pod.js";

const SAFE_1_0 = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"];
const SAFE_1_27 = [...SAFE_1_0, "net.ipv4.ip_local_reserved_ports"];
const SAFE_1_29 = [...SAFE_1_27, "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];
const SAFE_1_32 = [...SAFE_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SAFE_1_37 = [...SAFE_1_32, "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"];

function sysctlsCheck(safe: readonly string[]) {
  const allowed = new Set(safe);
  return ({ spec }: PodView): CheckResult => {
    const list = spec.securityContext?.sysctls;
    if (!Array.isArray(list)) return ALLOWED;
    const bad: string[] = [];
    const fields: FieldPath[] = [];
    list.forEach((s: unknown, i) => {
      const name = (s as { name?: unknown } | null)?.name;
      if (typeof name !== "string" || !allowed.has(name)) {
        bad.push(String(name ?? ""));
        fields.push(["spec", "securityContext", "sysctls", i, "name"]);
      }
    });
    return bad.length === 0 ? ALLOWED : forbidden("forbidden sysctls", bad.join(", "), fields);
  };
}

export const sysctls: Check = {
  id: "sysctls",
  level: "baseline",
  title: "Sysctls must be limited to the safe, namespaced subset",
  remediation: "Remove sysctls outside the safe set from spec.securityContext.sysctls.",
  versions: [
    { minimumMinor: 0, check: sysctlsCheck(SAFE_1_0) },
    { minimumMinor: 27, check: sysctlsCheck(SAFE_1_27) },
    { minimumMinor: 29, check: sysctlsCheck(SAFE_1_29) },
    { minimumMinor: 32, check: sysctlsCheck(SAFE_1_32) },
    { minimumMinor: 37, check: sysctlsCheck(SAFE_1_37) },
  ],
};
