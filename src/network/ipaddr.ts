/**
 * ipaddr.js, loaded with `require`. Imported as an ES module, a CommonJS package is first
 * lexed whole for its export names: ~13 ms of every start-up here, for a package that
 * only CIDR checks use.
 */
import { createRequire } from "node:module";
import type * as IpaddrModule from "ipaddr.js";

export const ipaddr = createRequire(import.meta.url)("ipaddr.js") as typeof IpaddrModule;
