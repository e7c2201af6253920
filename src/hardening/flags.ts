import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";

/** One `--name=value` (or `--name value`) argument of a control-plane container. */
export interface Flag {
  name: string;
  value: string;
  /** Where the argument sits, relative to the object root. */
  path: FieldPath;
}

export interface ControlPlaneContainer {
  component: string;
  flags: Map<string, Flag>;
  /** The container, to point at when a flag is missing. */
  path: FieldPath;
}

const COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "etcd"] as const;

/**
 * Boolean flags, which never take the next argument as their value: pflag (and etcd's Go
 * flag package) read `--anonymous-auth false` as --anonymous-auth=true followed by a stray
 * "false" (which kube-apiserver refuses to start with). The flags the rules read, and the
 * common others, so that their next argument is not read as their value either.
 */
const BOOLEAN_FLAGS: Record<string, ReadonlySet<string>> = {
  "kube-apiserver": new Set(["anonymous-auth", "profiling", "contention-profiling", "service-account-lookup", "allow-privileged", "enable-aggregator-routing", "enable-bootstrap-token-auth", "enable-garbage-collector", "enable-priority-and-fairness", "service-account-extend-token-expiration", "audit-log-compress", "enable-logs-handler", "permit-port-sharing", "permit-address-sharing", "logtostderr", "alsologtostderr"]),
  "kube-controller-manager": new Set(["profiling", "contention-profiling", "use-service-account-credentials", "leader-elect", "allocate-node-cidrs", "configure-cloud-routes", "enable-dynamic-provisioning", "enable-garbage-collector", "enable-hostpath-provisioner", "authentication-skip-lookup", "authentication-tolerate-lookup-failure", "permit-port-sharing", "permit-address-sharing"]),
  "kube-scheduler": new Set(["profiling", "contention-profiling", "leader-elect", "authentication-skip-lookup", "authentication-tolerate-lookup-failure", "permit-port-sharing", "permit-address-sharing"]),
  kubelet: new Set(["anonymous-auth", "rotate-certificates", "protect-kernel-defaults", "make-iptables-util-chains", "enable-server", "enable-debugging-handlers", "fail-swap-on", "register-node"]),
  etcd: new Set(["client-cert-auth", "peer-client-cert-auth", "auto-tls", "peer-auto-tls", "enable-pprof", "strict-reconfig-check", "force-new-cluster", "enable-v2", "enable-grpc-gateway", "debug", "pre-vote", "socket-reuse-port", "socket-reuse-address"]),
};

/**
 * pflag string-slice flags: written again, they add to the list instead of replacing it
 * (`--authorization-mode=AlwaysAllow --authorization-mode=RBAC` is both modes). Every other
 * flag written twice takes its last value. --service-account-issuer is a string array, which
 * adds up the same way but does not split on commas: joined here, an issuer holding a comma
 * (no real one does) would read as two.
 */
const SLICE_FLAGS: Record<string, ReadonlySet<string>> = {
  "kube-apiserver": new Set(["authorization-mode", "enable-admission-plugins", "disable-admission-plugins", "admission-control", "etcd-servers", "tls-cipher-suites", "api-audiences", "service-account-issuer"]),
  "kube-controller-manager": new Set(["controllers", "tls-cipher-suites"]),
  "kube-scheduler": new Set(["tls-cipher-suites"]),
  kubelet: new Set(["tls-cipher-suites"]),
};

/**
 * Control-plane components run as static pods (kubeadm and most distributions):
 * recognise them by their binary in command/args, and read their flags.
 */
export function controlPlaneContainers(object: K8sObject): ControlPlaneContainer[] {
  const template = podTemplate(object);
  if (!template) return [];
  const containers = template.pod.spec.containers;
  if (!Array.isArray(containers)) return [];
  const out: ControlPlaneContainer[] = [];
  containers.forEach((c: unknown, index) => {
    if (!isRecord(c)) return;
    const command = Array.isArray(c.command) ? c.command.map(asArgument) : [];
    const args = Array.isArray(c.args) ? c.args.map(asArgument) : [];
    const binary = (command[0] ?? args[0] ?? "").split("/").pop() ?? "";
    const component = COMPONENTS.find((name) => binary === name);
    if (!component) return;
    const base: FieldPath = [...template.path, "spec", "containers", index];
    // The kubelet runs command followed by args: a flag at the end of command takes its value from args.
    const argv = [...command.map((arg, i) => ({ arg, path: [...base, "command", i] })), ...args.map((arg, i) => ({ arg, path: [...base, "args", i] }))];
    out.push({ component, flags: parseFlags(component, argv), path: base });
  });
  return out;
}

/** The flags of one command line, as the component's flag parser reads them. */
function parseFlags(component: string, argv: ReadonlyArray<{ arg: string; path: FieldPath }>): Map<string, Flag> {
  const flags = new Map<string, Flag>();
  const booleans = BOOLEAN_FLAGS[component] ?? new Set<string>();
  const slices = SLICE_FLAGS[component] ?? new Set<string>();
  // etcd parses with Go's flag package, which takes -name as well as --name, and keeps `_` in names.
  const goFlag = component === "etcd";
  for (let i = 1; i < argv.length; i++) {
    const { arg, path } = argv[i] as { arg: string; path: FieldPath };
    if (arg === "--") break; // Everything after is an argument, not a flag.
    const dashes = arg.startsWith("--") ? 2 : goFlag && /^-[^-]/.test(arg) ? 1 : 0;
    if (dashes === 0) continue;
    const body = arg.slice(dashes);
    const eq = body.indexOf("=");
    // Kubernetes components normalise `_` to `-` (component-base's WordSepNormalizeFunc).
    const name = goFlag ? (eq >= 0 ? body.slice(0, eq) : body) : (eq >= 0 ? body.slice(0, eq) : body).replace(/_/g, "-");
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (booleans.has(name)) value = "true";
    else {
      const next = argv[i + 1]?.arg;
      if (next !== undefined && !next.startsWith("--")) {
        value = next;
        i++;
      } else value = "true";
    }
    const previous = flags.get(name);
    if (previous && slices.has(name)) value = [previous.value, value].filter(Boolean).join(",");
    flags.set(name, { name, value, path });
  }
  return flags;
}

/** Comma-separated flag values (--authorization-mode=Node,RBAC). */
export function listValue(flag: Flag | undefined): string[] {
  return flag ? flag.value.split(",").map((s) => s.trim()).filter(Boolean) : [];
}

/**
 * A boolean flag's value as Go's strconv.ParseBool (pflag and Go's flag package) reads it:
 * 1, t, T, TRUE, true, True, and their false counterparts; anything else is refused, and
 * the component does not start.
 */
export function parseGoBool(value: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return undefined;
}

/**
 * An item of command or args as the kubelet would pass it: a scalar as its text; anything
 * else (which the API server refuses) as nothing, never through String(), which throws on
 * a mapping such as `{toString: false}`.
 */
function asArgument(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}
