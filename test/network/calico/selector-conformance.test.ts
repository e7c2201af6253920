import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformancePath } from "../../support/conformance.js";
import { parseCalicoSelector, prefixSelectorLabels, SelectorSyntaxError, tokenize, type Token } from "../../../src/network/calico/selector/index.js";

interface SelectorCase {
  source: string;
  selector: string;
  labels?: Record<string, string>;
  match?: boolean;
  valid?: false;
  reason?: string;
  canonical?: string;
  prefixLabels?: string;
  canonicalAfterPrefix?: string;
}

interface TokenCase {
  input: string;
  tokens?: Array<{ kind: string; value?: string }>;
  error?: true;
}

const dir = conformancePath("calico-selectors");
const cases: SelectorCase[] = dir ? (JSON.parse(readFileSync(join(dir, "cases.json"), "utf8")) as SelectorCase[]) : [];
const tokenCases: TokenCase[] = dir ? (JSON.parse(readFileSync(join(dir, "tokens.json"), "utf8")) as { cases: TokenCase[] }).cases : [];

const matchCases = cases.filter((c) => c.match !== undefined);
const invalidCases = cases.filter((c) => c.valid === false);
const canonicalCases = cases.filter((c) => c.canonical !== undefined);
const prefixCases = cases.filter((c) => c.prefixLabels !== undefined);

describe.skipIf(!dir)("calico selector conformance (libcalico-go parser_test.go)", () => {
  it("has every table the README counts", () => {
    expect([matchCases.length, invalidCases.length, canonicalCases.length, prefixCases.length]).toEqual([98, 28, 17, 11]);
  });

  it.each(matchCases.map((c) => [c.selector, JSON.stringify(c.labels), c] as const))("%s on %s", (_s, _l, c) => {
    const selector = parseCalicoSelector(c.selector);
    expect(selector.matches(c.labels ?? {})).toBe(c.match);
    // Upstream: the canonical form gives the same answer as the original.
    expect(parseCalicoSelector(selector.canonical).matches(c.labels ?? {})).toBe(c.match);
  });

  it.each(invalidCases.map((c) => [c.selector, c.reason, c] as const))("rejects %j (%s)", (_s, _r, c) => {
    let error: unknown;
    try {
      parseCalicoSelector(c.selector);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SelectorSyntaxError);
    const offset = (error as SelectorSyntaxError).offset;
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThanOrEqual(c.selector.length);
  });

  it.each(canonicalCases.map((c) => [c.selector, c.canonical, c] as const))("canonical of %j is %j", (_s, _c, c) => {
    const canonical = parseCalicoSelector(c.selector).canonical;
    expect(canonical).toBe(c.canonical);
    expect(parseCalicoSelector(canonical).canonical).toBe(canonical);
  });

  it.each(prefixCases.map((c) => [c.selector, c.canonicalAfterPrefix, c] as const))("prefixed %j prints %j", (_s, _c, c) => {
    expect(prefixSelectorLabels(parseCalicoSelector(c.selector), c.prefixLabels ?? "").canonical).toBe(c.canonicalAfterPrefix);
  });
});

function neutral(tokens: Token[]): Array<{ kind: string; value?: string }> {
  return tokens.map((t) => (t.value === undefined ? { kind: t.kind } : { kind: t.kind, value: t.value }));
}

describe.skipIf(!dir)("calico selector tokenizer conformance (tokenizer_test.go)", () => {
  it("has the whole table", () => {
    expect(tokenCases.length).toBe(29);
  });

  it.each(tokenCases.map((c) => [c.input, c] as const))("%j", (_i, c) => {
    if (c.error) {
      expect(() => tokenize(c.input)).toThrow(SelectorSyntaxError);
    } else {
      expect(neutral(tokenize(c.input))).toEqual(c.tokens);
    }
  });
});
