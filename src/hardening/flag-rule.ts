import type { Pillar, Rule, Severity } from "../findings/types.js";
import { parseCidr, parseIp, rangeContains, type IpRange } from "../network/cidr.js";
import { parseGoBool, type ControlPlaneContainer, type Flag } from "./flags.js";

/** A verdict of one flag rule: what is wrong and which flag (if any) says so. */
export interface FlagVerdict {
  message: string;
  flag?: Flag;
}

/** A control-plane flag rule: a small record, as the Pod Security checks are. */
export interface FlagRule extends Rule {
  component: ControlPlaneContainer["component"];
  check(container: ControlPlaneContainer): FlagVerdict | undefined;
}

/** Rule ids are prefixed by component, as their flags are documented. */
const COMPONENT_PREFIX: Record<string, string> = { "kube-apiserver": "apiserver", etcd: "etcd", "kube-controller-manager": "controller-manager", "kube-scheduler": "scheduler" };
const REFERENCE: Record<string, string> = {
  "kube-apiserver": "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/",
  etcd: "https://etcd.io/docs/v3.5/op-guide/security/",
  "kube-controller-manager": "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/",
  "kube-scheduler": "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-scheduler/",
};

/** The rule-record builder of one component. */
export function flagRules(component: ControlPlaneContainer["component"]) {
  return (id: string, title: string, severity: Severity, pillar: Pillar, description: string, remediation: string, check: FlagRule["check"]): FlagRule => ({
    id: `${COMPONENT_PREFIX[component] ?? component}/${id}`,
    title,
    family: "hardening",
    pillar,
    severity,
    component,
    docs: { description, remediation, ...(REFERENCE[component] ? { helpUri: REFERENCE[component] } : {}) },
    check,
  });
}

/**
 * A flag as the component sees it: `--name=` (an empty value) leaves a path or list flag at
 * its default, so `--encryption-provider-config=` encrypts nothing and is read as unset.
 */
export const flag = (c: ControlPlaneContainer, name: string): Flag | undefined => {
  const f = c.flags.get(name);
  return f && f.value !== "" ? f : undefined;
};

/**
 * A boolean flag that must be `want`, with the component's default when unset, its value
 * read as Go's strconv.ParseBool reads it (`=0`, `=f` and `=FALSE` are false): the verdict
 * names the flag as written, or says that it is unset and what that means.
 */
export function booleanFlag(c: ControlPlaneContainer, name: string, want: boolean, byDefault: boolean, consequence: string): FlagVerdict | undefined {
  const f = flag(c, name);
  if (!f) return byDefault === want ? undefined : { message: `--${name} is not set, and defaults to ${byDefault}: ${consequence}` };
  const value = parseGoBool(f.value);
  if (value === undefined) return { message: `${f.written} is not a boolean, so ${c.component} refuses to start; --${name}=${want} is needed`, flag: f };
  // A bare `--name` is true; it says so, for a following "false" is not its value (see refuses-to-start).
  const written = f.written.includes("=") ? f.written : `${f.written} (no value: true)`;
  return value === want ? undefined : { message: `${written}: ${consequence}`, flag: f };
}

const LOOPBACK_RANGES = ["127.0.0.0/8", "::1/128"].map((cidr) => parseCidr(cidr) as IpRange);

/** Whether an address (as a flag or a URL writes it: `localhost`, `127.0.0.1`, `[::1]`) reaches only this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare === "localhost") return true;
  const ip = parseIp(bare);
  return ip !== undefined && LOOPBACK_RANGES.some((range) => rangeContains(range, ip));
}
