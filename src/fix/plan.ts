import { isDeepStrictEqual } from "node:util";
import { visitContainers, type ContainerRef } from "../k8s/containers.js";
import { isRecord, valueAt, type FieldPath } from "../k8s/types.js";
import type { Level, Version } from "../podsecurity/levels.js";
import { evaluatePod, type Violation } from "../podsecurity/evaluate.js";
import { isWindowsPod, type PodView } from "../podsecurity/pod.js";
import { applyToJson, type Edit } from "./edits.js";
import { podSeccompFix } from "./seccomp-fix.js";

/**
 * What `palisade fix` changes in one pod (template) to pass a Pod Security level, and
 * what it refuses to change. Fixable checks are the ones whose fix only narrows what a
 * well-behaved workload already does: run as non-root, drop capabilities, the runtime's
 * default seccomp profile (or the one a legacy annotation names, which the field must agree
 * with), no privilege escalation, no added capabilities beyond the level. Everything that
 * would change what the workload does (host namespaces, host paths and ports, privileged
 * mode, explicit Unconfined profile fields, UID 0, volumes, sysctls, SELinux types, proc
 * mounts) is reported, never edited. A legacy `unconfined` seccomp annotation, which the
 * API server refuses beside the field the level needs, is removed and reported as an
 * override (seccomp-fix.ts).
 */

export interface Change {
  checkId: string;
  /** Path relative to the pod (template), e.g. ["spec", "securityContext", "runAsNonRoot"]. */
  path: FieldPath;
  description: string;
  /** The edit that makes the change (the report says "fixed" only when it was written). */
  edit: Edit;
  /**
   * Set when the edit replaces or removes a value the manifest wrote (allowPrivilegeEscalation:
   * true, an added capability), as opposed to filling in a field it left out: `value` is what
   * was written there. An explicit null is Kubernetes' "unset", so filling it is not an override.
   */
  overrides?: { value: unknown };
}

export interface NotFixed {
  checkId: string;
  reason: string;
  detail: string;
  fields: FieldPath[];
  /** Why palisade leaves it to a person. */
  why: string;
}

export interface PodFixPlan {
  /** Edits in rounds: each round's paths refer to the pod as the previous rounds left it. */
  rounds: Edit[][];
  changes: Change[];
  notFixed: NotFixed[];
  /** Violations before any edit. */
  before: Violation[];
  /** Violations after the edits (all of them in notFixed). */
  after: Violation[];
}

const WONT_FIX: Readonly<Record<string, string>> = {
  hostNamespaces: "sharing the node's network, PID or IPC namespace is part of what this workload does",
  privileged: "a privileged container needs host access by design; remove privileged only after checking what it uses",
  hostPathVolumes: "the workload reads or writes the node's filesystem; replace hostPath with a volume type that carries the data",
  hostPorts: "the workload listens on the node's ports; use a Service instead",
  hostProbesAndHostLifecycle: "probes or hooks address another host; point them at the pod instead",
  appArmorProfile: "an explicit AppArmor profile other than the runtime default was chosen on purpose",
  seLinuxOptions: "a custom SELinux type, user or role was chosen on purpose",
  procMount: "an unmasked /proc was asked for on purpose",
  procMount_restricted: "an unmasked /proc was asked for on purpose",
  seccompProfile_baseline: "an explicit Unconfined seccomp profile was chosen on purpose",
  sysctls: "the workload tunes kernel parameters the level does not allow",
  restrictedVolumes: "the workload mounts a volume type the level does not allow",
  windowsHostProcess: "a Windows HostProcess container runs on the host by design",
  runAsUser: "the workload is set to run as UID 0; pick a non-root UID its image supports",
};

/** Why palisade leaves a check's violation to a person, when no edit was refused for it. */
export function whyNotFixed(checkId: string): string {
  return WONT_FIX[checkId] ?? "changing it would change what the workload does";
}

function containers(pod: PodView): ContainerRef[] {
  return visitContainers(pod.spec);
}

/**
 * The value an edit takes away from the pod as the manifest wrote it, if any. Edits of
 * later rounds only touch what earlier rounds left alone, so the working copy's value at the
 * path is still the manifest's.
 */
function overriddenValue(pod: PodView, e: Edit): { value: unknown } | undefined {
  if (e.op !== "set" && e.op !== "remove") return undefined;
  const value = valueAt(pod, e.path);
  if (value === undefined || value === null) return undefined;
  if (e.op === "set" && isDeepStrictEqual(value, e.value)) return undefined;
  return { value };
}

