import type { DumpOptions } from "js-yaml";
import { jsYaml } from "../k8s/js-yaml-lazy.js";
import type { ScanResult } from "../scan/run.js";
import { ITEMS_MARK } from "./json-pieces.js";
import { reportOf } from "./json.js";

/**
 * The JSON report's document as YAML (`-o yaml`, as kubectl offers it): the same fields,
 * so the JSON Schema in docs/scan-report.schema.json describes it too.
 *
 * No anchors (findings of one object share its reference; YAML would print `&ref_0` and
 * `*ref_0`), no folding of long lines (a message stays on one line, as grep wants it), and
 * fields without a value left out, as JSON.stringify leaves them out.
 */
const DUMP_OPTIONS: DumpOptions = { noRefs: true, lineWidth: -1, skipInvalid: true };

/** Findings per dump call: js-yaml builds each call's text in one string. */
const ITEMS_PER_PIECE = 64;

/**
 * The report in pieces, exactly as one `dump` of the whole report would print it: the
 * report is laid out with a mark where the findings go, and the findings are dumped in
 * batches as top-level sequences and indented under their key (a block scalar's empty
 * lines stay empty, as js-yaml prints them).
 */
export function* renderYamlPieces(result: ScanResult): Generator<string> {
  const { dump } = jsYaml();
  const findings = result.findings;
  if (findings.length === 0) {
    yield dump(reportOf(result, []), DUMP_OPTIONS);
    return;
  }
  const skeleton = dump(reportOf(result, [ITEMS_MARK]), DUMP_OPTIONS);
  const markLine = `  - ${dump(ITEMS_MARK, DUMP_OPTIONS)}`;
  const mark = skeleton.indexOf(`\n${markLine}`);
  if (mark < 0) throw new Error("YAML report: the findings mark is missing from the layout");
  yield skeleton.slice(0, mark + 1);
  for (let start = 0; start < findings.length; start += ITEMS_PER_PIECE) {
    yield indent(dump(findings.slice(start, start + ITEMS_PER_PIECE), DUMP_OPTIONS));
  }
  yield skeleton.slice(mark + 1 + markLine.length);
}

/** Every non-empty line two spaces further in: a top-level sequence made the value of a key. */
function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "  ");
}

export function renderYaml(result: ScanResult): string {
  return [...renderYamlPieces(result)].join("");
}
