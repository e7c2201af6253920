/**
 * A single-dash word on a Kubernetes component's command line, as pflag reads it (spf13/pflag
 * flag.go parseShortArg, parseSingleShortArg): a run of one-letter shorthands, never a long
 * flag. kube-apiserver, kube-controller-manager, kube-scheduler and the kubelet register two:
 * -v (component-base logsapi's --v, a value) and -h (--help, a boolean: component-base
 * globalflag.AddGlobalFlags, or the kubelet's own BoolP("help", "h")). Any other letter stops
 * the component, so `-anonymous-auth=false` is refused at its 'a', never read as the long flag.
 */
import { goQuote } from "../podsecurity/check.js";
import { parseGoBool } from "./go-bool.js";
import { wordForMessage } from "./url-text.js";

export interface ShorthandReading {
  /** -v's value, when the word sets it (the last -v of the word wins, as pflag sets it in turn). */
  verbosity?: string;
  /** --help's value, when the word sets it. */
  help?: boolean;
  /** The word took the next one as -v's value ('-v 4'). */
  tookNext: boolean;
  /** pflag's parse error, which stops the component; parsing ends there. */
  error?: string;
}

/** Reads `word` (starting with one `-`); `next` is the word after it, if any. */
export function readShorthands(word: string, next: string | undefined): ShorthandReading {
  const reading: ShorthandReading = { tookNext: false };
  let shorthands = word.slice(1);
  while (shorthands.length > 0) {
    // pflag skips what Go's testing flags look like (-test.v, -test.run=x): the rest of the word is ignored.
    if (shorthands.startsWith("test.")) break;
    const c = shorthands[0] as string;
    const assigned = shorthands.length > 2 && shorthands[1] === "=" ? shorthands.slice(2) : undefined;
    if (c === "v") {
      // No NoOptDefVal: the value is after '=', else the rest of the word, else the next word.
      if (assigned !== undefined) reading.verbosity = assigned;
      else if (shorthands.length > 1) reading.verbosity = shorthands.slice(1);
      else if (next !== undefined) {
        reading.verbosity = next;
        reading.tookNext = true;
      } else return { ...reading, error: `flag needs an argument: 'v' in -${wordForMessage(shorthands)}` };
      break;
    }
    if (c === "h") {
      // A boolean (NoOptDefVal "true"): only `-h=value` gives it a value; otherwise the next letter is another shorthand.
      if (assigned === undefined) {
        reading.help = true;
        shorthands = shorthands.slice(1);
        continue;
      }
      const value = parseGoBool(assigned);
      if (value === undefined) return { ...reading, error: invalidBoolean("-h, --help", assigned) };
      reading.help = value;
      break;
    }
    return { ...reading, error: `unknown shorthand flag: ${goQuoteByte(shorthands)} in -${wordForMessage(shorthands)}` };
  }
  return reading;
}

/** pflag's message for a boolean flag's value strconv.ParseBool refuses. */
export function invalidBoolean(flagName: string, value: string): string {
  const quoted = goQuote(wordForMessage(value));
  return `invalid argument ${quoted} for "${flagName}" flag: strconv.ParseBool: parsing ${quoted}: invalid syntax`;
}

/**
 * Go's %q of the first byte of `text` (pflag quotes the byte shorthands[0]): fmt quotes it as
 * the rune of that value, so a non-ASCII letter shows as the Latin-1 character of its first
 * UTF-8 byte ('é' is bytes C3 A9, shown 'Ã').
 */
function goQuoteByte(text: string): string {
  const byte = Buffer.from(text, "utf8")[0] as number;
  const escapes: Record<number, string> = { 0x07: "\\a", 0x08: "\\b", 0x0c: "\\f", 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t", 0x0b: "\\v", 0x27: "\\'", 0x5c: "\\\\" };
  const escape = escapes[byte];
  if (escape !== undefined) return `'${escape}'`;
  // A UTF-8 lead byte (C2-F4) is a printable Latin-1 rune (strconv.IsPrint); below 0x80 only space and the graphic characters are.
  if (byte >= 0x80 || (byte >= 0x20 && byte < 0x7f)) return `'${String.fromCharCode(byte)}'`;
  return `'\\x${byte.toString(16).padStart(2, "0")}'`;
}
