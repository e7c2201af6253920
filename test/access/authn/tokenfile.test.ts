import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../src/errors.js";
import { parseGoCsv } from "../../../src/access/authn/csv.js";
import { lintTokenFile, parseTokenFile, tokenFileAuthenticator } from "../../../src/access/authn/tokenfile.js";
import { estimatedTokenBits, tokenWeaknesses } from "../../../src/access/authn/weak-token.js";

const strongToken = () => randomBytes(32).toString("base64url");

describe("Go CSV dialect of the token file", () => {
  it("reads quoted group lists, doubled quotes, CRLF, blank lines and multi-line quoted fields", () => {
    const result = parseGoCsv('a,b,c,"g1,g2"\r\n\r\n\nx,"say ""hi""",u\n"multi\nline",y,z\n');
    expect(result.ok).toBe(true);
    expect(result.records.map((r) => r.fields)).toEqual([
      ["a", "b", "c", "g1,g2"],
      ["x", 'say "hi"', "u"],
      ["multi\nline", "y", "z"],
    ]);
    expect(result.records.map((r) => r.line)).toEqual([1, 4, 5]);
  });

  it("keeps leading spaces and reports bare and unterminated quotes with line and column", () => {
    expect(parseGoCsv(" a, b,c").records[0]?.fields).toEqual([" a", " b", "c"]);
    const bare = parseGoCsv('ok,ok,ok\ntok,us"er,1\n');
    expect(bare.ok).toBe(false);
    if (!bare.ok) expect(bare.error).toMatchObject({ line: 2, column: 7 });
    const unterminated = parseGoCsv('a,b,c\na,b,"c\n');
    expect(unterminated.ok).toBe(false);
    if (!unterminated.ok) expect(unterminated.error).toMatchObject({ line: 2, column: 5 });
    const trailing = parseGoCsv('a,b,"c"x\n');
    if (!trailing.ok) expect(trailing.error).toMatchObject({ line: 1, column: 8 });
    else expect.unreachable("text after a closing quote parsed");
  });
});

