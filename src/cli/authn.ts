import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { UserError } from "../errors.js";
import { registerRules } from "../findings/registry.js";
import { isSeverity, type Severity } from "../findings/types.js";
import { loadSnapshot } from "../k8s/load.js";
import { withoutStillScannedNote } from "../k8s/load-problems.js";
import { renderJson } from "../report/json.js";
import { renderSarif } from "../report/sarif.js";
import { atOrAbove } from "../report/summary.js";
import { renderText } from "../report/text.js";
import { compareFindings, type ScanResult } from "../scan/run.js";
import { authenticatedGroupAdder, withAuthenticatedGroupResult } from "../access/authn/authenticated-group.js";
import { parseJwks } from "../access/authn/jwks.js";
import type { JsonWebKeySet } from "../access/authn/jwt.js";
import { oidcAuthenticator, type OidcIssuer } from "../access/authn/oidc.js";
import { checkDiscoveryDocument, configFromFlags, configsFromAuthenticationConfiguration, type JwtAuthenticatorConfig } from "../access/authn/oidc-config.js";
import { AUTHN_RULES } from "../access/authn/rules.js";
import { serviceAccountAuthenticator } from "../access/authn/serviceaccount.js";
import { serviceAccountKeysFromPem, withKeyIds } from "../access/authn/service-account-keys.js";
import { lintTokenFile, parseTokenFile, tokenFileAuthenticator } from "../access/authn/tokenfile.js";
import { unionAuthenticator, type AuthenticationResult, type TokenAuthenticator } from "../access/authn/types.js";
import { authenticateClientCertificate, parseCaBundle, parseCertificates, type ClientCertificateReport } from "../access/authn/x509.js";
import { colorFor, EXIT, failOnOption, outputOption, writeStdout, repeatable } from "./common.js";

/**
 * `palisade authn`: lint a static token file, show who a client certificate authenticates
 * as, and verify a bearer token the way kube-apiserver would. Tokens are read from files
 * only (never flags, which leak into shell history and `ps`) and never printed.
 */
