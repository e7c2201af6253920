import fc from "fast-check";
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { resolvePlainScalar } from "../../src/k8s/yaml-scalars.js";

/** What js-yaml makes of `text` as a plain scalar, or undefined when it refuses the line. */
function jsYamlReads(text: string): { value: unknown } | undefined {
  try {
    return { value: (jsYaml.load(`k: ${text}\n`) as { k: unknown }).k };
  } catch {
    return undefined;
  }
}

function agrees(text: string): void {
  const expected = jsYamlReads(text);
  if (expected === undefined) return;
  // toStrictEqual tells -0 from 0 and compares Dates by time.
  expect({ text, value: resolvePlainScalar(text) }).toStrictEqual({ text, value: expected.value });
}

describe("plain YAML scalars, as js-yaml's default schema resolves them", () => {
  it("resolves the named cases", () => {
    const samples = [
      "", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "yes", "on", "off", "fALSE",
      "0", "-0", "+0", "-00", "-0x0", "-0b0", "007", "+1", "0o17", "-0o17", "0o18", "017", "0x1F", "-0x1f", "0xG", "0b101", "0b", "0x", "0o", "1_000",
      "1e3", "1E3", "1.5", "-1.5e-3", "1.", "-.5", ".5", "+.5", ".5e2", "1e400", "-1e400", "9".repeat(400), ".inf", "-.Inf", "+.INF", ".NaN", "-.nan", "nan", "inf", "0.5e", "1.0.0",
      "2024-01-01", "2024-1-1", "0050-01-01", "2024-13-45", "2024-01-01T10:00:00Z", "2024-1-1 1:02:03.5 +01:00", "2024-01-01t10:00:00.123456-05:30", "2024-01-01T10:00:00.", "2024-01-01 10:00:00 Z", "2024-01-01T10:00:00+5",
      "v1", "100m", "128Mi", "-x", "12:30", "1:2:3", "0x1F:", "+", "-", ".", "..", "-.",
    ];
    for (const s of samples) agrees(s);
  });

  it("agrees with js-yaml on generated number-, date- and word-shaped scalars", () => {
    const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
    const sign = fc.constantFrom("", "+", "-");
    const numberLike = fc.oneof(
      fc.tuple(sign, fc.constantFrom("0b", "0o", "0x", "0", ""), fc.stringMatching(/^[0-9a-fA-FxXbBoO_]{0,6}$/)).map((p) => p.join("")),
      fc.tuple(sign, digits(4), fc.constantFrom("", ".", "."), fc.stringMatching(/^[0-9]{0,3}$/), fc.constantFrom("", "e", "E", "e-", "e+"), fc.stringMatching(/^[0-9]{0,3}$/)).map((p) => p.join("")),
      fc.tuple(sign, fc.constantFrom(".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", ".iNf", ".5", ".")).map((p) => p.join("")),
      fc.double().map(String),
      fc.integer().map(String),
    );
    const dateLike = fc
      .tuple(digits(4), digits(2), digits(2), fc.constantFrom("", "T", "t", " ", "  ", "X"), digits(2), digits(2), digits(2), fc.constantFrom("", ".", ".1", ".12345"), fc.constantFrom("", "Z", " Z", "+01", "-1:30", "+05:3"))
      .map(([y, mo, d, sep, h, mi, s, frac, zone]) => (sep === "" ? `${y}-${mo}-${d}` : `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${zone}`));
    const wordLike = fc.stringMatching(/^[0-9a-zA-Z.+_~:-]{1,12}$/);
    fc.assert(fc.property(fc.oneof(numberLike, dateLike, wordLike), agrees), { numRuns: 5000 });
  });
});