/** One round of edits for the current violations. */
function editsFor(pod: PodView, violations: readonly Violation[]): { edits: Edit[]; changes: Change[]; refused: Map<string, string> } {
  const edits: Edit[] = [];
  const changes: Change[] = [];
  const refused = new Map<string, string>();
  const edit = (checkId: string, e: Edit, description: string) => {
    edits.push(e);
    const overridden = overriddenValue(pod, e);
    changes.push({ checkId, path: e.path, description, edit: e, ...(overridden ? { overrides: overridden } : {}) });
  };
  // The API server refuses these fields in a Windows pod; from v1.25 Pod Security does not ask for them there.
  const windows = isWindowsPod(pod.spec);
  const forWindows = (field: string) => `a Windows pod (spec.os.name: windows) cannot set ${field}: the API server refuses it; Pod Security exempts Windows pods from this check from v1.25 (use --pss-version v1.25 or later)`;
  for (const v of violations) {
    if (windows && v.checkId === "allowPrivilegeEscalation") {
      refused.set(v.checkId, forWindows("securityContext.allowPrivilegeEscalation"));
      continue;
    }
    if (windows && v.checkId === "seccompProfile_restricted") {
      refused.set(v.checkId, forWindows("securityContext.seccompProfile"));
      continue;
    }
    switch (v.checkId) {
      case "allowPrivilegeEscalation":
        for (const { container, path } of containers(pod)) {
          const sc = isRecord(container.securityContext) ? container.securityContext : {};
          // The API server rejects allowPrivilegeEscalation: false on a privileged container.
          if (sc.allowPrivilegeEscalation === false) continue;
          if (sc.privileged === true) {
            refused.set(v.checkId, "a privileged container always allows privilege escalation; remove privileged first");
            continue;
          }
          edit(v.checkId, { op: "set", path: [...path, "securityContext", "allowPrivilegeEscalation"], value: false }, `container ${String(container.name)}: allowPrivilegeEscalation: false`);
        }
        break;
      case "runAsNonRoot": {
        const explicitFalse = [valueAt(pod, ["spec", "securityContext", "runAsNonRoot"]), ...containers(pod).map((c) => valueAt(c.container, ["securityContext", "runAsNonRoot"]))].includes(false);
        const root = [valueAt(pod, ["spec", "securityContext", "runAsUser"]), ...containers(pod).map((c) => valueAt(c.container, ["securityContext", "runAsUser"]))].includes(0);
        if (explicitFalse) refused.set(v.checkId, "runAsNonRoot: false is set explicitly; the workload says it may run as root");
        else if (root) refused.set(v.checkId, "the workload is set to run as UID 0; pick a non-root UID its image supports");
        else edit(v.checkId, { op: "set", path: ["spec", "securityContext", "runAsNonRoot"], value: true }, "pod: runAsNonRoot: true (the image must run as a non-root numeric UID)");
        break;
      }
      case "seccompProfile_restricted": {
        const podProfile = valueAt(pod, ["spec", "securityContext", "seccompProfile"]);
        // A container's own profile of a type the level refuses overrides any pod profile:
        // adding one would change nothing but the annotations it must agree with.
        const refusedOwn = containers(pod)
          .map((c) => valueAt(c.container, ["securityContext", "seccompProfile"]))
          .find((p) => p !== undefined && p !== null && !(isRecord(p) && (p.type === "RuntimeDefault" || p.type === "Localhost")));
        if ((podProfile === undefined || podProfile === null) && refusedOwn === undefined) {
          // The field must agree with the legacy annotations the manifest keeps (seccomp-fix.ts).
          const fix = podSeccompFix(pod, containers(pod));
          if ("refused" in fix) refused.set(v.checkId, fix.refused);
          else for (const planned of fix.edits) edit(v.checkId, planned.edit, planned.description);
        } else {
          const set = podProfile ?? refusedOwn;
          const type = isRecord(set) ? set.type : undefined;
          refused.set(v.checkId, type === "Unconfined" ? WONT_FIX.seccompProfile_baseline ?? "" : "a seccomp profile is set explicitly at pod or container level");
        }
        break;
      }
      case "capabilities_restricted":
      case "capabilities_baseline":
        for (const field of v.fields) {
          const last = field[field.length - 1];
          if (field.at(-2) === "add" && typeof last === "number") {
            edit(v.checkId, { op: "remove", path: field }, `remove added capability ${String(valueAt(pod, field))}`);
          } else if (last === "drop" && windows) {
            refused.set(v.checkId, forWindows("securityContext.capabilities"));
          } else if (last === "drop") {
            const drop = valueAt(pod, field);
            if (Array.isArray(drop)) edit(v.checkId, { op: "append", path: field, value: "ALL" }, "capabilities.drop: add ALL");
            else edit(v.checkId, { op: "set", path: field, value: ["ALL"] }, "capabilities.drop: [ALL]");
          }
        }
        break;
      default:
        refused.set(v.checkId, WONT_FIX[v.checkId] ?? "changing it would change what the workload does");
    }
  }
  return { edits, changes, refused };
}

/** Plan the smallest edits that make the pod pass `level` at `version`, verified by evaluating the result. */
export function planPodFix(level: Level, version: Version, pod: PodView): PodFixPlan {
  const before = evaluatePod(level, version, pod);
  const working = structuredClone(pod);
  const rounds: Edit[][] = [];
  const changes: Change[] = [];
  let refused = new Map<string, string>();
  let current = before;
  // A fix can reveal another check's violation (a new capabilities map, say); a few rounds settle it.
  for (let round = 0; round < 4 && current.length > 0; round++) {
    const next = editsFor(working, current);
    refused = next.refused;
    if (next.edits.length === 0) break;
    applyToJson(working, next.edits);
    rounds.push(next.edits);
    changes.push(...next.changes);
    current = evaluatePod(level, version, working);
  }
  const notFixed = current.map((v) => ({
    checkId: v.checkId, reason: v.reason, detail: v.detail, fields: v.fields,
    why: refused.get(v.checkId) ?? WONT_FIX[v.checkId] ?? "changing it would change what the workload does",
  }));
  return { rounds, changes, notFixed, before, after: current };
}
