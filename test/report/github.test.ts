import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding, Severity } from "../../src/findings/types.js";
import { ANNOTATIONS_PER_KIND, renderGithubPieces } from "../../src/report/github.js";
import { printable } from "../../src/report/printable.js";
import type { ScanResult } from "../../src/scan/run.js";

const FINDING: Finding = {
  ruleId: "pss/privileged",
  severity: "critical",
  pillar: "workload",
  message: "privileged (container \"app\" must not set securityContext.privileged=true)",
  object: { kind: "Deployment", name: "web", namespace: "shop" },
  fieldPath: "spec.template.spec.containers[0].securityContext.privileged",
  position: { file: join(process.cwd(), "k8s", "web.yaml"), line: 22, column: 13 },
  remediation: "Remove securityContext.privileged or set it to false.",
};

function result(findings: Finding[], problems: ScanResult["problems"] = []): ScanResult {
  return { findings, problems, rules: [], scanned: [], stats: { files: 1, objects: 1, documents: 1, skippedNonKubernetes: 0, skippedFiles: 0 } };
}

const render = (r: ScanResult) => [...renderGithubPieces(r)].join("");

/** What the runner makes of a message: the inverse of the escaping. */
const unescape = (text: string) => text.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%25/g, "%");

describe("GitHub Actions annotations (-o github)", () => {
  it("annotates each finding on its file, line and column, at a level by severity, then prints the summary", () => {
    const findings: Finding[] = [FINDING, { ...FINDING, severity: "medium", ruleId: "netpol/x" }, { ...FINDING, severity: "low", ruleId: "quota/y" }, { ...FINDING, severity: "info", ruleId: "z/w", object: undefined, remediation: undefined }];
    const lines = render(result(findings)).split("\n");
    expect(lines[0]).toBe(
      "::error file=k8s/web.yaml,line=22,col=13,title=pss/privileged (critical) Deployment/shop/web::privileged (container \"app\" must not set securityContext.privileged=true)%0Aremediation: Remove securityContext.privileged or set it to false.",
    );
    expect(lines.slice(1, 4).map((line) => line.slice(0, line.indexOf(" ")))).toEqual(["::warning", "::notice", "::notice"]);
    expect(lines[3]).toMatch(/title=z\/w \(info\)::privileged/);
    expect(lines[4]).toMatch(/^4 findings \(1 critical, 1 medium, 1 low, 1 info\)/);
  });

  it("reports input problems as errors, and leaves out files that are not in the checkout", () => {
    const text = render(result([{ ...FINDING, position: { file: "<stdin>", line: 3, column: 1 } }], [{ kind: "parse-error", message: "invalid YAML: bad, really: bad", position: { file: "<stdin>", line: 8, column: 1 }, hint: "fix it" }]));
    const lines = text.split("\n");
    expect(lines[0]).toBe("::error line=8,col=1,title=palisade%3A parse-error::invalid YAML: bad, really: bad%0Ahint: fix it");
    expect(lines[1]).toMatch(/^::error line=3,col=1,title=/);
    // A live cluster's lines point into a List nobody sees: the object and the message say where.
    const live = render(result([{ ...FINDING, position: { file: "<cluster prod>", line: 3, column: 1 } }]));
    expect(live.split("\n")[0]).toMatch(/^::error title=/);
    // Nor is the text kustomize rendered, when objects could not be traced to their files.
    const rendered = render(result([{ ...FINDING, position: { file: "kustomize:overlays/prod", line: 3, column: 1 } }]));
    expect(rendered.split("\n")[0]).toMatch(/^::error line=3,col=1,title=/);
  });

  it("keeps every annotation on one line, and the runner reads back exactly the message and title, made printable (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (message, name) => {
        const text = render(result([{ ...FINDING, message, remediation: undefined, object: { kind: "Pod", name } }]));
        const [line, summary] = text.split("\n");
        expect(text.split("\n")).toHaveLength(3);
        expect(summary).toMatch(/^1 finding /);
        const [, properties, body] = /^::error (.*?)::(.*)$/s.exec(line!)!;
        // A control character in the text stays text: the runner decodes no line break or ESC from it.
        expect(unescape(body!)).toBe(printable(message));
        // Properties are split at commas and their values at the first colon-free `=`: neither may leak.
        const title = properties!.split(",").find((p) => p.startsWith("title="))!;
        expect(unescape(title.slice("title=".length))).toBe(`pss/privileged (critical) Pod/${printable(name)}`);
      }),
    );
  });

  describe("beyond the annotations GitHub shows (10 errors, 10 warnings and 10 notices a step)", () => {
    /** The n-th finding in report order, at the severity given, on line n + 1. */
    const nth = (severity: Severity, n: number): Finding => ({ ...FINDING, severity, ruleId: `r/${severity}`, message: `finding ${n}`, remediation: undefined, position: { ...FINDING.position!, line: n + 1 } });
    const problem = (n: number): ScanResult["problems"][number] => ({ kind: "parse-error", message: `problem ${n}`, position: { file: "bad.yaml", line: n + 1, column: 1 } });
    const NOTICE = "::notice title=palisade%3A not every finding is annotated::";

    it("annotates input problems and the most severe findings first, then a notice counting the others, which follow with their locations", () => {
      // In report order the lows come first: they must not take the notices from the count, nor highs the errors from criticals.
      const severities: Severity[] = [...Array<Severity>(12).fill("low"), ...Array<Severity>(10).fill("high"), ...Array<Severity>(9).fill("critical"), "medium", "medium", "info"];
      const lines = render(result(severities.map((s, n) => nth(s, n)), [problem(0), problem(1)])).trimEnd().split("\n");
      expect(ANNOTATIONS_PER_KIND).toBe(10);
      const notice = lines.findIndex((l) => l.startsWith(NOTICE));
      const shown = lines.slice(0, notice);
      // What GitHub shows: 10 errors (the problems, then criticals), both warnings, 9 notices (lows in report order), then the count: the 10th notice.
      expect(shown.map((l) => /^::(\w+) .*::(.*)$/.exec(l)!.slice(1).join(" "))).toEqual([
        "error problem 0",
        "error problem 1",
        ...[22, 23, 24, 25, 26, 27, 28, 29].map((n) => `error finding ${n}`),
        "warning finding 31",
        "warning finding 32",
        ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => `notice finding ${n}`),
      ]);
      expect(lines[notice]).toBe(
        `${NOTICE}15 findings (1 critical, 10 high, 3 low, 1 info) not annotated: GitHub shows 10 error, 10 warning and 10 notice annotations a step (50 a job), and those above are the most severe.%0AThe others follow in this log, each with its file and line; -o json reports every finding, -o sarif is for code scanning.`,
      );
      // The others: still workflow commands, most severe first, their location in the message (the log shows only the message).
      const summary = lines.findIndex((l) => /^34 findings \(9 critical, 10 high, 2 medium, 12 low, 1 info\)/.test(l));
      const rest = lines.slice(notice + 1, summary);
      expect(rest.map((l) => /::(?:.*: )?finding (\d+)$/.exec(l)![1])).toEqual(["30", ...[12, 13, 14, 15, 16, 17, 18, 19, 20, 21].map(String), "9", "10", "11", "33"]);
      expect(rest[0]).toBe("::error file=k8s/web.yaml,line=31,col=13,title=r/critical (critical) Deployment/shop/web::k8s/web.yaml:31:13: r/critical (critical) Deployment/shop/web: finding 30");
      // One annotation per finding and problem, the count aside, and the summary last.
      expect(lines.filter((l) => l.startsWith("::") && !l.startsWith(NOTICE))).toHaveLength(severities.length + 2);
      expect(lines.slice(summary)).toEqual([expect.stringMatching(/^34 findings/), "2 input problems (see above)."]);
    });

    it("counts input problems beyond the errors shown, and changes nothing when every kind fits", () => {
      const many = render(result([], Array.from({ length: 12 }, (_, n) => problem(n)))).trimEnd().split("\n");
      expect(many.filter((l) => l.startsWith("::error "))).toHaveLength(12);
      expect(many[10]).toMatch(new RegExp(`^${NOTICE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}2 input problems not annotated: `));
      expect(many[11]).toBe("::error file=bad.yaml,line=11,col=1,title=palisade%3A parse-error::bad.yaml:11:1: palisade: parse-error: problem 10");
      // Ten of each kind fit: all annotated in report order, no notice.
      const fits = render(result(["low", "high", "medium"].flatMap((s) => Array.from({ length: 10 }, (_, n) => nth(s as Severity, n))))).trimEnd().split("\n");
      expect(fits.filter((l) => l.startsWith("::"))).toHaveLength(30);
      expect(fits[0]).toMatch(/^::notice .*title=r\/low/);
      expect(fits.some((l) => l.startsWith(NOTICE))).toBe(false);
    });

    it("keeps a finding GitHub will not annotate on one line, its location and title made printable (property)", () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (message, name, file) => {
          const extra: Finding = { ...FINDING, message, remediation: undefined, object: { kind: "Pod", name }, position: { file: `${file}.yaml`, line: 3, column: 1 } };
          const lines = render(result([...Array.from({ length: 10 }, () => FINDING), extra])).split("\n");
          expect(lines[10]).toMatch(/^::notice title=palisade%3A not every finding is annotated::1 finding \(1 critical\) not annotated/);
          const [, body] = /^::error .*?::(.*)$/s.exec(lines[11]!)!;
          expect(unescape(body!)).toBe(`${printable(file)}.yaml:3:1: pss/privileged (critical) Pod/${printable(name)}: ${printable(message)}`);
          expect(lines[12]).toMatch(/^11 findings \(11 critical\)/);
        }),
      );
    });
  });
});