export function registerAuthnCommand(program: Command): void {
  // The token-file rules belong to no scan family; registering them here lists them in `palisade rules`.
  registerRules(AUTHN_RULES);
  const authn = program.command("authn").description("authentication as kube-apiserver does it: static tokens, client certificates, OIDC, service-account tokens");

  authn
    .command("token-file")
    .description("lint a --token-auth-file: parse errors with line numbers, weak, duplicate and system:masters tokens")
    .argument("<file>", "the static token CSV file")
    .addOption(outputOption(["text", "wide", "json", "sarif"], "text"))
    .addOption(failOnOption("medium"))
    .option("--no-color", "never colour the text output")
    .action(async (file: string, flags: { output: string; failOn: Severity | "none"; color?: boolean }) => {
      if (!isSeverity(flags.failOn) && flags.failOn !== "none") throw new UserError(`--fail-on ${flags.failOn}: unknown severity`);
      const findings = lintTokenFile(parseTokenFile(await readText(file, "token file"), file)).sort(compareFindings);
      const result: ScanResult = {
        findings,
        problems: [],
        stats: { files: 1, documents: 0, objects: 0, skippedNonKubernetes: 0, skippedFiles: 0 },
        rules: [...AUTHN_RULES],
        scanned: [],
      };
      const out =
        flags.output === "json"
          ? renderJson(result)
          : flags.output === "sarif"
            ? renderSarif(result)
            : renderText(result, { color: colorFor(process.stdout, flags.color), wide: flags.output === "wide" });
      await writeStdout(out);
      process.exitCode = atOrAbove(findings, flags.failOn).length > 0 ? EXIT.findings : EXIT.clean;
    });

  authn
    .command("whoami")
    .description("who a client certificate authenticates as (CN -> user, O -> groups), verified against the client CA")
    .requiredOption("--cert <file>", "client certificate (PEM; intermediates may follow the leaf)")
    .option("--ca <file>", "client CA bundle, as kube-apiserver's --client-ca-file (a block that cannot be read is skipped with a warning, as kubectl skips it)")
    .option("--at <time>", "judge validity at this RFC 3339 time instead of now")
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", "\nExit codes: 0 authenticated, 1 not authenticated, 2 usage or input errors.")
    .action(async (flags: { cert: string; ca?: string; at?: string; output: string }) => {
      const now = timeFlag(flags.at);
      const presented = parseCertificates(await readText(flags.cert, "certificate"), flags.cert);
      // A damaged block in the CA bundle is skipped with a warning, as kubectl skips it.
      const roots = flags.ca ? parseCaBundle(await readText(flags.ca, "CA bundle"), flags.ca, (warning) => process.stderr.write(`palisade: warning: ${warning}\n`)) : undefined;
      const certificate = await authenticateClientCertificate({ presented, ...(roots ? { roots } : {}), now });
      // The user as kube-apiserver's chain leaves it: with system:authenticated (group.NewAuthenticatedGroupAdder).
      const report = { ...certificate, result: withAuthenticatedGroupResult(certificate.result) };
      await writeStdout(flags.output === "json" ? JSON.stringify(report, null, 2) + "\n" : certificateText(report));
      process.exitCode = report.result.authenticated ? EXIT.clean : EXIT.findings;
    });

  authn
    .command("verify-token")
    .description("authenticate a bearer token as kube-apiserver would: OIDC (flags or AuthenticationConfiguration), service-account keys, a static token file")
    .requiredOption("--token-file <file>", "file holding the token (never passed on the command line)")
    .option("--oidc-issuer-url <url>", "as kube-apiserver --oidc-issuer-url")
    .option("--oidc-client-id <id>", "as --oidc-client-id")
    .option("--oidc-username-claim <claim>", "as --oidc-username-claim (default sub)")
    .option("--oidc-username-prefix <prefix>", "as --oidc-username-prefix ('-' for none)")
    .option("--oidc-groups-claim <claim>", "as --oidc-groups-claim")
    .option("--oidc-groups-prefix <prefix>", "as --oidc-groups-prefix")
    .option("--oidc-required-claim <key=value>", "as --oidc-required-claim (repeatable)", repeatable, [])
    .option("--oidc-signing-algs <algs>", "as --oidc-signing-algs (comma-separated, default RS256)")
    .option("--authn-config <file>", "an AuthenticationConfiguration (apiserver.config.k8s.io/v1beta1 or v1) with jwt authenticators")
    .option("--jwks <file>", "the issuer's JSON Web Key Set on disk; with several issuers ISSUER_URL=FILE (repeatable)", repeatable, [])
    .option("--discovery <file>", "the issuer's /.well-known/openid-configuration on disk, checked against the issuer URL")
    .option("--service-account-issuer <url>", "as kube-apiserver --service-account-issuer (repeatable)", repeatable, [])
    .option("--service-account-key-file <file>", "PEM public (or private) keys or a JWKS, as --service-account-key-file (repeatable)", repeatable, [])
    .option("--api-audiences <list>", "as --api-audiences (comma-separated; default every --service-account-issuer)")
    .option("--static-token-file <file>", "also try a static token file, as --token-auth-file")
    .option("--at <time>", "judge expiry at this RFC 3339 time instead of now")
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", "\nExit codes: 0 authenticated, 1 not authenticated, 2 usage or input errors.")
    .action(async (flags: VerifyFlags) => {
      const token = (await readText(flags.tokenFile, "token file")).trim();
      if (token === "") throw new UserError(`${flags.tokenFile}: the token file is empty`);
      const authenticator = await buildAuthenticator(flags);
      const result = await authenticator.authenticateToken(token);
      await writeStdout(flags.output === "json" ? JSON.stringify(tokenReviewStatus(result), null, 2) + "\n" : tokenText(result));
      process.exitCode = result.authenticated ? EXIT.clean : EXIT.findings;
    });
}

interface VerifyFlags {
  tokenFile: string;
  oidcIssuerUrl?: string;
  oidcClientId?: string;
  oidcUsernameClaim?: string;
  oidcUsernamePrefix?: string;
  oidcGroupsClaim?: string;
  oidcGroupsPrefix?: string;
  oidcRequiredClaim: string[];
  oidcSigningAlgs?: string;
  authnConfig?: string;
  jwks: string[];
  discovery?: string;
  serviceAccountIssuer: string[];
  serviceAccountKeyFile: string[];
  apiAudiences?: string;
  staticTokenFile?: string;
  at?: string;
  output: string;
}

