/**
 * What `palisade serve` checks and says at start-up, so that a user's mistake (a port in use,
 * a certificate file that is empty, not PEM, or not the key's) ends with one line naming the
 * setting (file:line of the configuration, or the flag), what is wrong and what to do, and
 * exit code 2: never "internal error", never a server that starts and fails every handshake.
 * A certificate kube-apiserver will refuse (expired, not yet valid, not for the name it dials)
 * is warned about instead of refused: serving-certificate.ts says why.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import type { Logger } from "pino";
import { ConfigSource } from "../admission/config-source.js";
import { ListenError, type TlsFiles } from "../adapters/webhook/server.js";
import { judgeServingCertificate } from "../adapters/webhook/serving-certificate.js";
import { readTlsFiles, TlsFileError, type CheckedTls } from "../adapters/webhook/tls-files.js";
import { UserError } from "../errors.js";
import type { SourcePosition } from "../findings/types.js";

/** Where a setting is written in the configuration file (the file was parsed once already). */
function positionOf(configFile: string, path: string[]): SourcePosition | undefined {
  try {
    return ConfigSource.parse(configFile, readFileSync(configFile, "utf8")).position(path);
  } catch {
    return undefined;
  }
}

/** Reads and checks the serving pair (and client CA) before anything listens or prints. */
export function checkServingFiles(tls: TlsFiles, configFile: string): CheckedTls {
  try {
    return readTlsFiles(tls);
  } catch (err) {
    if (!(err instanceof TlsFileError)) throw err;
    const position = positionOf(configFile, ["server", err.field]);
    throw new UserError(`server.${err.field} ${err.file}: ${err.reason}`, { ...(position ? { position } : {}), hint: err.hint });
  }
}

const SERVER_NAME_HINT = "give the host name kube-apiserver dials, without scheme or port: for a webhook with clientConfig.service, NAME.NAMESPACE.svc (e.g. palisade-webhook.palisade-system.svc)";

/** A DNS name or IP address, as a TLS client's server name; `flag` names the option in the error. */
export function checkHostName(value: string, flag: string): string {
  const name = value.trim();
  // A URL's IPv6 host comes in brackets.
  const ip = name.replace(/^\[(.*)\]$/, "$1");
  if (isIP(ip) !== 0) return ip;
  if (name === "" || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) || name.includes("..")) {
    throw new UserError(`${flag} ${JSON.stringify(value)}: not a host name`, { hint: SERVER_NAME_HINT });
  }
  return name;
}

/** `--server-name` values: DNS names or IP addresses, as a TLS client's server name. */
export function checkServerNames(values: readonly string[]): string[] {
  return values.map((value) => checkHostName(value, "--server-name"));
}

/**
 * `--port` and `--workers`: decimal digits only. Number() would take "" as 0 (a random port),
 * "0x4A3A" as hex and "1e3" as 1000, none of which a person typing a port means.
 */
export function decimalFlag(flag: string, value: string, min: number, max: number): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new UserError(`${flag} ${JSON.stringify(value)}: expected a decimal integer from ${min} to ${max}`);
  return n;
}

/**
 * Warns, once per server (the primary), about a serving certificate kube-apiserver will refuse
 * or soon refuse (serving-certificate.ts says why these are warnings, not refusals).
 */
export function warnServingCertificate(logger: Logger, certPem: string, serverNames: readonly string[], now = new Date()): number {
  let warnings: string[];
  let notAfter: Date;
  try {
    ({ warnings, notAfter } = judgeServingCertificate(certPem, now, serverNames));
  } catch {
    return 0; // node:crypto accepted it (tls-files.ts); a second parser disagreeing stops nothing.
  }
  for (const warning of warnings) logger.warn({ notAfter: notAfter.toISOString(), ...(serverNames.length > 0 ? { serverNames } : {}) }, warning);
  return warnings.length;
}

export interface PortSource {
  configFile: string;
  /** The --port flag's value when it overrides server.port. */
  flag?: string;
}

/** A ListenError as the setting that caused it; anything else unchanged. */
export function listenFailure(err: unknown, source: PortSource): unknown {
  if (!(err instanceof ListenError)) return err;
  const where = `${err.address}:${err.port}`;
  const setting = source.flag !== undefined ? `--port ${source.flag}` : `server.port ${err.port}`;
  const choose = source.flag !== undefined ? "pass another --port" : "set another server.port (or pass --port)";
  const position = source.flag === undefined ? positionOf(source.configFile, ["server", "port"]) : undefined;
  const at = position ? { position } : {};
  switch (err.code) {
    case "EADDRINUSE":
      return new UserError(`${setting}: ${where} is already in use by another process; nothing was started`, { ...at, hint: `stop what listens there (ss -ltnp 'sport = :${err.port}' shows it) or ${choose}` });
    case "EACCES":
      return new UserError(`${setting}: permission denied to listen on ${where}; nothing was started`, { ...at, hint: `ports below 1024 need CAP_NET_BIND_SERVICE: ${choose} of 1024 or more` });
    case "EADDRNOTAVAIL": {
      const address = positionOf(source.configFile, ["server", "address"]);
      return new UserError(`server.address ${err.address}: not an address of this host; nothing was started`, { ...(address ? { position: address } : {}), hint: "use 0.0.0.0 (every address) or one of this host's addresses" });
    }
    default:
      return new UserError(`${setting}: cannot listen on ${where} (${err.code}); nothing was started`, { ...at, hint: choose });
  }
}
