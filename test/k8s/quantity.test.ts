import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  milliValue,
  multiplyQuantity,
  parseQuantity,
  QuantityParseError,
  quantityFromManifest,
  subtractQuantities,
  unitValue,
  type Quantity,
  type QuantityFormat,
} from "../../src/k8s/quantity.js";

const canonical = (s: string): string => formatQuantity(parseQuantity(s));

describe("parseQuantity and formatQuantity follow upstream's canonical forms", () => {
  it.each([
    ["0", "0"],
    ["1n", "1n"],
    ["1u", "1u"],
    ["100m", "100m"],
    ["1000m", "1"],
    ["1", "1"],
    ["1000", "1k"],
    ["1500", "1500"],
    ["1k", "1k"],
    ["1M", "1M"],
    ["1G", "1G"],
    ["1T", "1T"],
    ["1P", "1P"],
    ["1E", "1E"],
    ["0.5", "500m"],
    ["0.1", "100m"],
    ["1.1", "1100m"],
    ["0.0001", "100u"],
    ["1.001m", "1001u"],
    ["1e3", "1e3"],
    ["1E3", "1e3"],
    ["12e6", "12e6"],
    ["1e+3", "1e3"],
    ["1e-3", "1e-3"],
    ["1.5e3", "1500"],
    ["-1", "-1"],
    ["+1", "1"],
    ["-100m", "-100m"],
    ["1Ki", "1Ki"],
    ["1Mi", "1Mi"],
    ["1Gi", "1Gi"],
    ["1Ti", "1Ti"],
    ["1Pi", "1Pi"],
    ["1Ei", "1Ei"],
    ["1024Ki", "1Mi"],
    ["1.5Gi", "1536Mi"],
    ["1.5Ki", "1536"],
    ["437.5Ki", "448000"],
    ["448000", "448k"],
    ["0.5Ki", "512"],
    ["1.1Ki", "1126400m"],
    ["512Ki", "512Ki"],
    ["1025Ki", "1025Ki"],
    ["0.5Mi", "512Ki"],
    ["-1Ki", "-1Ki"],
    ["0.0000000001", "1n"],
    ["-0.0000000001", "-1n"],
    ["1e-10", "1e-9"],
    ["1e-100", "1e-9"],
    ["0Mi", "0"],
    ["00.000", "0"],
    [".5", "500m"],
    ["5.", "5"],
    ["1.G", "1G"],
    // upstream caps binary-suffixed values at int64 max
    ["8Ei", "9223372036854775807"],
    ["9223372036854775807Ki", "9223372036854775807"],
  ])("%s -> %s", (input, expected) => {
    expect(canonical(input)).toBe(expected);
  });

  it("keeps decimal values beyond int64 exact (upstream only caps binary ones)", () => {
    expect(canonical("100E")).toBe("100E");
    expect(canonical("10000E")).toBe("10000E");
    expect(parseQuantity("10000E").nanos).toBe(10n ** 22n * 10n ** 9n);
  });

  it("treats a missing number as zero, as upstream's scanner does", () => {
    for (const s of ["-", "+", ".", "m", "Ki"]) expect(parseQuantity(s).nanos).toBe(0n);
  });

  it.each([
    ["", "format"],
    ["1.5.5", "format"],
    ["1e3.5", "format"],
    ["abc", "format"],
    [" 1", "format"],
    ["1 ", "format"],
    ["1e", "suffix"],
    ["1ee3", "suffix"],
    ["1Mi3", "suffix"],
    ["1ki", "suffix"],
    ["1KI", "format"],
    ["1mi", "suffix"],
    ["1e99999", "too-large"],
  ])("refuses %j (%s)", (input, reason) => {
    try {
      parseQuantity(input);
      expect.unreachable(`${input} parsed`);
    } catch (err) {
      expect(err).toBeInstanceOf(QuantityParseError);
      expect((err as QuantityParseError).reason).toBe(reason);
    }
  });

  it("reads bare YAML numbers as upstream's JSON unmarshalling does", () => {
    expect(formatQuantity(quantityFromManifest(2))).toBe("2");
    expect(formatQuantity(quantityFromManifest(0.25))).toBe("250m");
    expect(formatQuantity(quantityFromManifest(" 1Gi "))).toBe("1Gi");
    expect(() => quantityFromManifest(true)).toThrow(QuantityParseError);
    expect(() => quantityFromManifest({ a: 1 })).toThrow(QuantityParseError);
  });

  it("rounds milli and unit values up, away from zero, as MilliValue and Value do", () => {
    expect(milliValue(parseQuantity("0.5m"))).toBe(1n);
    expect(milliValue(parseQuantity("1"))).toBe(1000n);
    expect(unitValue(parseQuantity("1500m"))).toBe(2n);
    expect(unitValue(parseQuantity("-1500m"))).toBe(-2n);
    expect(unitValue(parseQuantity("1Ki"))).toBe(1024n);
  });

  it("Add takes the right operand's format only when the left is zero", () => {
    expect(formatQuantity(addQuantities(parseQuantity("0"), parseQuantity("1Ki")))).toBe("1Ki");
    expect(formatQuantity(addQuantities(parseQuantity("1Ki"), parseQuantity("1Ki")))).toBe("2Ki");
    expect(formatQuantity(addQuantities(parseQuantity("1k"), parseQuantity("1Ki")))).toBe("2024");
    expect(formatQuantity(subtractQuantities(parseQuantity("1"), parseQuantity("250m")))).toBe("750m");
    expect(formatQuantity(multiplyQuantity(parseQuantity("250m"), 4))).toBe("1");
  });
});

