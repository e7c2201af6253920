/**
 * Parser directives as BuildKit reads them (frontend/dockerfile/parser: possibleParserDirective
 * and DirectiveParser.ParseLine): from the top, each line that is `# name=value` with a name
 * BuildKit knows (syntax, escape, check) is a directive, and the first line that is not one
 * ends them, blank lines and other comments included. dockerfile-ast also takes a comment with
 * any other name (`# foo=bar`) for a directive and reads on, so an `# escape=` below it would
 * change the escape character there and not in the build.
 */

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(["syntax", "escape", "check"]);

/**
 * The text to give dockerfile-ast so that it ends directives where BuildKit does: the `=` of
 * the comment line that ends them becomes a space (a plain comment to both parsers). Lengths
 * and line breaks are kept, so every position stays the same.
 */
export function withBuildKitDirectives(text: string): string {
  let offset = text.startsWith("\uFEFF") ? 1 : 0;
  while (offset < text.length) {
    const newline = text.indexOf("\n", offset);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(offset, end).replace(/\r$/, "").replace(/^[ \t]+/, "");
    const match = DIRECTIVE.exec(line);
    if (match && KNOWN_DIRECTIVES.has((match[1] ?? "").toLowerCase())) {
      offset = end + 1;
      continue;
    }
    if (!line.startsWith("#")) return text;
    const equals = text.indexOf("=", offset);
    return equals >= 0 && equals < end ? `${text.slice(0, equals)} ${text.slice(equals + 1)}` : text;
  }
  return text;
}