describe("static token file as kube-apiserver reads it", () => {
  it("maps token to user, uid and groups, the last duplicate winning", async () => {
    const [t1, t2] = [strongToken(), strongToken()];
    const text = `${t1},alice,1001,"dev,ops"\n${t2},bob,1002\n${t1},carol,1003,qa\n`;
    const authn = tokenFileAuthenticator(text, "tokens.csv");
    expect(await authn.authenticateToken(t1)).toEqual({ authenticated: true, user: { username: "carol", uid: "1003", groups: ["qa"] } });
    expect(await authn.authenticateToken(t2)).toEqual({ authenticated: true, user: { username: "bob", uid: "1002", groups: [] } });
    const miss = await authn.authenticateToken(strongToken());
    expect(miss.authenticated).toBe(false);
    expect((await authn.authenticateToken("")).authenticated).toBe(false);
  });

  it("stops at a record with fewer than three columns, such as a comment line, with its line number", () => {
    const text = `${strongToken()},alice,1\n\n# admins below\n${strongToken()},bob,2\n`;
    const parsed = parseTokenFile(text, "tokens.csv");
    expect(parsed.error).toMatchObject({ line: 3, column: 1 });
    expect(parsed.error?.message).toMatch(/at least 3 columns.*found 1/);
    expect(() => tokenFileAuthenticator(text, "tokens.csv")).toThrow(UserError);
    try {
      tokenFileAuthenticator(text, "tokens.csv");
    } catch (err) {
      expect((err as UserError).describe()).toMatch(/^tokens\.csv:3:1: /);
    }
  });

  it("skips empty tokens and splits an empty group column into one empty group, as upstream", async () => {
    const t = strongToken();
    const parsed = parseTokenFile(`,nobody,0\n${t},alice,1,""\n`, "f");
    expect(parsed.records[1]?.user.groups).toEqual([""]);
    expect(parsed.records[1]?.recordNumber).toBe(2);
    const authn = tokenFileAuthenticator(`,nobody,0\n${t},alice,1,""\n`, "f");
    expect((await authn.authenticateToken(t)).authenticated).toBe(true);
  });

  it("lints weak, duplicate, privileged and reserved records by line, never printing a token", () => {
    const strong = strongToken();
    const text = [`${strong},alice,1,"dev"`, "password123,bob,2", `${strong},carol,3,"system:masters"`, `${strongToken()},system:node:n1,4,""`, ",x,5"].join("\n");
    const findings = lintTokenFile(parseTokenFile(text, "tokens.csv"));
    const byRule = (id: string) => findings.filter((f) => f.ruleId === id).map((f) => f.position?.line);
    expect(byRule("authn/weak-static-token")).toEqual([2]);
    expect(byRule("authn/duplicate-static-token")).toEqual([1]);
    expect(byRule("authn/static-token-privileged-group")).toEqual([3]);
    expect(byRule("authn/static-token-suspicious-identity")).toEqual([4, 4, 5]);
    expect(byRule("authn/static-token-file")).toEqual([1]);
    const rendered = JSON.stringify(findings);
    expect(rendered).not.toContain(strong);
    expect(rendered).not.toContain("password123");
    expect(rendered).not.toContain(strong.slice(0, 8));
  });

  it("judges the record of a token that takes effect (the last), and names what overrides an earlier one", () => {
    const [admin, bob] = [strongToken(), strongToken()];
    const text = [`${admin},admin,1,"system:masters,ops"`, `${bob},bob,2`, `${admin},carol,3`, `${bob},system:node:n1,4,"system:masters"`].join("\n");
    const findings = lintTokenFile(parseTokenFile(text, "tokens.csv"));
    expect(findings.map((f) => `${f.ruleId}@${f.position?.line}: ${f.message}`)).toEqual([
      "authn/static-token-file@1: static token authentication grants 2 long-lived credential(s)",
      'authn/duplicate-static-token@1: the token on line 1 (user "admin") is overridden by line 3 (user "carol"), which repeats the token: kube-apiserver keeps only the last record, so this one grants nothing',
      'authn/duplicate-static-token@2: the token on line 2 (user "bob") is overridden by line 4 (user "system:node:n1"), which repeats the token: kube-apiserver keeps only the last record, so this one grants nothing',
      'authn/static-token-privileged-group@4: the token on line 4 (user "system:node:n1") is in system:masters: a never-expiring credential that bypasses RBAC',
      'authn/static-token-suspicious-identity@4: the token on line 4 (user "system:node:n1") uses the reserved name "system:node:n1"',
    ]);
    expect(findings.find((f) => f.ruleId === "authn/duplicate-static-token")?.properties).toEqual({ overriddenByLine: 3 });
  });

  it("flags user names and groups with spaces Go's CSV reader keeps", () => {
    const token = strongToken();
    const findings = lintTokenFile(parseTokenFile(`${token}, alice,1,"dev, ops"\n`, "t.csv"));
    const spaced = findings.filter((f) => f.ruleId === "authn/static-token-suspicious-identity");
    expect(spaced.map((f) => f.message)).toEqual([`the token on line 1 (user " alice"): " alice", " ops" keep surrounding spaces, which kube-apiserver does not trim`]);
    expect(JSON.stringify(findings)).not.toContain(token);
  });

  it("reports the parse error as a finding with its position", () => {
    const findings = lintTokenFile(parseTokenFile('tok"en,a,1\n', "t.csv"));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: "authn/token-file-parse-error", position: { file: "t.csv", line: 1, column: 4 } });
  });
});

describe("weak token heuristics", () => {
  it("flags well-known, short, repetitive and user-derived tokens", () => {
    expect(tokenWeaknesses("changeme")).toContain("well-known");
    expect(tokenWeaknesses("abcdefgh")).toContain("well-known");
    expect(tokenWeaknesses("a".repeat(64))).toEqual(["low-entropy"]);
    expect(tokenWeaknesses("alice-" + strongToken(), "alice")).toEqual(["same-as-username"]);
    expect(tokenWeaknesses("Xk9")).toContain("short");
  });

  it("accepts 128-bit tokens from a CSPRNG (hex or base64url)", () => {
    // Real randomness, not fast-check's biased bytes: the claim is about tokens people generate.
    for (let i = 0; i < 500; i++) {
      expect(tokenWeaknesses(randomBytes(16).toString("hex"))).toEqual([]);
      expect(tokenWeaknesses(randomBytes(16).toString("base64url"))).toEqual([]);
    }
  });

  it("never estimates more bits than 8 per character", () => {
    fc.assert(fc.property(fc.string(), (s) => estimatedTokenBits(s) <= 8 * [...s].length + 1e-9));
  });
});
