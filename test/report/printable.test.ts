import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { printable, printableLineStart } from "../../src/report/printable.js";
import { UNSAFE } from "./untrusted.js";

describe("printable", () => {
  it("writes C0 controls as JSON.stringify does, so a report quotes values one way", () => {
    for (let code = 0; code < 0x20; code++) {
      const char = String.fromCharCode(code);
      expect(printable(char), `U+${code.toString(16)}`).toBe(JSON.stringify(char).slice(1, -1));
    }
    expect(printable("c\n::error file=README.md::x")).toBe("c\\n::error file=README.md::x");
    expect(printable("d\r\x1b[1A\x1b[2K\x07")).toBe("d\\r\\u001b[1A\\u001b[2K\\u0007");
    // The runner's older command form, read anywhere in a line.
    expect(printable("web ##[error]all good ##[add-mask]x")).toBe("web ##\\u005berror]all good ##\\u005badd-mask]x");
  });

  it("escapes DEL, C1 controls, line separators, bidi controls and lone surrogates", () => {
    expect(printable("a\x7fb\x85c\x9bd")).toBe("a\\u007fb\\u0085c\\u009bd");
    expect(printable("x\u2028y\u2029z")).toBe("x\\u2028y\\u2029z");
    expect(printable("\u202Aa\u202B\u202C\u202D\u202Eb")).toBe("\\u202aa\\u202b\\u202c\\u202d\\u202eb");
    expect(printable("\u2066\u2067\u2068\u2069\u200e\u200f\u061c")).toBe("\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c");
    expect(printable("a\ud800b\udc00")).toBe("a\\ud800b\\udc00");
  });

  it("leaves text that is safe to print as it is: non-ASCII, pairs, backslashes and quoted escapes", () => {
    for (const text of ["plain", "ü — ✓ 😀", 'container "c\\u001b" has \\n', "\u00a0\u00ff\ufffd\ufeff"]) expect(printable(text)).toBe(text);
  });

  it("leaves nothing unsafe, changes nothing safe, and is idempotent (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const shown = printable(text);
        expect(shown).not.toMatch(UNSAFE);
        expect(printable(shown)).toBe(shown);
        if (!UNSAFE.test(text)) expect(shown).toBe(text);
      }),
    );
  });

  it("escapes the first colon of a value that would start a line with a workflow command's `::`", () => {
    expect(printableLineStart("::error file=README.md::pwned.yaml")).toBe("\\u003a:error file=README.md::pwned.yaml");
    expect(printableLineStart(" \u00a0::warning::x")).toBe(" \u00a0\\u003a:warning::x");
    expect(printableLineStart("\n::error::x")).toBe("\\n::error::x");
    for (const text of ["a::b", ":x", "k8s/web.yaml"]) expect(printableLineStart(text)).toBe(text);
  });
});
