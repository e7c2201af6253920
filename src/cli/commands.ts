import type { Command } from "commander";
import { registerNetpol } from "./netpol.js";
import { registerEncryptionCommand } from "./encryption.js";
import { registerAuthnCommand } from "./authn.js";
import { registerEtcdCommand } from "./etcd.js";
import { registerKmsCommand } from "./kms.js";
import { registerRbacCommand } from "./rbac.js";
import { registerScan } from "./scan.js";
import { registerRulesCommand } from "./rules.js";

/**
 * Every CLI command, one module each (`src/cli/<command>.ts`), exporting a
 * `register(program)` function. Add new commands here.
 */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [registerScan, registerRulesCommand, registerKmsCommand, registerEtcdCommand, registerAuthnCommand, registerEncryptionCommand, registerNetpol, registerRbacCommand];
