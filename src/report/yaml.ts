import { jsYaml } from "../k8s/js-yaml-lazy.js";
import type { ScanResult } from "../scan/run.js";
import { ITEMS_MARK } from "./json-pieces.js";
import { reportOf } from "./json.js";
import { dumpOptions, sequenceItem } from "./yaml-block.js";

/**
 * The JSON report's document as YAML (`-o yaml`, as kubectl offers it): the same fields,
 * so the JSON Schema in docs/scan-report.schema.json describes it too.
 *
 * No anchors (findings of one object share its reference; YAML would print `&ref_0` and
 * `*ref_0`), no folding of long lines (a message stays on one line, as grep wants it), and
 * fields without a value left out, as JSON.stringify leaves them out.
 */

/** Characters per piece: below V8's large-object size even as a two-byte string (see json-pieces.ts). */
const PIECE_CHARS = 48 * 1024;

/**
 * The report in pieces, exactly as one `dump` of the whole report would print it: the
 * report is laid out with a mark where the findings go, and the findings are printed one
 * by one as items of the sequence under `findings:` (see yaml-block.ts); one that the
 * block printer leaves to js-yaml is dumped as a top-level sequence and indented under
 * the key (a block scalar's empty lines stay empty, as js-yaml prints them).
 */
export function* renderYamlPieces(result: ScanResult): Generator<string> {
  const { dump } = jsYaml();
  const findings = result.findings;
  if (findings.length === 0) {
    yield dump(reportOf(result, []), dumpOptions());
    return;
  }
  const skeleton = dump(reportOf(result, [ITEMS_MARK]), dumpOptions());
  const markLine = `  - ${dump(ITEMS_MARK, dumpOptions())}`;
  const mark = skeleton.indexOf(`\n${markLine}`);
  if (mark < 0) throw new Error("YAML report: the findings mark is missing from the layout");
  let piece = skeleton.slice(0, mark);
  for (const finding of findings) {
    piece += sequenceItem(finding, 1) ?? `\n${indent(dump([finding], dumpOptions())).slice(0, -1)}`;
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = "";
    }
  }
  yield piece + skeleton.slice(mark + markLine.length);
}

/** Every non-empty line two spaces further in: a top-level sequence made the value of a key. */
function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "  ");
}

export function renderYaml(result: ScanResult): string {
  return [...renderYamlPieces(result)].join("");
}
