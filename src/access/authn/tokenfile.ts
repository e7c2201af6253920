/**
 * kube-apiserver's static token file (--token-auth-file): parsing as upstream's tokenfile
 * package does, an authenticator over it, and a lint. Tokens never leave this module in any
 * message: records are named by line and user.
 */
import type { Finding } from "../../findings/types.js";
import { UserError } from "../../errors.js";
import { parseGoCsv } from "./csv.js";
import {
  DUPLICATE_STATIC_TOKEN,
  STATIC_TOKEN_FILE_IN_USE,
  STATIC_TOKEN_PRIVILEGED_GROUP,
  STATIC_TOKEN_SUSPICIOUS_IDENTITY,
  TOKEN_FILE_PARSE_ERROR,
  WEAK_STATIC_TOKEN,
} from "./rules.js";
import { rejected, type TokenAuthenticator, type UserInfo } from "./types.js";
import { describeWeakness, tokenWeaknesses } from "./weak-token.js";
import type { Rule } from "../../findings/types.js";

export interface TokenRecord {
  /** Kept only inside this module's callers' memory; never rendered. */
  token: string;
  user: UserInfo;
  line: number;
  /** Upstream's 1-based record number (records with at least three columns), used in its warnings. */
  recordNumber: number;
  /** Whether a fourth column was present (an empty one yields the group ""). */
  hasGroupsColumn: boolean;
}

export interface TokenFileProblem {
  line: number;
  column: number;
  message: string;
}

export interface ParsedTokenFile {
  file: string;
  /** Records in file order, including ones a later duplicate overrides and empty-token ones. */
  records: TokenRecord[];
  /** The error kube-apiserver would stop on, if any; records after it are not read. */
  error?: TokenFileProblem;
}

export function parseTokenFile(text: string, file: string): ParsedTokenFile {
  const csv = parseGoCsv(text);
  const records: TokenRecord[] = [];
  let recordNumber = 0;
  for (const record of csv.records) {
    if (record.fields.length < 3) {
      return {
        file,
        records,
        error: {
          line: record.line,
          column: 1,
          message: `token file records must have at least 3 columns (token, user name, user uid), found ${record.fields.length}`,
        },
      };
    }
    recordNumber++;
    const [token, username, uid, groups] = record.fields as [string, string, string, string | undefined];
    const user: UserInfo = { username, uid, groups: groups === undefined ? [] : groups.split(",") };
    records.push({ token, user, line: record.line, recordNumber, hasGroupsColumn: groups !== undefined });
  }
  if (!csv.ok) return { file, records, error: csv.error };
  return { file, records };
}

/** Parses for serving: an unreadable file is an input error, as it stops kube-apiserver. */
export function tokenFileAuthenticator(text: string, file: string): TokenAuthenticator {
  const parsed = parseTokenFile(text, file);
  if (parsed.error) {
    throw new UserError(`token file: ${parsed.error.message}`, {
      position: { file, line: parsed.error.line, column: parsed.error.column },
      hint: "kube-apiserver would refuse to start with this file; run `palisade authn token-file` for every problem",
    });
  }
  return authenticatorFromRecords(parsed.records);
}

export function authenticatorFromRecords(records: readonly TokenRecord[]): TokenAuthenticator {
  // Later records override earlier ones, and empty tokens are skipped, as upstream.
  const byToken = new Map<string, UserInfo>();
  for (const record of records) if (record.token !== "") byToken.set(record.token, record.user);
  return {
    name: "token-file",
    async authenticateToken(token) {
      const user = token === "" ? undefined : byToken.get(token);
      if (!user) return rejected("token not found in the static token file");
      return { authenticated: true, user: { ...user, groups: [...user.groups] } };
    },
  };
}

