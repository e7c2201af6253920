/**
 * Reading the webhook configuration and the exceptions file from disk, shared by
 * `palisade serve` and `palisade scan` so both judge with the same policies.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseExceptions, parseWebhookConfig, type WebhookConfig } from "../admission/config.js";
import { ConfigSource } from "../admission/config-source.js";
import type { AdmissionException } from "../admission/exceptions.js";
import { UserError } from "../errors.js";

/** Read a file named by the configuration, relative to the file that names it. */
export function readRelative(path: string, relativeTo: string): { file: string; text: string } {
  const file = resolve(dirname(relativeTo), path);
  try {
    return { file, text: readFileSync(file, "utf8") };
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: `paths in ${relativeTo} are relative to it` });
  }
}

export function loadWebhookConfig(path: string): WebhookConfig {
  const { file, text } = readRelative(path, resolve("palisade.yaml"));
  return parseWebhookConfig(file, text, readRelative);
}

export function loadExceptions(path: string): AdmissionException[] {
  const { file, text } = readRelative(path, resolve("palisade.yaml"));
  return parseExceptions(ConfigSource.parse(file, text));
}
