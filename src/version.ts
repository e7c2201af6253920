import { readFileSync } from "node:fs";

/** The package version, read once from package.json (works from src/ under tests and from dist/src/). */
export function packageVersion(): string {
  for (const relative of ["../package.json", "../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "palisade" && pkg.version) return pkg.version;
    } catch {
      // try the next level up
    }
  }
  return "0.0.0";
}
