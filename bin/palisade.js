#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ so start-up loads no compiler.
import("../dist/src/cli/main.js").then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`palisade: cannot start: ${err && err.message ? err.message : String(err)}\n` +
    "Run `npm run build` first if dist/ is missing.\n");
  process.exitCode = 2;
});
