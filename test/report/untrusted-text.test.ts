/**
 * Text from manifests in human-readable reports (text, wide, -o github, JUnit): a value
 * may not add a line, a workflow command or a terminal control of its own. Structured
 * formats (JSON, YAML, SARIF) encode their strings and are not concerned.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { renderGithubPieces } from "../../src/report/github.js";
import { renderJunit } from "../../src/report/junit.js";
import { renderProblems, renderText } from "../../src/report/text.js";
import type { ScanResult } from "../../src/scan/run.js";
import { palisade } from "../support/cli-in-process.js";
import { plainValues, reportOf, SGR, UNSAFE, untrustedValues } from "./untrusted.js";

/** The QA pass's manifest (/tmp/qa/gh.yaml): container names that are workflow commands and terminal controls. */
const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: gh
spec:
  containers:
  - name: "c\\n::error file=README.md,line=1::all good, ignore the rest\\n::stop-commands::zzz"
    image: x
    securityContext: {privileged: true}
  - name: "d\\r\\e[1A\\e[2K\\e[1A\\e[2K"
    image: x
    securityContext: {privileged: true}
`;

const dir = mkdtempSync(join(tmpdir(), "palisade-untrusted-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function manifestFile(): string {
  writeFileSync(join(dir, "gh.yaml"), MANIFEST);
  return join(dir, "gh.yaml");
}

/** A line GitHub Actions' runner takes for a workflow command: `::` after leading whitespace. */
const isCommand = (line: string) => line.trimStart().startsWith("::");

const lines = (text: string) => text.split("\n");

describe("a manifest's text in text and wide output", () => {
  it("makes no workflow command and no terminal control of a container name (the QA reproduction)", async () => {
    const file = manifestFile();
    for (const output of ["text", "wide"]) {
      const { stdout } = await palisade(["scan", file, "--level", "baseline", "-o", output]);
      expect(lines(stdout).filter(isCommand), output).toEqual([]);
      expect(stdout.replace(/\n/g, ""), output).not.toMatch(UNSAFE);
      // The names are shown, as the escapes rule messages quote values with.
      expect(stdout).toContain("c\\n::error file=README.md,line=1::all good, ignore the rest\\n::stop-commands::zzz");
      expect(stdout).toContain("d\\r\\u001b[1A\\u001b[2K");
    }
  });

  it("keeps its own colours on a terminal, and they are the only difference from plain text", () => {
    const result = reportOf({ ...plainValues(), name: "a\u001b[31mred\u001b[0m", message: "m\r\u001b[2K\u0007" });
    const coloured = renderText(result, { color: true, wide: true });
    expect(coloured).toMatch(SGR);
    expect(coloured.replace(SGR, "")).toBe(renderText(result, { color: false, wide: true }));
    expect(coloured).toContain("a\\u001b[31mred\\u001b[0m");
    expect(coloured.replace(SGR, "").replace(/\n/g, "")).not.toMatch(UNSAFE);
  });

  it("escapes input problems on stderr too: file, message and hint", () => {
    const text = renderProblems([{ kind: "parse-error", message: "bad\n::error::x", position: { file: "a\u001b[2K.yaml", line: 1, column: 1 }, hint: "h\rint" }], false);
    expect(text).toBe("a\\u001b[2K.yaml:1:1: bad\\n::error::x\n  hint: h\\rint");
  });
});

describe("a manifest's text in -o github annotations", () => {
  it("writes no ESC or other control into an annotation, and each line is one annotation (the QA reproduction)", async () => {
    const { stdout } = await palisade(["scan", manifestFile(), "--level", "baseline", "-o", "github"]);
    const [summary, ...annotations] = lines(stdout.trimEnd()).reverse();
    expect(summary).toMatch(/^\d+ findings /);
    // Properties hold no raw colon (%3A): each line's first `::` after the command ends them.
    for (const line of annotations) expect(line).toMatch(/^::(error|warning|notice) [^:]*::/);
    expect(stdout.replace(/\n/g, "")).not.toMatch(UNSAFE);
    // The runner would decode %0A to a line break: a name's newline must stay text.
    expect(stdout).toContain("container \"c\\n::error file=README.md,line=1::all good, ignore the rest\\n::stop-commands::zzz\"");
  });
});

describe("any text a manifest holds (property)", () => {
  /** The report's lines: its own line breaks, which the values must not add to. */
  const shape = (text: string) => lines(text).length;
  const renderers: Array<[string, (r: ScanResult) => string]> = [
    ["text", (r) => renderText(r, { color: false })],
    ["wide", (r) => renderText(r, { color: false, wide: true })],
    ["github", (r) => [...renderGithubPieces(r)].join("")],
    ["problems", (r) => renderProblems(r.problems, false)],
  ];

  it("leaves no control, separator or bidi control in any line of text, wide, github or stderr output, nor adds a line", () => {
    const plain = reportOf(plainValues());
    fc.assert(
      fc.property(untrustedValues, (values) => {
        const result = reportOf(values);
        for (const [name, render] of renderers) {
          const text = render(result);
          expect(shape(text), name).toBe(shape(render(plain)));
          for (const line of lines(text)) {
            expect(line, name).not.toMatch(UNSAFE);
            if (name !== "github") expect(isCommand(line), name).toBe(false);
          }
          if (name === "github") for (const line of lines(text).slice(0, 2)) expect(line).toMatch(/^::(error|warning|notice) /);
        }
        // On a terminal the renderer's colours are added, and nothing else.
        for (const wide of [false, true]) expect(renderText(result, { color: true, wide }).replace(SGR, "")).toBe(renderText(result, { color: false, wide }));
      }),
      { numRuns: 300 },
    );
  });

  it("JUnit: U+FFFE and U+FFFF, outside XML 1.0's characters, become U+FFFD (the QA reproduction)", () => {
    const xml = renderJunit(reportOf({ ...plainValues(), message: 'privileged (container "a\ufffeb\uffffc")' }));
    expect(xml).not.toMatch(/[\ufffe\uffff]/);
    expect(xml).toContain('message="privileged (container &quot;a\ufffdb\ufffdc&quot;)"');
  });

  it("JUnit: only XML 1.0 characters, and a value adds no line to a failure's text", () => {
    // XML 1.0's Char production.
    const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
    const plain = renderJunit(reportOf(plainValues()));
    fc.assert(
      fc.property(untrustedValues, (values) => {
        // A suite per file: a problem in the finding's file shares its suite.
        fc.pre(values.file !== values.problemFile);
        const xml = renderJunit(reportOf(values));
        expect(xml).not.toMatch(NOT_XML_CHAR);
        expect(shape(xml)).toBe(shape(plain));
        expect(xml.replace(/\n/g, "")).not.toMatch(UNSAFE);
      }),
      { numRuns: 300 },
    );
  });
});
