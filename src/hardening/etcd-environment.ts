/**
 * etcd's settings beyond its command line (etcd server/etcdmain/config.go parse and
 * configFromCmdLine; pkg/flags SetFlagsFromEnv). With --config-file, or ETCD_CONFIG_FILE when
 * that flag is not given, etcd reads that file and ignores its other flags and every ETCD_*
 * variable. Without, each flag not on the command line takes ETCD_<NAME> (upper case, `-` as `_`)
 * when that variable is set and not empty; and a variable set for a flag that IS on the command
 * line stops etcd (verifyEnv: "conflicting environment variable is shadowed by corresponding
 * command-line flag").
 */
import { isRecord, type FieldPath } from "../k8s/types.js";
import type { ControlPlaneContainer, Flag } from "./flags.js";

interface Variable {
  name: string;
  value: string;
  path: FieldPath;
}

export function applyEtcdEnvironment(container: ControlPlaneContainer, env: unknown, envPath: FieldPath): void {
  const variables = etcdVariables(env, envPath);
  const configFlag = container.flags.get("config-file");
  const configVariable = variables.get("ETCD_CONFIG_FILE");
  if (configFlag && configFlag.value !== "") container.configFile = configFlag;
  else if (configVariable && configVariable.value !== "") container.configFile = asFlag("config-file", configVariable);
  if (container.configFile) return;
  const onCommandLine = new Set([...container.flags.keys()].map(variableName));
  for (const variable of variables.values()) {
    if (onCommandLine.has(variable.name)) {
      container.refusals.push({ message: `etcd refuses to start: ${variable.name} is set and so is --${flagName(variable.name)} on the command line, and etcd exits on a variable its flag shadows`, path: variable.path });
      continue;
    }
    if (variable.value === "") continue; // An empty variable is not read.
    const name = flagName(variable.name);
    container.flags.set(name, asFlag(name, variable));
  }
}

/**
 * The container's ETCD_* variables with a literal value, the last of each name (the kubelet lets
 * a later entry replace an earlier one); a value from a ConfigMap or Secret (valueFrom, envFrom)
 * is not in the manifest, so it is not read.
 */
function etcdVariables(env: unknown, envPath: FieldPath): Map<string, Variable> {
  const variables = new Map<string, Variable>();
  if (!Array.isArray(env)) return variables;
  env.forEach((entry: unknown, index) => {
    if (!isRecord(entry) || typeof entry.name !== "string" || !entry.name.startsWith("ETCD_")) return;
    if (typeof entry.value !== "string" && entry.value !== undefined) return;
    if (entry.valueFrom !== undefined) return;
    variables.set(entry.name, { name: entry.name, value: entry.value ?? "", path: entry.value === undefined ? [...envPath, index] : [...envPath, index, "value"] });
  });
  return variables;
}

/** pkg/flags FlagToEnv: ETCD_ and the flag's name in upper case with `-` as `_`. */
const variableName = (flag: string) => `ETCD_${flag.toUpperCase().replace(/-/g, "_")}`;
const flagName = (variable: string) => variable.slice("ETCD_".length).toLowerCase().replace(/_/g, "-");
const asFlag = (name: string, variable: Variable): Flag => ({ name, value: variable.value, written: `${variable.name}=${variable.value}`, path: variable.path });
