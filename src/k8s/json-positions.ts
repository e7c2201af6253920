import { MAPPING, NONE, PositionsWriter, SEQUENCE, type DocumentPositions } from "./positions.js";

/**
 * Where every key and item of a JSON text starts, in one pass that builds no values. The
 * text is one JSON.parse has already accepted, so the scan trusts its syntax. Finding
 * positions in `kubectl get pods -A -o json` through the `yaml` library's full AST took
 * 1.3 GB and 16 s for 40,000 pods.
 *
 * Keys are recorded where their opening quote is, items where their value starts: the
 * positions the YAML locators give for the same text.
 */
export function scanJsonPositions(text: string): DocumentPositions {
  return new JsonPositionScanner(text).document();
}

/**
 * The positions, and how many keys the text writes. JSON.parse keeps the last of duplicate
 * keys silently; more keys written than the parsed value holds means the text has some.
 */
export function scanJsonPositionsCountingKeys(text: string): { positions: DocumentPositions; keys: number } {
  const scanner = new JsonPositionScanner(text);
  const positions = scanner.document();
  return { positions, keys: scanner.keys };
}

const QUOTE = 34;
const BACKSLASH = 92;

class JsonPositionScanner {
  private readonly out = new PositionsWriter();
  /** Keys written, duplicates included. */
  keys = 0;
  private at = 0;
  private line = 0;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  document(): DocumentPositions {
    this.skipSpace();
    const line = this.line;
    const column = this.at - this.lineStart;
    this.value();
    return this.out.finish(this.text, line, column);
  }

  private skipSpace(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.at);
      if (c === 10) {
        this.at++;
        this.line++;
        this.lineStart = this.at;
      } else if (c === 32 || c === 9 || c === 13) {
        this.at++;
      } else {
        return;
      }
    }
  }

  /** Reads the value at the cursor; returns the header of the collection it opened, or NONE. */
  private value(): number {
    const c = this.text.charCodeAt(this.at);
    if (c === 123) return this.object();
    if (c === 91) return this.array();
    if (c === QUOTE) {
      this.string();
      return NONE;
    }
    // A number, true, false or null: up to the next delimiter or space.
    const text = this.text;
    while (this.at < text.length) {
      const d = text.charCodeAt(this.at);
      if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break;
      this.at++;
    }
    return NONE;
  }

  /** Moves past the string whose opening quote is at the cursor; returns whether it held an escape. */
  private string(): boolean {
    const text = this.text;
    let escaped = false;
    let i = this.at + 1;
    for (; i < text.length; ) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        i += 2;
      } else {
        i++;
      }
    }
    this.at = i + 1;
    return escaped;
  }

  private object(): number {
    const text = this.text;
    return this.collection(MAPPING, 125, (header, last) => {
      this.keys++;
      const keyAt = this.at;
      const line = this.line;
      const column = keyAt - this.lineStart;
      const escaped = this.string();
      const keyEnd = this.at;
      this.skipSpace();
      this.at++; // the colon
      this.skipSpace();
      const child = this.value();
      return escaped
        ? this.out.keyEntry(header, last, { name: JSON.parse(text.slice(keyAt, keyEnd)) as string, offset: keyAt, quoted: true }, line, column, child)
        : this.out.plainKeyEntry(header, last, keyAt + 1, keyEnd - keyAt - 2, line, column, child);
    });
  }

  private array(): number {
    return this.collection(SEQUENCE, 93, (header, last) => {
      const line = this.line;
      const column = this.at - this.lineStart;
      const child = this.value();
      return this.out.itemEntry(header, last, line, column, child);
    });
  }

  /**
   * An object or array whose opening character is at the cursor: `entry` reads one member
   * (the cursor on its first character) and records it after `last`; members are
   * separated by commas until the `close` character.
   */
  private collection(kind: number, close: number, entry: (header: number, last: number) => number): number {
    const header = this.out.open(kind);
    const text = this.text;
    this.at++;
    this.skipSpace();
    if (text.charCodeAt(this.at) === close) {
      this.at++;
      return header;
    }
    let last = NONE;
    for (;;) {
      this.skipSpace();
      last = entry(header, last);
      this.skipSpace();
      if (text.charCodeAt(this.at++) !== 44) return header; // the closing character
    }
  }
}
