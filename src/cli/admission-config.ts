/**
 * Reading the webhook configuration and the exceptions file from disk, shared by
 * `palisade serve` and `palisade scan` so both judge with the same policies.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parseExceptions, parseWebhookConfig, type WebhookConfig } from "../admission/config.js";
import { ConfigSource } from "../admission/config-source.js";
import type { AdmissionException } from "../admission/exceptions.js";
import { UserError } from "../errors.js";

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "the file does not exist";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "a directory, not a file";
  return code ?? (err as Error).message;
}

/**
 * Read a file named by the configuration, relative to the file that names it. Paths given on
 * the command line are read relative to the current directory (callers pass a file in it
 * that need not exist): the hint then names the directory, not that file.
 */
export function readRelative(path: string, relativeTo: string): { file: string; text: string } {
  const file = resolve(dirname(relativeTo), path);
  try {
    return { file, text: readFileSync(file, "utf8") };
  } catch (err) {
    const hint = existsSync(relativeTo)
      ? `paths in ${relativeTo} are relative to it`
      : isAbsolute(path)
        ? "check the path"
        : `a relative path is read from the current directory, ${dirname(relativeTo)}`;
    throw new UserError(`cannot read ${file}: ${why(err)}`, { hint });
  }
}

/** Resolved from the current directory (the command line's paths). */
const COMMAND_LINE = resolve("palisade.yaml");

export function loadWebhookConfig(path: string): WebhookConfig {
  const { file, text } = readRelative(path, COMMAND_LINE);
  return parseWebhookConfig(file, text, readRelative);
}

export function loadExceptions(path: string): AdmissionException[] {
  const { file, text } = readRelative(path, COMMAND_LINE);
  return parseExceptions(ConfigSource.parse(file, text));
}
