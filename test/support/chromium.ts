/**
 * Debian's Chromium, driven by playwright-core, for the HTML report's tests. Started as
 * this machine's probe found it must be: headless, no sandbox as root, and no background
 * networking (the closed network refuses it, noisily). CI installs it (.ci/run).
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.PALISADE_CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error(`Chromium is not installed at ${CHROMIUM}: .ci/run installs it (apt-get install chromium) for the HTML report tests`);
if (!hasChromium) console.warn(`Chromium is not installed at ${CHROMIUM}: the HTML report tests are skipped (apt-get install chromium, or set PALISADE_CHROMIUM)`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
