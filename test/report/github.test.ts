import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { renderGithubPieces } from "../../src/report/github.js";
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
});
