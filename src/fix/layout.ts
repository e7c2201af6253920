import type { Layout } from "./yaml-render.js";

/**
 * How a text lays out nested blocks (the step of its maps, and whether lists under a key
 * are indented), so that inserted lines look like their neighbours. A text that says
 * nothing either way (all flow style, one line) takes `fallback`.
 */
export function detectLayout(text: string, fallback: Layout = { indent: 2, indentSeq: true }): Layout {
  const lines = text.split("\n");
  let seqSame = 0;
  let seqIndented = 0;
  const indents = new Map<number, number>();
  for (let i = 0; i + 1 < lines.length; i++) {
    const key = /^(\s*)(- )?[^\s#-][^:#]*:\s*(#.*)?$/.exec(lines[i] ?? "");
    if (!key) continue;
    const keyIndent = (key[1]?.length ?? 0) + (key[2]?.length ?? 0);
    const next = /^(\s*)(- )?\S/.exec(lines[i + 1] ?? "");
    if (!next) continue;
    const nextIndent = next[1]?.length ?? 0;
    if (next[2]) {
      if (nextIndent === keyIndent) seqSame++;
      else if (nextIndent > keyIndent) seqIndented++;
    } else if (nextIndent > keyIndent) {
      const step = nextIndent - keyIndent;
      indents.set(step, (indents.get(step) ?? 0) + 1);
    }
  }
  const top = [...indents.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const indent = top !== undefined && top >= 1 && top <= 8 ? top : fallback.indent;
  return { indent, indentSeq: seqIndented + seqSame === 0 ? fallback.indentSeq : seqIndented >= seqSame };
}
