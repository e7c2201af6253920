import { isLevel, parseVersion, LATEST, type Level, type Version } from "./levels.js";

export const LABEL_PREFIX = "pod-security.kubernetes.io/";
export const MODES = ["enforce", "audit", "warn"] as const;
export type Mode = (typeof MODES)[number];

export interface LevelVersion {
  level: Level;
  version: Version;
}

/** What PSA reads from a namespace: the level and version of each mode. */
export type NamespacePolicy = Record<Mode, LevelVersion>;

/** `--level` / `--pss-version` from the CLI: replaces the namespace's levels for every mode. */
export interface PodSecurityOverride {
  level?: Level;
  version?: Version;
}

/** A pod-security label PSA cannot read, and what it reads instead. */
export interface InvalidLabel {
  key: string;
  value: string;
  mode: Mode;
  /** The <mode>-version label (else the level label). */
  version: boolean;
  /** The level or version PSA uses in its place. */
  fallback: string;
}

/**
 * PSA's reading of namespace labels (policy.PolicyToEvaluate): an absent level is the
 * default (privileged unless configured); an invalid enforce level falls back to
 * `restricted`, invalid audit/warn levels to `privileged`; an absent or unparsable
 * version is `latest`.
 */
export function namespacePolicy(
  labels: Readonly<Record<string, string>> | undefined,
  defaults: NamespacePolicy = DEFAULT_POLICY,
): { policy: NamespacePolicy; errors: string[]; invalid: InvalidLabel[] } {
  const errors: string[] = [];
  const invalid: InvalidLabel[] = [];
  const policy = {} as NamespacePolicy;
  for (const mode of MODES) {
    const levelLabel = labels?.[`${LABEL_PREFIX}${mode}`];
    const versionLabel = labels?.[`${LABEL_PREFIX}${mode}-version`];
    let level = defaults[mode].level;
    if (levelLabel !== undefined) {
      if (isLevel(levelLabel)) level = levelLabel;
      else {
        level = mode === "enforce" ? "restricted" : "privileged";
        invalid.push({ key: `${LABEL_PREFIX}${mode}`, value: levelLabel, mode, version: false, fallback: level });
        errors.push(`${LABEL_PREFIX}${mode}: invalid level ${JSON.stringify(levelLabel)} (using ${level}); expected privileged, baseline or restricted`);
      }
    }
    let version = defaults[mode].version;
    if (versionLabel !== undefined) {
      const parsed = parseVersion(versionLabel);
      if (parsed) version = parsed;
      else {
        version = LATEST;
        invalid.push({ key: `${LABEL_PREFIX}${mode}-version`, value: versionLabel, mode, version: true, fallback: "latest" });
        errors.push(`${LABEL_PREFIX}${mode}-version: invalid version ${JSON.stringify(versionLabel)} (using latest); expected latest or v1.N`);
      }
    }
    policy[mode] = { level, version };
  }
  return { policy, errors, invalid };
}

export const DEFAULT_POLICY: NamespacePolicy = {
  enforce: { level: "privileged", version: LATEST },
  audit: { level: "privileged", version: LATEST },
  warn: { level: "privileged", version: LATEST },
};
