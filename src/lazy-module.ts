/**
 * A module loaded on its first use rather than when the module that needs it loads. A scan
 * imports every rule family; a builtin or package that only some inputs need (node:crypto
 * for a CSR's signature, node:net and ipaddr.js for a certificate's name constraints) would
 * otherwise cost every run its loading, 5 to 15 ms each (test/cli/startup-imports.test.ts
 * holds the bundle's static imports).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export function lazyModule<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(specifier) as T);
}
