/**
 * Structured JSON logs (pino). Handlers log only metadata (uid, kind, namespace, name, user,
 * decision); object bodies, Secret data and tokens are never passed to the logger, and the
 * redaction list is a second line of defence should a field slip in.
 */
import { pino, type Logger, type DestinationStream } from "pino";

export const REDACTED_PATHS = ["token", "*.token", "spec.token", "*.spec.token", "data", "*.data", "stringData", "*.stringData", "object", "*.object", "oldObject", "*.oldObject", "authorization", "*.authorization", "req.headers.authorization"];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { component: "palisade-webhook" }, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  return destination ? pino(options, destination) : pino(options);
}
