/** The CSR rules of `palisade scan`, one check per file, in report order. */
import type { CsrRule } from "./model.js";
import { systemMastersRule } from "./system-masters.js";
import { signerRefusesRule } from "./signer-refuses.js";
import { invalidRequestRule } from "./invalid-request.js";
import { invalidSpecRule } from "./invalid-spec.js";

export const CSR_RULES: readonly CsrRule[] = [systemMastersRule, signerRefusesRule, invalidRequestRule, invalidSpecRule];
