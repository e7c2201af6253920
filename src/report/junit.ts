import type { Finding } from "../findings/types.js";
import { describeRef } from "../k8s/types.js";
import type { ScanResult } from "../scan/run.js";

function xml(text: string): string {
  // XML 1.0 forbids most control characters even when escaped.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * JUnit XML for CI dashboards: a suite per file, a test case per object and rule that
 * failed, and one passing case per clean object so progress is visible too.
 */
export function renderJunit(result: ScanResult): string {
  const byFile = new Map<string, { objects: Set<string>; findings: Finding[] }>();
  const entry = (file: string) => {
    let e = byFile.get(file);
    if (!e) byFile.set(file, (e = { objects: new Set(), findings: [] }));
    return e;
  };
  for (const s of result.scanned) entry(s.file).objects.add(describeRef(s.object));
  for (const f of result.findings) entry(f.position?.file ?? "<unknown>").findings.push(f);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const [file, { objects, findings }] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const cases: string[] = [];
    const failed = new Set(findings.map((f) => (f.object ? describeRef(f.object) : "")));
    for (const f of findings) {
      const ref = f.object ? describeRef(f.object) : file;
      const where = f.position ? `${f.position.file}:${f.position.line}:${f.position.column}` : file;
      cases.push(
        `    <testcase classname="${xml(ref)}" name="${xml(f.ruleId)}" file="${xml(file)}">\n` +
          `      <failure type="${f.severity}" message="${xml(f.message)}">${xml(`${where}: ${f.message}\n${f.fieldPath ? `field: ${f.fieldPath}\n` : ""}${f.remediation ? `remediation: ${f.remediation}` : ""}`)}</failure>\n` +
          `    </testcase>`,
      );
    }
    for (const ref of [...objects].sort()) {
      if (!failed.has(ref)) cases.push(`    <testcase classname="${xml(ref)}" name="all checks" file="${xml(file)}"/>`);
    }
    const suiteFailures = findings.length;
    tests += cases.length;
    failures += suiteFailures;
    suites.push(`  <testsuite name="${xml(file)}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="0">\n${cases.join("\n")}\n  </testsuite>`);
  }
  for (const p of result.problems) {
    tests++;
    suites.push(
      `  <testsuite name="${xml(p.position.file)}" tests="1" failures="0" errors="1" skipped="0">\n` +
        `    <testcase classname="input" name="${xml(p.kind)}"><error type="${xml(p.kind)}" message="${xml(p.message)}">${xml(`${p.position.file}:${p.position.line}:${p.position.column}: ${p.message}`)}</error></testcase>\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="palisade" tests="${tests}" failures="${failures}" errors="${result.problems.length}">\n${suites.join("\n")}\n</testsuites>\n`;
}