async function buildAuthenticator(flags: VerifyFlags): Promise<TokenAuthenticator> {
  const now = timeFlag(flags.at);
  const clock = () => now;
  const authenticators: TokenAuthenticator[] = [];
  let oidc: TokenAuthenticator | undefined;
  if (flags.oidcIssuerUrl && flags.authnConfig) {
    throw new UserError("--authn-config and --oidc-* flags cannot be used together", { hint: "kube-apiserver refuses the same combination; move the flags into the jwt section" });
  }
  if (flags.oidcIssuerUrl || flags.authnConfig) {
    if (flags.jwks.length === 0) throw new UserError("OIDC verification needs the issuer's keys: --jwks FILE", { hint: "save https://ISSUER/.well-known/openid-configuration's jwks_uri to a file" });
    const configs = flags.authnConfig
      ? await authnConfigFile(flags.authnConfig)
      : [
          configFromFlags({
            issuerUrl: flags.oidcIssuerUrl,
            clientId: flags.oidcClientId,
            usernameClaim: flags.oidcUsernameClaim,
            usernamePrefix: flags.oidcUsernamePrefix,
            groupsClaim: flags.oidcGroupsClaim,
            groupsPrefix: flags.oidcGroupsPrefix,
            requiredClaims: flags.oidcRequiredClaim,
            ...(flags.oidcSigningAlgs ? { signingAlgs: flags.oidcSigningAlgs.split(",").map((a) => a.trim()) } : {}),
          }),
        ];
    if (configs.length === 0) throw new UserError(`${flags.authnConfig}: no jwt authenticators configured`);
    if (flags.discovery) {
      const doc = await readJson(flags.discovery, "discovery document");
      const claimed = (doc as { issuer?: unknown } | null)?.issuer;
      const config = configs.find((c) => c.issuerUrl === claimed) ?? configs[0]!;
      checkDiscoveryDocument(doc, config.issuerUrl, flags.discovery);
    }
    // kube-apiserver passes its service-account issuers to every jwt authenticator as disallowed issuers.
    const overlap = configs.find((c) => flags.serviceAccountIssuer.includes(c.issuerUrl));
    if (overlap) {
      throw new UserError(`issuer ${JSON.stringify(overlap.issuerUrl)} is both an OIDC issuer and a --service-account-issuer`, {
        hint: "kube-apiserver refuses to start: a jwt authenticator's issuer URL must not overlap with the service-account issuers",
      });
    }
    oidc = oidcAuthenticator(await keysPerIssuer(configs, flags.jwks), clock);
  }
  if (flags.serviceAccountIssuer.length > 0 || flags.serviceAccountKeyFile.length > 0) {
    if (flags.serviceAccountIssuer.length === 0) throw new UserError("--service-account-key-file needs --service-account-issuer");
    if (flags.serviceAccountKeyFile.length === 0) throw new UserError("--service-account-issuer needs --service-account-key-file");
    const keys: JsonWebKeySet = { keys: [] };
    for (const file of flags.serviceAccountKeyFile) keys.keys.push(...(await serviceAccountKeys(file)).keys);
    const apiAudiences = flags.apiAudiences ? flags.apiAudiences.split(",").map((a) => a.trim()).filter(Boolean) : undefined;
    authenticators.push(serviceAccountAuthenticator({ issuers: flags.serviceAccountIssuer, keys, ...(apiAudiences ? { apiAudiences } : {}) }, clock));
  }
  // kube-apiserver's token union runs the static token file, then service accounts, then OIDC:
  // the first that authenticates a token decides who it is.
  if (flags.staticTokenFile) authenticators.unshift(tokenFileAuthenticator(await readText(flags.staticTokenFile, "token file"), flags.staticTokenFile));
  if (oidc) authenticators.push(oidc);
  if (authenticators.length === 0) {
    throw new UserError("no authenticator configured", { hint: "give --oidc-issuer-url/--oidc-client-id/--jwks, --authn-config/--jwks, --service-account-issuer/--service-account-key-file or --static-token-file" });
  }
  // kube-apiserver adds system:authenticated around its whole chain (group.NewAuthenticatedGroupAdder).
  return authenticatedGroupAdder(authenticators.length === 1 ? authenticators[0]! : unionAuthenticator(authenticators));
}

async function authnConfigFile(file: string) {
  const snapshot = await loadSnapshot({ paths: [file] });
  // The command stops here: the note that the other documents were still scanned would be untrue.
  const problem = snapshot.problems[0] && withoutStillScannedNote(snapshot.problems[0]);
  if (problem) throw new UserError(problem.message, { position: problem.position, ...(problem.hint ? { hint: problem.hint } : {}) });
  const loaded = snapshot.objects.find((o) => o.object.kind === "AuthenticationConfiguration");
  if (!loaded) throw new UserError(`${file}: no AuthenticationConfiguration document found`, { hint: "expected apiVersion apiserver.config.k8s.io/v1beta1 (or v1), kind AuthenticationConfiguration" });
  return configsFromAuthenticationConfiguration(loaded.object, file, (path) => loaded.source.locate(path));
}

/**
 * Each issuer verifies only with its own keys: with several issuers, every --jwks must say
 * whose it is (ISSUER_URL=FILE), or one issuer's key could sign tokens claiming another.
 */
