/**
 * Large reports as `JSON.stringify(report, null, 2)` would print them, but in pieces: a
 * report of 200,000 findings runs to hundreds of MB, and as one string (then one Buffer)
 * it would need several times that in memory and fresh pages (see cli/stdout.ts).
 *
 * The report is laid out once with a mark where its big array goes; the array's items
 * are then printed in batches, each as deep as the array sits, by wrapping the batch in
 * as many arrays and cutting the wrappers off again.
 */

/** Stands in for the big array while the rest of the report is laid out; cannot occur in a report. */
export const ITEMS_MARK = "\u0000palisade-items\u0000";

/**
 * Characters per JSON.stringify call: enough to amortise the call, few enough that a piece
 * stays below V8's large-object size (128 KiB) even as a two-byte string (one non-Latin-1
 * character, such as a dash in a message, makes the whole piece two bytes a character).
 * A larger piece is allocated in freshly mapped memory every time: first-touch page faults
 * made pieces of 256 findings three times slower than pieces of one, and SARIF results
 * (~1.4 KB each, with dashes) at a fixed 64 a piece spent a third of the scan in them.
 * Items differ in size from report to report, so the batch follows the size seen so far.
 */
const PIECE_CHARS = 48 * 1024;
const FIRST_BATCH = 8;
const MAX_BATCH = 256;

/**
 * `report` printed with `count` items, `item(i)` each, in the array that holds
 * `[ITEMS_MARK]`. Everything before that array is the tool's own text, so the mark's
 * first occurrence is the array. `depth` is how many objects and arrays enclose an item
 * (an array property of the top-level object: 2).
 */
export function* jsonPieces<T>(report: unknown, count: number, item: (index: number) => T, depth: number): Generator<string> {
  const skeleton = JSON.stringify(report, null, 2);
  const quotedMark = JSON.stringify(ITEMS_MARK);
  const mark = skeleton.indexOf(quotedMark);
  if (mark < 0 || count === 0) {
    // No mark (nothing to stream) or no items: the array prints as [].
    yield `${skeleton.replace(`[\n${"  ".repeat(depth)}${quotedMark}\n${"  ".repeat(depth - 1)}]`, "[]")}\n`;
    return;
  }
  yield skeleton.slice(0, mark);
  const { open, close } = wrapperLengths(depth);
  const separator = `,\n${"  ".repeat(depth)}`;
  let printedItems = 0;
  let printedChars = 0;
  for (let start = 0; start < count; ) {
    const size = printedItems === 0 ? FIRST_BATCH : Math.max(1, Math.min(MAX_BATCH, Math.floor((PIECE_CHARS * printedItems) / printedChars)));
    const end = Math.min(count, start + size);
    const batch: T[] = [];
    for (let i = start; i < end; i++) batch.push(item(i));
    // The separator goes out as a piece of its own: `separator + text` would be a cons
    // string, which the writer would first copy flat (~1.5× the report in fresh memory).
    if (start > 0) yield separator;
    const text = JSON.stringify(wrap(batch, depth - 1), null, 2).slice(open, -close);
    printedItems += end - start;
    printedChars += text.length;
    start = end;
    yield text;
  }
  yield `${skeleton.slice(mark + quotedMark.length)}\n`;
}

function wrap(batch: unknown[], times: number): unknown[] {
  let wrapped: unknown[] = batch;
  for (let i = 0; i < times; i++) wrapped = [wrapped];
  return wrapped;
}

/** How much JSON.stringify prints before the first item and after the last, at this depth. */
function wrapperLengths(depth: number): { open: number; close: number } {
  const text = JSON.stringify(wrap([0], depth - 1), null, 2);
  const at = text.indexOf("0");
  return { open: at, close: text.length - at - 1 };
}
