/**
 * Variable substitution in a Dockerfile word as BuildKit's shell lexer does it
 * (frontend/dockerfile/shell): `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
 * `${VAR:+word}`, `${VAR+word}`, `${VAR:?msg}`, `${VAR?msg}`, with single quotes literal,
 * double quotes removed, and the escape character (`\` or the `# escape=` one) quoting the
 * next character. The checks judge the values a Dockerfile declares (ARG defaults, ENV),
 * so a variable whose value is decided only at build time (an ARG without a default, an
 * ENV of the base image) makes the whole word unknown rather than guessed.
 */

/**
 * A variable's state where a word is expanded: a value; unset; `open`, a build argument
 * declared without a default (`${X}` is then unknown, but `${X:-word}` means word unless the
 * build passes X); or `unknown`, set outside the Dockerfile (an ENV of the base image).
 */
export type Binding = { kind: "value"; value: string } | { kind: "unset" } | { kind: "open" } | { kind: "unknown" };

export type Lookup = (name: string) => Binding;

/** The expanded word, or undefined when it depends on a value known only at build time. */
export function expandWord(word: string, lookup: Lookup, escape = "\\"): string | undefined {
  const lexer = new Lexer(word, lookup, escape);
  try {
    return lexer.word(undefined);
  } catch (error) {
    if (error === UNKNOWN) return undefined;
    throw error;
  }
}

const UNKNOWN = Symbol("unknown");
/** Nested `${A:-${B:-...}}` deeper than this is not judged: a hostile file must not exhaust the stack. */
const MAX_NESTING = 64;
const NAME_CHAR = /[A-Za-z0-9_]/;

class Lexer {
  private at = 0;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly lookup: Lookup,
    private readonly escape: string,
  ) {}

  /** Reads up to `stop` (unconsumed), or to the end. */
  word(stop: string | undefined): string {
    let out = "";
    while (this.at < this.text.length) {
      const ch = this.text[this.at] as string;
      if (ch === stop) return out;
      if (ch === this.escape) {
        this.at += 1;
        if (this.at < this.text.length) out += this.text[this.at++];
      } else if (ch === "'") out += this.singleQuoted();
      else if (ch === '"') out += this.doubleQuoted();
      else if (ch === "$") out += this.dollar();
      else {
        out += ch;
        this.at += 1;
      }
    }
    return out;
  }

  private singleQuoted(): string {
    const end = this.text.indexOf("'", this.at + 1);
    const close = end < 0 ? this.text.length : end;
    const content = this.text.slice(this.at + 1, close);
    this.at = close + 1;
    return content;
  }

  private doubleQuoted(): string {
    let out = "";
    this.at += 1;
    while (this.at < this.text.length) {
      const ch = this.text[this.at] as string;
      if (ch === '"') {
        this.at += 1;
        return out;
      }
      if (ch === this.escape) {
        const next = this.text[this.at + 1];
        // Inside double quotes the escape character quotes only ", $ and itself.
        if (next === '"' || next === "$" || next === this.escape) {
          out += next;
          this.at += 2;
          continue;
        }
        out += ch;
        this.at += 1;
      } else if (ch === "$") out += this.dollar();
      else {
        out += ch;
        this.at += 1;
      }
    }
    return out;
  }

  private name(): string {
    const start = this.at;
    while (this.at < this.text.length && NAME_CHAR.test(this.text[this.at] as string)) this.at += 1;
    return this.text.slice(start, this.at);
  }

  private dollar(): string {
    this.at += 1;
    if (this.text[this.at] !== "{") {
      const name = this.name();
      if (name === "") return "$";
      return valueOf(this.lookup(name));
    }
    this.at += 1;
    const name = this.name();
    const next = this.text[this.at];
    if (name === "" || next === undefined) throw UNKNOWN; // BuildKit refuses the word: nothing to judge
    if (next === "}") {
      this.at += 1;
      return valueOf(this.lookup(name));
    }
    const colon = next === ":";
    const operator = this.text[this.at + (colon ? 1 : 0)];
    if (operator !== "-" && operator !== "+" && operator !== "?") throw UNKNOWN; // pattern operators (#, %, /): not judged
    this.at += colon ? 2 : 1;
    if (++this.depth > MAX_NESTING) throw UNKNOWN;
    const alternative = this.word("}");
    this.depth -= 1;
    if (this.text[this.at] !== "}") throw UNKNOWN;
    this.at += 1;
    const binding = this.lookup(name);
    if (binding.kind === "unknown") throw UNKNOWN;
    // An open build argument is judged by the Dockerfile's own fallback: unset unless the build passes it.
    const set = binding.kind === "value" && (!colon || binding.value !== "");
    if (operator === "-") return set && binding.kind === "value" ? binding.value : alternative;
    if (operator === "+") return set ? alternative : "";
    // `?`: an unset variable fails the build.
    if (!set || binding.kind !== "value") throw UNKNOWN;
    return binding.value;
  }
}

function valueOf(binding: Binding): string {
  if (binding.kind === "unknown" || binding.kind === "open") throw UNKNOWN;
  return binding.kind === "value" ? binding.value : "";
}
