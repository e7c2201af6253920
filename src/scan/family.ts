import type { Finding, Rule } from "../findings/types.js";
import type { InputSummary } from "../k8s/load.js";
import type { Snapshot } from "../k8s/snapshot.js";
import type { K8sObject, LoadedObject } from "../k8s/types.js";
import type { Level } from "../podsecurity/levels.js";
import type { PodSecurityOverride } from "../podsecurity/namespace-levels.js";
import type { PsaClusterConfig } from "../podsecurity/cluster-config.js";
import type { ImageAdmission } from "../supplychain/images/check.js";
import type { CalicoVersion } from "../network/calico/version.js";
import type { TenancyAdmission } from "../tenancy/scan/admission.js";

/** What every rule family may read besides the snapshot; families ignore what is not theirs. */
export interface ScanOptions {
  /** `--level` / `--pss-version`: judge every pod at this level and version instead of its namespace's. */
  podSecurity?: PodSecurityOverride;
  /** Level for pods whose namespace has no pod-security labels in the snapshot (default restricted). */
  defaultLevel?: Level;
  /** Namespace of objects that name none (kubectl's -n). */
  defaultNamespace?: string;
  /**
   * PSA's cluster configuration from outside the scanned files (the webhook's, with
   * `--admission-config`); it takes the place of one found among them.
   */
  podSecurityCluster?: PsaClusterConfig;
  /** The admission webhook's images policy (`--admission-config`): its registries, digests and latest tags are judged too. */
  imageAdmission?: ImageAdmission;
  /** The admission webhook's tenancy policy (`--admission-config`): every pod template is judged as it judges them. */
  tenancy?: TenancyAdmission;
  /**
   * Attach to the Pod Security findings that `palisade fix` would fix their object's whole
   * fix, as a JSON patch (RFC 6902) to apply once (`kubectl patch --type json`). Off by
   * default: planning costs several evaluations of every failing pod.
   */
  fixes?: boolean;
  /** The moment certificates' expiry is judged at, given by the shell (the core reads no clock); without it, expiry is not judged. */
  now?: Date;
  /** `--calico-version`: whose ordering of equal-order Calico policies to follow (else the inputs' ClusterInformation, else the latest). */
  calicoVersion?: CalicoVersion;
}

/**
 * A rule family as `palisade scan` sees it: its rule records and one pure check over the
 * snapshot. Families are listed in src/scan/families.ts.
 *
 * A streaming scan (src/scan/stream.ts) loads and judges in one pass and keeps an object's
 * tree only while someone needs it. A family takes part in one of two ways: `stream`, which
 * judges each object as it loads (and must find exactly what `check` finds), or `reads`,
 * which says which objects `check` reads. A family with neither keeps every object.
 */
export interface ScanFamily {
  id: string;
  rules: readonly Rule[];
  check(snapshot: Snapshot, options: ScanOptions): Finding[];
  stream?(options: ScanOptions, input: InputSummary): FamilyStream;
  /** Kinds the stream needs to know before the first object (see InputSummary.objectsAhead). */
  ahead?: readonly string[];
  /** Asked once the input is known (before any object loads): which objects `check` reads. */
  reads?(input: InputSummary): (object: K8sObject) => boolean;
}

/** One family's judgement of a stream of objects. */
export interface FamilyStream {
  /** Each loaded object, in input order. */
  observe(loaded: LoadedObject): void;
  /** After the last object: every finding, as `check` would give them. */
  finish(): Finding[];
}

export const READS_NOTHING = (): boolean => false;
export const READS_EVERYTHING = (): boolean => true;

/** The stream of a family that judges each object on its own: its findings are those of every object, in order. */
export function eachObject(judge: (loaded: LoadedObject) => Iterable<Finding>): FamilyStream {
  const findings: Finding[] = [];
  return {
    observe(loaded) {
      for (const finding of judge(loaded)) findings.push(finding);
    },
    finish: () => findings,
  };
}
