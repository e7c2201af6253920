import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The shared conformance folder: PALISADE_CONFORMANCE_DIR, or ../shared/conformance beside the repo. */
export const conformanceDir = resolve(process.env.PALISADE_CONFORMANCE_DIR ?? resolve(repoRoot, "../shared/conformance"));

/**
 * The path of a conformance sub-folder, or undefined when it is absent. Absent data is said
 * loudly; under CI it is an error, because a green run without the data proves nothing.
 */
export function conformancePath(sub: string): string | undefined {
  const path = resolve(conformanceDir, sub);
  if (existsSync(path)) return path;
  const message = `conformance data not found at ${path} (set PALISADE_CONFORMANCE_DIR): the ${sub} conformance suite is SKIPPED`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** ${message} ***\n`);
  return undefined;
}

export { repoRoot };
