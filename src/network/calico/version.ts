/**
 * Calico versions as a cluster reports them (ClusterInformation `spec.calicoVersion`, e.g.
 * "v3.30.2", sometimes with a build suffix) and as a user gives them (`--calico-version v3.30`).
 * Only major.minor matters to Palisade: Felix's policy ordering changed between minor releases.
 */
export interface CalicoVersion {
  major: number;
  minor: number;
  patch?: number;
}

const VERSION = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?(?:[-+][0-9A-Za-z.+-]*)?$/;

/** The version, or undefined when the text is no Calico 3.x version. */
export function parseCalicoVersion(text: string): CalicoVersion | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  const version: CalicoVersion = { major: Number(match[1]), minor: Number(match[2]) };
  if (match[3] !== undefined) version.patch = Number(match[3]);
  // projectcalico.org/v3 (the API Palisade models) is Calico 3.x and later.
  return version.major >= 3 ? version : undefined;
}

export function formatCalicoVersion(version: CalicoVersion): string {
  return `v${version.major}.${version.minor}${version.patch === undefined ? "" : `.${version.patch}`}`;
}

/** Whether `version` is `major.minor` or later. */
export function isAtLeast(version: CalicoVersion, major: number, minor: number): boolean {
  return version.major !== major ? version.major > major : version.minor >= minor;
}
