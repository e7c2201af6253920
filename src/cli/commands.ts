import type { Command } from "commander";
import { registerKmsCommand } from "./kms.js";
import { registerRulesCommand } from "./rules.js";

/**
 * Every CLI command, one module each (`src/cli/<command>.ts`), exporting a
 * `register(program)` function. Add new commands here.
 */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [registerRulesCommand, registerKmsCommand];
