/**
 * kube-apiserver's own check of its --authorization-* flags, which stops it before it serves
 * anything: pkg/kubeapiserver/options/authorization.go BuiltInAuthorizationOptions.Validate(),
 * run after Complete() (which makes an unset or empty --authorization-mode AlwaysAllow). Each
 * refusal is worded as upstream's error.
 */
import { goQuote } from "../podsecurity/check.js";
import type { ControlPlaneContainer, Refusal } from "./flags.js";
import { wordForMessage } from "./url-text.js";

/** authzmodes.AuthorizationModeChoices; IsValidAuthorizationMode compares case-sensitively. */
export const AUTHORIZATION_MODES: ReadonlySet<string> = new Set(["AlwaysAllow", "AlwaysDeny", "ABAC", "Webhook", "RBAC", "Node"]);

/**
 * The legacy flags AreLegacyFlagsSet asks pflag about (fs.Changed: given at all, even empty).
 * --authorization-policy-file is not one of them: with --authorization-config it is ignored.
 */
const LEGACY_FLAGS = ["authorization-mode", "authorization-webhook-config-file", "authorization-webhook-version", "authorization-webhook-cache-authorized-ttl", "authorization-webhook-cache-unauthorized-ttl"];

/** A mode as Go's %q shows it, cut short when it is a long word. */
const quoted = (mode: string) => goQuote(wordForMessage(mode));

export function authorizationRefusals(c: ControlPlaneContainer): Refusal[] {
  const refusals: Refusal[] = [];
  const refuse = (message: string, path = c.path) => refusals.push({ message: `kube-apiserver refuses to start: ${message}`, path });
  // As Validate reads the options: a path flag given empty is no file.
  const file = (name: string) => {
    const f = c.flags.get(name);
    return f && f.value !== "" ? f : undefined;
  };
  const modeFlag = c.flags.get("authorization-mode");
  const at = modeFlag?.path ?? c.path;

  // With --authorization-config, Validate checks only that no legacy flag is given, then loads the file.
  if (file("authorization-config")) {
    const legacy = LEGACY_FLAGS.map((name) => c.flags.get(name)).find((f) => f !== undefined);
    if (legacy) refuse("--authorization-config can not be specified when --authorization-mode or --authorization-webhook-* flags are defined", legacy.path);
    return refusals;
  }

  // Complete() turns no modes into AlwaysAllow, which is valid and needs no file.
  const modes = modeFlag?.items ?? [];
  const policyFile = file("authorization-policy-file");
  const webhookFile = file("authorization-webhook-config-file");
  for (const mode of modes) {
    if (!AUTHORIZATION_MODES.has(mode)) refuse(`authorization-mode ${quoted(mode)} is not a valid mode${invalidModeHint(mode)}`, at);
    if (mode === "ABAC" && !policyFile) refuse("authorization-mode ABAC's authorization policy file not passed (set --authorization-policy-file)", at);
    if (mode === "Webhook" && !webhookFile) refuse("authorization-mode Webhook's authorization config file not passed (set --authorization-webhook-config-file)", at);
  }
  if (policyFile && !modes.includes("ABAC")) refuse("cannot specify --authorization-policy-file without mode ABAC", policyFile.path);
  if (webhookFile && !modes.includes("Webhook")) refuse("cannot specify --authorization-webhook-config-file without mode Webhook", webhookFile.path);
  // The flag is a string slice: written twice, its lists are added together (pflag stringSliceValue.Set).
  if (new Set(modes).size !== modes.length) refuse(`authorization-mode [${modes.map(quoted).join(" ")}] has mode specified more than once (every --authorization-mode given adds to the list)`, at);
  return refusals;
}

/** What the author most likely meant by a mode kube-apiserver does not know. */
function invalidModeHint(mode: string): string {
  if (mode.includes(",")) return " (pflag reads the value as CSV, where quotes keep the commas inside one item)";
  if (mode.trim() !== mode) return " (pflag keeps the spaces around an item)";
  const meant = [...AUTHORIZATION_MODES].find((valid) => valid.toLowerCase() === mode.toLowerCase());
  if (meant) return ` (modes are case-sensitive: ${meant})`;
  return ` (the modes are ${[...AUTHORIZATION_MODES].join(", ")})`;
}

/**
 * Whether the modes name `mode` only in a form kube-apiserver refuses (`rbac`, ` RBAC`): the
 * refusal says so, and a finding that the mode is missing would send the author the wrong way.
 */
export function namesModeInvalidly(modes: readonly string[], mode: string): boolean {
  return modes.some((item) => item !== mode && item.trim().toLowerCase() === mode.toLowerCase());
}
