/**
 * The Priority admission plugin runs before ResourceQuota: a pod created with no
 * priorityClassName is given the name of the cluster's global-default PriorityClass, and
 * the quota's PriorityClass scope then matches that name (upstream
 * plugin/pkg/admission/priority: admitPod, establishPriority, getDefaultPriorityClass).
 */
import { apiGroupOf } from "../../k8s/snapshot.js";
import { isLiveSource, slimmed, type LoadedObject } from "../../k8s/types.js";

interface DefaultCandidate {
  name: string;
  value: number;
  live: boolean;
  /** Reduced to its reference and the position of its globalDefault field: what a finding on it needs. */
  loaded: LoadedObject;
}

/** A PriorityClass from files marked globalDefault where another class is the default already. */
export interface RefusedDefault {
  loaded: LoadedObject;
  name: string;
  /** The default that stands. */
  existing: string;
}

/** The PriorityClasses of the input marked globalDefault, and the one admission would use. */
export class PriorityDefaults {
  private readonly candidates: DefaultCandidate[] = [];

  /** Records a PriorityClass (scheduling.k8s.io); anything else is ignored. Returns whether it was one. */
  add(loaded: LoadedObject): boolean {
    const { object } = loaded;
    if (object.kind !== "PriorityClass" || apiGroupOf(object.apiVersion) !== "scheduling.k8s.io") return false;
    const name = object.metadata?.name;
    const raw = object as Record<string, unknown>;
    if (raw.globalDefault === true && typeof name === "string" && name !== "") {
      this.candidates.push({ name, value: typeof raw.value === "number" ? raw.value : 0, live: isLiveSource(loaded.source), loaded: slimmed(loaded, ["globalDefault"]) });
    }
    return true;
  }

  /**
   * The class a new pod without one is given, or undefined. In a live cluster two defaults
   * can coexist (a race upstream tolerates): the one with the lowest value wins. From files,
   * the first default created makes the API server refuse every later one ("already
   * marked as default"), so the first in input order wins unless the cluster has one.
   */
  defaultClass(): string | undefined {
    const live = this.candidates.filter((c) => c.live);
    if (live.length > 0) return live.reduce((best, c) => (c.value < best.value ? c : best)).name;
    return this.candidates[0]?.name;
  }

  /**
   * The defaults from files the plugin refuses (upstream validatePriorityClass): every one
   * but the class that is the default, unless it is that class itself (applied again, an update).
   */
  refused(): RefusedDefault[] {
    const existing = this.defaultClass();
    if (existing === undefined) return [];
    return this.candidates.filter((c) => !c.live && c.name !== existing).map((c) => ({ loaded: c.loaded, name: c.name, existing }));
  }
}

/** Whether admission would still default this pod: a live Pod was admitted long ago, when the default may have differed. */
export function getsDefaultPriority(loaded: LoadedObject): boolean {
  return !(loaded.object.kind === "Pod" && isLiveSource(loaded.source));
}