/** Every finding about a token file: parse error, weak, duplicate and over-privileged tokens. */
export function lintTokenFile(parsed: ParsedTokenFile): Finding[] {
  const findings: Finding[] = [];
  const at = (line: number, column = 1) => ({ file: parsed.file, line, column });
  const finding = (rule: Rule, line: number, message: string, properties?: Record<string, unknown>): Finding => ({
    ruleId: rule.id,
    severity: rule.severity,
    pillar: rule.pillar,
    message,
    position: at(line),
    remediation: rule.docs.remediation,
    ...(properties ? { properties } : {}),
  });
  if (parsed.error) {
    findings.push({
      ...finding(TOKEN_FILE_PARSE_ERROR, parsed.error.line, `${parsed.error.message}; kube-apiserver would refuse to start`),
      position: at(parsed.error.line, parsed.error.column),
    });
  }
  // kube-apiserver keeps the last record of a token: only that one is judged, and an earlier one is named as overridden.
  const lastOfToken = new Map<string, TokenRecord>();
  for (const record of parsed.records) if (record.token !== "") lastOfToken.set(record.token, record);
  if (parsed.records.length > 0) {
    const first = parsed.records[0] as TokenRecord;
    findings.push(finding(STATIC_TOKEN_FILE_IN_USE, first.line, `static token authentication grants ${lastOfToken.size} long-lived credential(s)`));
  }
  for (const record of parsed.records) {
    const who = `the token on line ${record.line} (user ${JSON.stringify(record.user.username)})`;
    if (record.token === "") {
      findings.push(finding(STATIC_TOKEN_SUSPICIOUS_IDENTITY, record.line, `record ${record.recordNumber} has an empty token and is skipped by kube-apiserver`));
      continue;
    }
    const last = lastOfToken.get(record.token) as TokenRecord;
    if (last !== record) {
      findings.push(
        finding(DUPLICATE_STATIC_TOKEN, record.line, `${who} is overridden by line ${last.line} (user ${JSON.stringify(last.user.username)}), which repeats the token: kube-apiserver keeps only the last record, so this one grants nothing`, {
          overriddenByLine: last.line,
        }),
      );
      continue;
    }
    const weaknesses = tokenWeaknesses(record.token, record.user.username);
    if (weaknesses.length > 0) {
      findings.push(finding(WEAK_STATIC_TOKEN, record.line, `${who} ${weaknesses.map(describeWeakness).join(", ")}`, { weaknesses }));
    }
    if (record.user.groups.includes("system:masters")) {
      findings.push(finding(STATIC_TOKEN_PRIVILEGED_GROUP, record.line, `${who} is in system:masters: a never-expiring credential that bypasses RBAC`));
    }
    if (record.user.username === "") {
      findings.push(finding(STATIC_TOKEN_SUSPICIOUS_IDENTITY, record.line, `${who} has an empty user name`));
    } else if (record.user.username.startsWith("system:")) {
      findings.push(finding(STATIC_TOKEN_SUSPICIOUS_IDENTITY, record.line, `${who} uses the reserved name ${JSON.stringify(record.user.username)}`));
    }
    // Go's CSV reader does not strip a UTF-8 byte-order mark: it stays the first character of the first token.
    if (record.token.startsWith("\uFEFF")) {
      findings.push(
        finding(STATIC_TOKEN_SUSPICIOUS_IDENTITY, record.line, `${who} starts with a UTF-8 byte-order mark, which kube-apiserver keeps as part of the token: no client sends it, so this credential cannot be used; save the file without a BOM`),
      );
      continue;
    }
    // Go's CSV reader keeps spaces after commas: "tok, alice" is the user " alice", whom no RBAC binding names.
    const padded = [record.user.username, ...record.user.groups].filter((v) => v !== v.trim());
    if (padded.length > 0 || record.token !== record.token.trim()) {
      findings.push(
        finding(STATIC_TOKEN_SUSPICIOUS_IDENTITY, record.line, `${who}: ${padded.length > 0 ? `${padded.map((v) => JSON.stringify(v)).join(", ")} keep${padded.length === 1 ? "s" : ""} surrounding spaces` : "the token keeps surrounding spaces"}, which kube-apiserver does not trim`),
      );
    }
    if (record.hasGroupsColumn && record.user.groups.includes("")) {
      findings.push(finding(STATIC_TOKEN_SUSPICIOUS_IDENTITY, record.line, `${who} has an empty group name (an empty or trailing-comma group column still makes a group)`));
    }
  }
  return findings;
}
