/**
 * Tokenizer for Calico's selector language (libcalico-go lib/selector/tokenizer), rebuilt
 * from its behaviour: operator words (`contains`, `starts with`, `ends with`, `in`,
 * `not in`) are only recognised right after a label, so the same words are ordinary label
 * names anywhere else; strings have no escapes; only spaces and tabs are whitespace.
 * Every token keeps its offset so that errors can point at a column.
 */

export type TokenKind =
  | "label"
  | "string"
  | "eq"
  | "ne"
  | "contains"
  | "startsWith"
  | "endsWith"
  | "in"
  | "notIn"
  | "has"
  | "and"
  | "or"
  | "not"
  | "lbrace"
  | "rbrace"
  | "comma"
  | "lparen"
  | "rparen"
  | "all"
  | "global"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** Label name (label, has) or literal text (string). */
  value?: string;
  /** 0-based offset of the token's first character in the input. */
  offset: number;
}

/** A selector that cannot be read: `offset` is 0-based into the selector text. */
export class SelectorSyntaxError extends Error {
  readonly offset: number;
  readonly selector: string;

  constructor(message: string, selector: string, offset: number) {
    super(message);
    this.name = "SelectorSyntaxError";
    this.offset = offset;
    this.selector = selector;
  }

  /** 1-based column, as people and editors count. */
  get column(): number {
    return this.offset + 1;
  }
}

/**
 * A selector Palisade will not evaluate because it nests deeper than its limit. Calico has no
 * such limit, so this is not a syntax error in Calico's eyes; callers report it as unsupported.
 */
export class SelectorTooDeepError extends SelectorSyntaxError {
  constructor(selector: string, offset: number, limit: number) {
    super(`parentheses nest more than ${limit} deep: Palisade evaluates selectors nested at most ${limit} levels; flatten the expression (&& and || chains need no parentheses)`, selector, offset);
    this.name = "SelectorTooDeepError";
  }
}

/** The deepest parenthesis nesting of a tokenized selector. */
export function parenthesisDepth(tokens: readonly Token[]): number {
  let depth = 0;
  let deepest = 0;
  for (const token of tokens) {
    if (token.kind === "lparen") deepest = Math.max(deepest, ++depth);
    else if (token.kind === "rparen") depth--;
  }
  return deepest;
}

const WHITESPACE = new Set([" ", "\t"]);

function isLabelChar(ch: string): boolean {
  return /^[a-zA-Z0-9_./-]$/.test(ch);
}

/** The longest run of label characters at `at`, or "" when there is none. */
function labelAt(input: string, at: number): string {
  let end = at;
  while (end < input.length && isLabelChar(input[end] as string)) end++;
  return input.slice(at, end);
}

function skipWhitespace(input: string, at: number): number {
  while (at < input.length && WHITESPACE.has(input[at] as string)) at++;
  return at;
}

const SINGLE_CHAR: Record<string, TokenKind> = { "(": "lparen", ")": "rparen", "{": "lbrace", "}": "rbrace", ",": "comma" };
const DOUBLE_CHAR: Record<string, { second: string; kind: TokenKind; expected: string }> = {
  "=": { second: "=", kind: "eq", expected: "==" },
  "&": { second: "&", kind: "and", expected: "&&" },
  "|": { second: "|", kind: "or", expected: "||" },
};

/** Turn a selector into tokens ending with `eof`, or throw a SelectorSyntaxError. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  for (;;) {
    at = skipWhitespace(input, at);
    if (at >= input.length) {
      tokens.push({ kind: "eof", offset: at });
      return tokens;
    }
    const start = at;
    const ch = input[at] as string;
    const fail = (message: string, offset = start): never => {
      throw new SelectorSyntaxError(message, input, offset);
    };
    const single = SINGLE_CHAR[ch];
    const double = DOUBLE_CHAR[ch];
    if (single) {
      tokens.push({ kind: single, offset: start });
      at++;
    } else if (ch === '"' || ch === "'") {
      const close = input.indexOf(ch, at + 1);
      const other = ch === '"' ? "'" : '"';
      if (close < 0) fail(`unterminated string: no closing ${ch} (strings have no escape sequences: to put ${ch} in a value, quote it with ${other})`);
      tokens.push({ kind: "string", value: input.slice(at + 1, close), offset: start });
      at = close + 1;
    } else if (double) {
      if (input[at + 1] !== double.second) fail(`expected ${double.expected}`);
      tokens.push({ kind: double.kind, offset: start });
      at += 2;
    } else if (ch === "!") {
      if (input[at + 1] === "=") {
        tokens.push({ kind: "ne", offset: start });
        at += 2;
      } else {
        tokens.push({ kind: "not", offset: start });
        at++;
      }
    } else if (tokens.at(-1)?.kind === "label") {
      at = readOperatorWord(input, at, tokens, fail);
    } else if (input.startsWith("has(", at)) {
      at = skipWhitespace(input, at + 4);
      const name = labelAt(input, at);
      if (!name) fail("expected a label name inside has( )", at);
      at = skipWhitespace(input, at + name.length);
      if (input[at] !== ")") fail("expected ) to close has(", at);
      tokens.push({ kind: "has", value: name, offset: start });
      at++;
    } else if (input.startsWith("all(", at) || input.startsWith("global(", at)) {
      const kind = input.startsWith("all(", at) ? "all" : "global";
      at = skipWhitespace(input, at + kind.length + 1);
      if (input[at] !== ")") fail(`expected ) to close ${kind}(`, at);
      tokens.push({ kind, offset: start });
      at++;
    } else {
      const name = labelAt(input, at);
      if (!name) fail(`unexpected character ${JSON.stringify(ch)}${/\s/.test(ch) ? ": only spaces and tabs may separate tokens (write the selector on one line, or as a folded YAML scalar >-)" : ""}`);
      tokens.push({ kind: "label", value: name, offset: start });
      at += name.length;
    }
  }
}

/**
 * After a label only an operator may follow. Upstream matches the operator words as
 * prefixes (so `a notin"x"` and `a contains"x"` are fine) and allows any run of
 * whitespace between `starts`/`ends`/`not` and their second word.
 */
function readOperatorWord(input: string, at: number, tokens: Token[], fail: (message: string, offset?: number) => never): number {
  const start = at;
  const label = tokens.at(-1)?.value ?? "";
  const expectingOperator = (): never =>
    fail(`unexpected characters after label '${label}': expected an operator (==, !=, in, not in, contains, starts with, ends with)`, start);
  const twoWords: Array<[string, string, TokenKind]> = [
    ["starts", "with", "startsWith"],
    ["ends", "with", "endsWith"],
    ["not", "in", "notIn"],
  ];
  if (input.startsWith("contains", at)) {
    tokens.push({ kind: "contains", offset: start });
    return at + "contains".length;
  }
  for (const [first, second, kind] of twoWords) {
    if (!input.startsWith(first, at)) continue;
    const next = skipWhitespace(input, at + first.length);
    if (!input.startsWith(second, next)) expectingOperator();
    tokens.push({ kind, offset: start });
    return next + second.length;
  }
  if (input.startsWith("in", at)) {
    tokens.push({ kind: "in", offset: start });
    return at + 2;
  }
  return expectingOperator();
}
