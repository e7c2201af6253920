import type { Finding, Rule } from "../findings/types.js";
import type { Snapshot } from "../k8s/snapshot.js";
import type { Level } from "../podsecurity/levels.js";
import type { PodSecurityOverride } from "../podsecurity/namespace-levels.js";

/** What every rule family may read besides the snapshot; families ignore what is not theirs. */
export interface ScanOptions {
  /** `--level` / `--pss-version`: judge every pod at this level and version instead of its namespace's. */
  podSecurity?: PodSecurityOverride;
  /** Level for pods whose namespace has no pod-security labels in the snapshot (default restricted). */
  defaultLevel?: Level;
  /** Namespace of objects that name none (kubectl's -n). */
  defaultNamespace?: string;
}

/**
 * A rule family as `palisade scan` sees it: its rule records and one pure check over the
 * snapshot. Families are listed in src/scan/families.ts.
 */
export interface ScanFamily {
  id: string;
  rules: readonly Rule[];
  check(snapshot: Snapshot, options: ScanOptions): Finding[];
}