async function keysPerIssuer(configs: JwtAuthenticatorConfig[], specs: string[]): Promise<OidcIssuer[]> {
  const byIssuer = new Map<string, JsonWebKeySet>(configs.map((c) => [c.issuerUrl, { keys: [] }]));
  for (const spec of specs) {
    const eq = spec.startsWith("https://") ? spec.indexOf("=") : -1;
    const issuer = eq > 0 ? spec.slice(0, eq) : undefined;
    const file = eq > 0 ? spec.slice(eq + 1) : spec;
    if (issuer === undefined && configs.length > 1) {
      throw new UserError(`--jwks ${spec}: several issuers are configured, so say whose keys these are`, { hint: `write --jwks ISSUER_URL=FILE, e.g. --jwks ${configs[0]!.issuerUrl}=${file}` });
    }
    const target = byIssuer.get(issuer ?? configs[0]!.issuerUrl);
    if (!target) throw new UserError(`--jwks ${spec}: ${issuer} is not a configured issuer`, { hint: `configured: ${configs.map((c) => c.issuerUrl).join(", ")}` });
    target.keys.push(...parseJwks(await readJson(file, "JWKS"), file).keys);
  }
  return configs.map((config) => {
    const keys = byIssuer.get(config.issuerUrl)!;
    if (keys.keys.length === 0) throw new UserError(`no --jwks for issuer ${config.issuerUrl}`, { hint: `add --jwks ${config.issuerUrl}=FILE` });
    return { config, keys };
  });
}

/** Service-account key files: PEM as kube-apiserver reads them, or (a convenience upstream lacks) a JWKS. */
async function serviceAccountKeys(file: string): Promise<JsonWebKeySet> {
  const text = await readText(file, "service-account key file");
  if (text.trimStart().startsWith("{")) return withKeyIds(parseJwks(parseJsonText(text, file), file));
  return serviceAccountKeysFromPem(text, file);
}

function tokenReviewStatus(result: AuthenticationResult) {
  return result.authenticated
    ? { authenticated: true, user: result.user, ...(result.warnings ? { warnings: result.warnings } : {}) }
    : { authenticated: false, error: result.reason };
}

function tokenText(result: AuthenticationResult): string {
  if (!result.authenticated) return `not authenticated: ${result.reason}\n`;
  const lines = [`authenticated as ${result.user.username}`];
  if (result.user.uid) lines.push(`  uid:    ${result.user.uid}`);
  lines.push(`  groups: ${result.user.groups.length ? result.user.groups.join(", ") : "(none)"}`);
  for (const [key, values] of Object.entries(result.user.extra ?? {})) lines.push(`  extra:  ${key}=${values.join(",")}`);
  for (const warning of result.warnings ?? []) lines.push(`  warning: ${warning}`);
  return lines.join("\n") + "\n";
}

function certificateText(report: ClientCertificateReport): string {
  const c = report.certificate;
  const lines = [
    report.result.authenticated ? `authenticated as ${report.result.user.username}` : `not authenticated: ${report.result.reason}`,
    `  groups:    ${groupsText(report.result.authenticated ? report.result.user.groups : report.claimedUser?.groups)}`,
    `  subject:   ${c.subject}`,
    `  issuer:    ${c.issuer}`,
    `  valid:     ${c.notBefore} .. ${c.notAfter}`,
    `  key:       ${c.key}, signed ${c.signatureAlgorithm}`,
  ];
  for (const [key, values] of Object.entries(report.result.authenticated ? (report.result.user.extra ?? {}) : {})) lines.push(`  extra:     ${key}=${values.join(",")}`);
  if (report.chain.length > 0) lines.push(`  chain:     ${report.chain.join("  <-  ")}`);
  for (const warning of report.warnings) lines.push(`  warning:   ${warning}`);
  return lines.join("\n") + "\n";
}

/** The authenticated user's groups; for a certificate that did not authenticate, the ones it claims. */
function groupsText(groups: readonly string[] | undefined): string {
  return groups?.length ? groups.join(", ") : "(none)";
}

/** RFC 3339 as Go's time.RFC3339 parses it: a full date and time, and a zone. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function timeFlag(at: string | undefined): Date {
  if (at === undefined) return new Date();
  // Date alone would take "2026", or "2026-02-30" as 2 March, without a word.
  if (!isRfc3339(at)) throw new UserError(`--at ${at}: not an RFC 3339 time`, { hint: "give a date, a time and a zone, such as 2026-01-31T12:00:00Z or 2026-01-31T13:00:00+01:00" });
  return new Date(at);
}

function isRfc3339(at: string): boolean {
  const parts = RFC3339.exec(at);
  if (!parts) return false;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 60;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read the ${what}${code ? ` (${code})` : ""}`, { hint: "check the path and permissions" });
  }
}

async function readJson(file: string, what: string): Promise<unknown> {
  return parseJsonText(await readText(file, what), file);
}

function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message quotes the text, which may be key material: say only what is wrong.
    throw new UserError(`${file}: not valid JSON`, { hint: "expected a JSON document (a JWKS or an OpenID discovery document)" });
  }
}
