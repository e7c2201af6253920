/**
 * Flag values a component validates before it serves anything, and refuses: the checks that a
 * manifest's author gets wrong through the flag syntax itself, not through a choice of setting.
 */
import { authorizationRefusals } from "./apiserver-authorization-refusals.js";
import type { ControlPlaneContainer, Refusal } from "./flags.js";

/**
 * List flags whose items are names from a fixed set (admission plugins, cipher suites,
 * controllers): an item holding a comma, surrounding spaces or nothing is none of them. pflag
 * keeps such items whole (a quoted CSV field keeps its commas, no item is trimmed), and the
 * component's Validate refuses the name. Authorization modes, a set small and fixed enough to
 * know in full, are checked name by name in apiserver-authorization-refusals.ts.
 */
const NAMED_ITEMS: Record<string, Readonly<Record<string, string>>> = {
  "kube-apiserver": { "enable-admission-plugins": "admission plugin", "disable-admission-plugins": "admission plugin", "admission-control": "admission plugin", "tls-cipher-suites": "cipher suite" },
  "kube-controller-manager": { controllers: "controller", "tls-cipher-suites": "cipher suite" },
  "kube-scheduler": { "tls-cipher-suites": "cipher suite" },
};

export function validationRefusals(c: ControlPlaneContainer): Refusal[] {
  const refusals: Refusal[] = [];
  for (const [name, kind] of Object.entries(NAMED_ITEMS[c.component] ?? {})) {
    const f = c.flags.get(name);
    const bad = f?.items?.find((item) => item === "" || item.includes(",") || item.trim() !== item);
    if (f && bad !== undefined) refusals.push({ message: `${c.component} refuses to start: ${f.written} is read as the ${kind} ${JSON.stringify(bad)}, which does not exist${bad.includes(",") ? " (pflag reads the value as CSV, where quotes keep the commas inside one item)" : ""}`, path: f.path });
  }
  if (c.component === "kube-apiserver") refusals.push(...admissionRefusals(c), ...authorizationRefusals(c));
  return refusals;
}

/**
 * kube-apiserver's admission options: a plugin both enabled and disabled (apiserver's
 * AdmissionOptions.Validate, "overlapped"), or --admission-control given with either list, even
 * empty (kubeapiserver's AdmissionOptions.Validate: "mutually exclusive").
 */
function admissionRefusals(c: ControlPlaneContainer): Refusal[] {
  const enable = c.flags.get("enable-admission-plugins");
  const disable = c.flags.get("disable-admission-plugins");
  const legacy = c.flags.get("admission-control");
  const refusals: Refusal[] = [];
  const both = (enable?.items ?? []).filter((plugin) => disable?.items?.includes(plugin));
  if (both.length > 0 && disable) refusals.push({ message: `kube-apiserver refuses to start: ${[...new Set(both)].join(", ")} ${both.length === 1 ? "is" : "are"} in both --enable-admission-plugins and --disable-admission-plugins`, path: disable.path });
  const other = enable ?? disable;
  if (legacy && other) refusals.push({ message: `kube-apiserver refuses to start: --admission-control cannot be given with --${other.name}`, path: legacy.path });
  return refusals;
}
