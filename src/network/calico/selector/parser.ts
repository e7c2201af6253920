/**
 * Recursive-descent parser for Calico selectors, with upstream's grammar:
 *
 *   or        := and ("||" and)*
 *   and       := operation ("&&" operation)*
 *   operation := "!"* ( has(k) | all() | global() | "(" or ")"
 *                     | k (== | != | contains | starts with | ends with) "str"
 *                     | k (in | not in) "{" ["str" ("," "str")* [","]] "}" )
 *
 * Leading `!`s collapse to one negation (an even number cancels), a negation covers the
 * whole comparison, and `&&`/`||` chains become one n-ary node each, exactly as the
 * canonical printer expects. An empty or blank selector means `all()`.
 */
import { SelectorSyntaxError, SelectorTooDeepError, tokenize, type Token } from "./tokenizer.js";

/**
 * How deep parentheses may nest. Parsing, printing and matching recurse once per level (and
 * the printed form can nest twice as deep as the input), so an unbounded depth would end in
 * a stack overflow instead of an error; real selectors nest a handful of levels.
 */
export const MAX_SELECTOR_NESTING = 256;
import { toStringSet, type SelectorNode } from "./ast.js";

const COMPARISONS = { eq: "eq", ne: "ne", contains: "contains", startsWith: "startsWith", endsWith: "endsWith" } as const;

const TOKEN_TEXT: Record<Token["kind"], string> = {
  label: "label",
  string: "string",
  eq: "==",
  ne: "!=",
  contains: "contains",
  startsWith: "starts with",
  endsWith: "ends with",
  in: "in",
  notIn: "not in",
  has: "has()",
  and: "&&",
  or: "||",
  not: "!",
  lbrace: "{",
  rbrace: "}",
  comma: ",",
  lparen: "(",
  rparen: ")",
  all: "all()",
  global: "global()",
  eof: "end of selector",
};

function describe(token: Token): string {
  if (token.kind === "label") return `label '${token.value}'`;
  if (token.kind === "string") return `string ${JSON.stringify(token.value)}`;
  return `'${TOKEN_TEXT[token.kind]}'`;
}

class Parser {
  private at = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[Math.min(this.at, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.at++;
    return token;
  }

  private fail(message: string, token: Token): never {
    throw new SelectorSyntaxError(message, this.source, token.offset);
  }

  parseRoot(): SelectorNode {
    if (this.peek().kind === "eof") return { op: "all" };
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== "eof") this.fail(`unexpected ${describe(rest)} after a complete expression: expected && or || or the end`, rest);
    return node;
  }

  private parseOr(): SelectorNode {
    const operands = [this.parseAnd()];
    while (this.peek().kind === "or") {
      this.next();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? (operands[0] as SelectorNode) : { op: "or", operands };
  }

  private parseAnd(): SelectorNode {
    const operands = [this.parseOperation()];
    while (this.peek().kind === "and") {
      this.next();
      operands.push(this.parseOperation());
    }
    return operands.length === 1 ? (operands[0] as SelectorNode) : { op: "and", operands };
  }

  private parseOperation(): SelectorNode {
    let negated = false;
    while (this.peek().kind === "not") {
      this.next();
      negated = !negated;
    }
    const node = this.parseOperand();
    return negated ? { op: "not", operand: node } : node;
  }

  private parseOperand(): SelectorNode {
    const token = this.next();
    switch (token.kind) {
      case "has":
        return { op: "has", label: token.value as string };
      case "all":
        return { op: "all" };
      case "global":
        return { op: "global" };
      case "lparen": {
        if (++this.depth > MAX_SELECTOR_NESTING) throw new SelectorTooDeepError(this.source, token.offset, MAX_SELECTOR_NESTING);
        const inner = this.parseOr();
        this.depth--;
        const close = this.next();
        if (close.kind !== "rparen") this.fail(`expected ) to close the ( at column ${token.offset + 1}, found ${describe(close)}`, close);
        return inner;
      }
      case "label":
        return this.parseComparison(token.value as string);
      default:
        return this.fail(`unexpected ${describe(token)}: expected a label comparison, has(label), all(), global(), ! or (`, token);
    }
  }

  private parseComparison(label: string): SelectorNode {
    const operator = this.next();
    if (operator.kind === "in" || operator.kind === "notIn") {
      return { op: operator.kind, label, values: this.parseSet() };
    }
    if (operator.kind === "eq" || operator.kind === "ne" || operator.kind === "contains" || operator.kind === "startsWith" || operator.kind === "endsWith") {
      const literal = this.next();
      if (literal.kind !== "string") {
        this.fail(`expected a quoted string after '${TOKEN_TEXT[operator.kind]}', found ${describe(literal)} (the right side must be a literal such as "value")`, literal);
      }
      return { op: COMPARISONS[operator.kind], label, value: literal.value as string };
    }
    return this.fail(`label '${label}' must be followed by an operator (==, !=, in, not in, contains, starts with, ends with), found ${describe(operator)}`, operator);
  }

  /** `{ "a", 'b', }` — upstream accepts an empty set and a trailing comma. */
  private parseSet(): string[] {
    const open = this.next();
    if (open.kind !== "lbrace") this.fail(`expected a set literal such as {"a", "b"}, found ${describe(open)}`, open);
    const values: string[] = [];
    while (this.peek().kind === "string") {
      values.push(this.next().value as string);
      if (this.peek().kind !== "comma") break;
      this.next();
    }
    const close = this.next();
    if (close.kind !== "rbrace") this.fail(`expected } to close the set literal, found ${describe(close)}`, close);
    return toStringSet(values);
  }
}

/** Parse a selector, or throw a SelectorSyntaxError that says where and what was expected. */
export function parseSelectorNode(selector: string): SelectorNode {
  return new Parser(selector, tokenize(selector)).parseRoot();
}
