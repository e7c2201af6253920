/**
 * Pod Security levels and versions as PSA parses them from namespace labels.
 * `latest` and any version newer than the newest check version evaluate with the newest
 * rules; an unparsable version label falls back to `latest`.
 */
import { parseInt64 } from "../k8s/go-strconv.js";

export const LEVELS = ["privileged", "baseline", "restricted"] as const;
export type Level = (typeof LEVELS)[number];

/** The newest minor version any check defines (upstream snapshot v1.37). */
export const NEWEST_MINOR = 37;

/**
 * A version: a Kubernetes minor (1.x) or `latest`. `digits` keeps a minor beyond
 * Number.MAX_SAFE_INTEGER as written, so that messages name it as PSA does.
 */
export type Version = { latest: true } | { latest: false; minor: number; digits?: string };

export const LATEST: Version = { latest: true };

export function isLevel(value: string): value is Level {
  return (LEVELS as readonly string[]).includes(value);
}

/** Parse `latest` or `v1.N`; undefined when it is neither (callers decide the fallback). */
export function parseVersion(value: string): Version | undefined {
  if (value === "latest") return LATEST;
  const m = /^v1\.(0|[1-9][0-9]*)$/.exec(value);
  if (!m) return undefined;
  const digits = m[1] as string;
  // PSA reads the minor with strconv.Atoi: past int64 the label is invalid.
  if (parseInt64(digits) === undefined) return undefined;
  const minor = Number(digits);
  return Number.isSafeInteger(minor) ? { latest: false, minor } : { latest: false, minor, digits };
}

export function formatVersion(version: Version): string {
  return version.latest ? "latest" : `v1.${version.digits ?? version.minor}`;
}

/** The minor whose rules apply: latest and future versions use the newest rules. */
export function effectiveMinor(version: Version): number {
  return version.latest ? NEWEST_MINOR : Math.min(version.minor, NEWEST_MINOR);
}

export function compareLevels(a: Level, b: Level): number {
  return LEVELS.indexOf(a) - LEVELS.indexOf(b);
}
