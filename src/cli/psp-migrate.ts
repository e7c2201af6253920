import type { Command } from "commander";

/** `palisade psp migrate` (registered from src/cli/psp.ts). */
export function registerPspMigrate(_psp: Command): void {}
