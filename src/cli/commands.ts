import type { Command } from "commander";
import { registerCalicoCommand } from "./calico.js";
import { registerQuotaCommand } from "./quota.js";
import { registerAuthnCommand } from "./authn.js";
import { registerNetpol } from "./netpol.js";
import { registerEncryptionCommand } from "./encryption.js";
import { registerEtcdCommand } from "./etcd.js";
import { registerKmsCommand } from "./kms.js";
import { registerRbacCommand } from "./rbac.js";
import { registerScan } from "./scan.js";
import { registerRulesCommand } from "./rules.js";
import { registerFixCommand } from "./fix.js";
import { registerPspCommand } from "./psp.js";
import { registerServeCommand } from "./serve.js";

/**
 * Every CLI command, one module each (`src/cli/<command>.ts`), exporting a
 * `register(program)` function. Add new commands here.
 */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [registerScan, registerRulesCommand, registerAuthnCommand, registerKmsCommand, registerEtcdCommand, registerEncryptionCommand, registerRbacCommand, registerNetpol, registerServeCommand, registerFixCommand, registerPspCommand, registerQuotaCommand, registerCalicoCommand];
