/**
 * The start-up warning for access webhooks that answer anyone. Without server.clientCAFile
 * the server cannot tell kube-apiserver from any other caller, so /authenticate tells whoever
 * reaches the port whether a bearer token is valid and whose it is, and /authorize what a
 * given user may do. Only the network (install's NetworkPolicy) keeps them out. Existing
 * configurations keep working; the operator is told once, at start-up, what closes the gap.
 */
import type { Logger } from "pino";

export type AccessEndpoint = "/authenticate" | "/authorize";

export interface OpenAccessInput {
  /** server.clientCAFile as configured (set: callers must show a certificate it verifies). */
  clientCAFile?: string | undefined;
  /** The access endpoints this server answers (engine.ts, accessEndpoints). */
  endpoints: readonly AccessEndpoint[];
}

/** The endpoints that answer unauthenticated callers: none when a client CA is set. */
export function openAccessEndpoints(input: OpenAccessInput): AccessEndpoint[] {
  return input.clientCAFile ? [] : [...input.endpoints];
}

/** What each endpoint tells whoever asks. */
const REVEALS: Record<AccessEndpoint, string> = {
  "/authenticate": "whether a bearer token is valid and whose it is",
  "/authorize": "what a user may do",
};

/** Logs the warning when it applies; returns whether it did. Call once per server (the primary). */
export function warnOpenAccessEndpoints(logger: Logger, input: OpenAccessInput): boolean {
  const open = openAccessEndpoints(input);
  if (open.length === 0) return false;
  logger.warn(
    { endpoints: open, setting: "server.clientCAFile" },
    `${open.join(" and ")} ${open.length === 1 ? "answers" : "answer"} any caller that can reach the port, telling it ${open.map((e) => REVEALS[e]).join(" and ")}: ` +
      "set server.clientCAFile to the CA of kube-apiserver's client certificate so that only kube-apiserver is answered",
  );
  return true;
}