const FORMATS: QuantityFormat[] = ["DecimalSI", "BinarySI", "DecimalExponent"];
const INT64_MAX_NANOS = ((1n << 63n) - 1n) * 10n ** 9n;

/** Any quantity upstream can hold: binary ones are capped at int64 max by the parser. */
const anyQuantity: fc.Arbitrary<Quantity> = fc
  .record({
    nanos: fc.oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: -5000n * 10n ** 9n, max: 5000n * 10n ** 9n })),
    format: fc.constantFrom(...FORMATS),
    whole: fc.boolean(),
  })
  .map(({ nanos, format, whole }) => {
    let n = whole ? (nanos / 10n ** 9n) * 10n ** 9n : nanos;
    if (format === "BinarySI" && (n > INT64_MAX_NANOS || n < -INT64_MAX_NANOS)) n %= INT64_MAX_NANOS;
    return { nanos: n, format };
  });

/** Quantity strings as people write them. */
const quantityText: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("", "-", "+"),
    fc.stringMatching(/^[0-9]{1,12}$/),
    fc.option(fc.stringMatching(/^[0-9]{0,10}$/), { nil: undefined }),
    fc.constantFrom("", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "e3", "e-2", "E6", "e0", "e-12"),
  )
  .map(([sign, int, frac, suffix]) => `${sign}${int}${frac === undefined ? "" : "." + frac}${suffix}`);

describe("Quantity properties", () => {
  it("parse(format(q)) == q in value, and formatting is canonical (idempotent)", () => {
    fc.assert(
      fc.property(anyQuantity, (q) => {
        const text = formatQuantity(q);
        const back = parseQuantity(text);
        expect(back.nanos).toBe(q.nanos);
        // A binary quantity printed without a suffix (5000) reparses as decimal (5k), as upstream;
        // from then on the canonical text is a fixed point.
        const canonicalText = formatQuantity(back);
        expect(formatQuantity(parseQuantity(canonicalText))).toBe(canonicalText);
        if (q.format !== "BinarySI") expect(canonicalText).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("every written quantity reparses from its canonical text to the same value", () => {
    fc.assert(
      fc.property(quantityText, (text) => {
        const q = parseQuantity(text);
        const again = parseQuantity(formatQuantity(q));
        expect(again.nanos).toBe(q.nanos);
        // A binary quantity that is not a whole number of Ki prints without a suffix and so
        // reparses as decimal (437.5Ki -> 448000 -> 448k), as upstream; one reparse later the
        // canonical text is a fixed point.
        const canonicalText = formatQuantity(again);
        expect(formatQuantity(parseQuantity(canonicalText))).toBe(canonicalText);
      }),
      { numRuns: 2000 },
    );
  });

  it("parsing never loses a requested resource: the value is never below what was written", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,6}\.[0-9]{1,15}$/), (text) => {
        const [int, frac] = text.split(".") as [string, string];
        const exactTimes1e15 = BigInt(int) * 10n ** 15n + BigInt(frac.padEnd(15, "0"));
        const parsedTimes1e15 = parseQuantity(text).nanos * 10n ** 6n;
        expect(parsedTimes1e15 >= exactTimes1e15).toBe(true);
        expect(parsedTimes1e15 - exactTimes1e15 < 10n ** 6n).toBe(true);
      }),
    );
  });

  it("addition is commutative and associative, zero is its identity and subtraction undoes it", () => {
    fc.assert(
      fc.property(anyQuantity, anyQuantity, anyQuantity, (a, b, c) => {
        expect(compareQuantities(addQuantities(a, b), addQuantities(b, a))).toBe(0);
        expect(compareQuantities(addQuantities(addQuantities(a, b), c), addQuantities(a, addQuantities(b, c)))).toBe(0);
        expect(compareQuantities(addQuantities(parseQuantity("0"), a), a)).toBe(0);
        expect(compareQuantities(subtractQuantities(addQuantities(a, b), b), a)).toBe(0);
      }),
    );
  });

  it("multiplication by n equals n-fold addition", () => {
    fc.assert(
      fc.property(anyQuantity, fc.integer({ min: 0, max: 20 }), (q, n) => {
        let sum = parseQuantity("0");
        for (let i = 0; i < n; i++) sum = addQuantities(sum, q);
        expect(compareQuantities(multiplyQuantity(q, n), sum)).toBe(0);
      }),
    );
  });

  it("gives manifest quantities the same answer on every call, cached or not", () => {
    const text = fc.oneof(fc.constantFrom("100m", " 128Mi", "1Gi ", "0.5", "1e3", "12x", "", "-", "1.5.5", "9".repeat(40) + "E"), fc.stringMatching(/^[ 0-9.eEkKMGTPmiun+-]{0,8}$/));
    fc.assert(
      fc.property(text, (s) => {
        const outcome = () => {
          try {
            return formatQuantity(quantityFromManifest(s));
          } catch (err) {
            return err instanceof QuantityParseError ? `error: ${err.message}` : `unexpected: ${String(err)}`;
          }
        };
        let direct: string;
        try {
          direct = formatQuantity(parseQuantity(s.trim()));
        } catch (err) {
          direct = err instanceof QuantityParseError ? `error: ${err.message}` : `unexpected: ${String(err)}`;
        }
        expect(outcome()).toBe(direct);
        expect(outcome()).toBe(direct);
      }),
      { numRuns: 1000 },
    );
  });
});
