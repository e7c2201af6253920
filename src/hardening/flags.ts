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
    const flags = new Map<string, Flag>();
    const read = (list: string[], field: "command" | "args") => {
      for (let i = 0; i < list.length; i++) {
        const arg = list[i] as string;
        if (!arg.startsWith("--")) continue;
        const eq = arg.indexOf("=");
        let name: string;
        let value: string;
        if (eq >= 0) {
          name = arg.slice(2, eq);
          value = arg.slice(eq + 1);
        } else {
          name = arg.slice(2);
          const next = list[i + 1];
          value = next !== undefined && !next.startsWith("--") ? next : "true";
        }
        flags.set(name, { name, value, path: [...base, field, i] });
      }
    };
    read(command, "command");
    read(args, "args");
    out.push({ component, flags, path: base });
  });
  return out;
}

/** Comma-separated flag values (--authorization-mode=Node,RBAC). */
export function listValue(flag: Flag | undefined): string[] {
  return flag ? flag.value.split(",").map((s) => s.trim()).filter(Boolean) : [];
}

/**
 * An item of command or args as the kubelet would pass it: a scalar as its text; anything
 * else (which the API server refuses) as nothing, never through String(), which throws on
 * a mapping such as `{toString: false}`.
 */
function asArgument(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}
