/**
 * Flag values people write more than one way: a size in bytes with a unit, and a Pod
 * Security version without its "v". Both parse exactly as documented, and a near miss gets
 * a hint that names the spelling that works.
 */
import { UserError } from "../errors.js";
import { parseVersion, type Version } from "../podsecurity/levels.js";

/** Kubernetes' quantity suffixes (binary Ki, Mi, Gi; decimal k, M, G), with an optional B as people write sizes. */
const UNITS: Record<string, number> = { "": 1, b: 1, ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9 };

/** `--max-file-size 64Mi`, `10MB`, `1048576`: a whole positive number of bytes. */
export function byteSizeFlag(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[(m[2] ?? "").toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new UserError(`${flag} ${text}: expected a positive number of bytes`, { hint: "write it as bytes (1048576) or with a unit: Ki, Mi, Gi (1024s) or k, M, G (1000s), e.g. 64Mi" });
  }
  return bytes;
}

/** `--pss-version`: latest or v1.N, as the namespace labels take it. */
export function pssVersionFlag(text: string): Version {
  const version = parseVersion(text);
  if (version) return version;
  const near = /^[vV]?(1\.(?:0|[1-9]\d*))$/.exec(text.trim());
  const hint = near ? `did you mean v${near[1]}? (the v is part of the version, as in the pod-security.kubernetes.io/<mode>-version label)` : /^latest$/i.test(text.trim()) ? "did you mean latest?" : undefined;
  throw new UserError(`--pss-version ${text}: expected latest or v1.N (e.g. v1.30)`, hint ? { hint } : {});
}
