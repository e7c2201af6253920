import type { ListPiece, ListText } from "./list-editor.js";
import { lineIndent } from "./json-layout.js";
import { entryIndex, readContainer, rootValue } from "./json-tree.js";

/**
 * The items of a JSON List as standalone documents (list-editor.ts): each item's text is
 * exactly its substring, which JSON.parse reads as the item. The item is given the
 * whitespace its line starts with, so that what an edit adds (json-edit.ts takes a new
 * line's indentation from the lines around it) is indented as in the whole file.
 */
export function splitJsonList(text: string): ListText | undefined {
  const root = rootValue(text);
  if (root.type !== "object") return undefined;
  const members = readContainer(text, root);
  const at = entryIndex(members, "items");
  const items = at < 0 ? undefined : members.entries[at]!.value;
  if (!items || items.type !== "array") return undefined;
  const gaps: string[] = [];
  const pieces: ListPiece[] = [];
  let cursor = 0;
  for (const { value } of readContainer(text, items).entries) {
    const indent = lineIndent(text, value.start);
    gaps.push(text.slice(cursor, value.start));
    pieces.push({
      text: indent + text.slice(value.start, value.end),
      restore: (edited) => {
        if (!edited.startsWith(indent)) throw new Error("an item of the List lost the indentation it was given");
        return edited.slice(indent.length);
      },
    });
    cursor = value.end;
  }
  gaps.push(text.slice(cursor));
  return { gaps, items: pieces };
}
