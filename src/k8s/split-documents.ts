/**
 * A YAML stream cut into documents where kubectl cuts it (apimachinery's YAMLReader), so each
 * document parses (and fails) on its own with its file lines.
 */
export interface DocumentChunk {
  text: string;
  /** 0-based line of the chunk's first line in the file. */
  startLine: number;
  /** It starts with a `---#` line that kubectl keeps as text (see splitDocuments): kubectl gets no object from it. */
  markerAsText?: true;
  /**
   * kubectl never applies it: it follows a `...` line after the first document of its
   * `---`-delimited part, and go-yaml's Unmarshal reads only a part's first document.
   */
  notAppliedByKubectl?: true;
}

/** A stream's documents, and the `...` lines kubectl refuses the stream at. */
export interface SplitStream {
  chunks: DocumentChunk[];
  /**
   * 0-based lines of `...` lines that come before any document of their `---`-delimited
   * part (at the start of the file, or right after a `---` separator): go-yaml then finds
   * no document to end ("did not find expected node content") and kubectl applies nothing.
   */
  refusedDocumentEnds: number[];
}

/**
 * A line that starts a document where kubectl starts one (apimachinery's YAMLReader: `---`
 * at the start of a line, then nothing or a comment, `---#` included, which YAML itself
 * would not take as a marker; but see splitDocuments for where kubectl keeps it as text),
 * or YAML's document end.
 */
const DOCUMENT_MARKER = /^(?:---(?=[ \t\r#]|$)|\.\.\.(?=[ \t\r]|$))/gm;

/**
 * Split a YAML stream at document markers so each document parses (and fails) on its own:
 * one malformed document never hides the others, and its errors keep file lines.
 */
export function splitDocuments(text: string): DocumentChunk[] {
  return splitStream(text).chunks;
}

/**
 * splitDocuments, with what kubectl makes of each `...` line. kubectl cuts the stream only
 * at `---` lines (apimachinery's YAMLReader) and go-yaml reads the first document of each
 * part: a document after a `...` in the same part is never applied, and a `...` before
 * the part's first document is an error.
 */
export function splitStream(text: string): SplitStream {
  const chunks: DocumentChunk[] = [];
  let chunkStart = 0;
  let line = 0;
  let lineCursor = 0;
  const lineAt = (offset: number) => {
    while (lineCursor < offset) {
      const next = text.indexOf("\n", lineCursor);
      if (next < 0 || next >= offset) {
        lineCursor = offset;
        break;
      }
      line++;
      lineCursor = next + 1;
    }
    return line;
  };
  let startLine = 0;
  // kubectl's reader drops a `---` line that ends a chunk, but keeps one that starts an
  // empty chunk (at the start of the stream, or right after such a dropped line) as the
  // chunk's text: go-yaml then reads a `---#` there as text, not as a marker.
  let kubectlChunkEmptyAt = 0;
  const textChunks = new Set<number>();
  // Whether kubectl's current part has its first document (content, or an explicit `---`
  // it keeps), and whether the chunk being read comes after it.
  let partHasDocument = false;
  let chunkNotApplied = false;
  const refusedDocumentEnds: number[] = [];
  const push = (end: number) => {
    if (chunkStart >= end) return;
    const chunk = text.slice(chunkStart, end);
    if (!hasContent(chunk)) return;
    partHasDocument = true;
    const facts = chunkNotApplied ? { notAppliedByKubectl: true as const } : {};
    // A comment right after the marker is set apart, as YAML wants it.
    if (!chunk.startsWith("---#")) chunks.push({ text: chunk, startLine, ...facts });
    else if (textChunks.has(chunkStart)) chunks.push({ text: chunk, startLine, markerAsText: true, ...facts });
    else chunks.push({ text: `--- ${chunk.slice(3)}`, startLine, ...facts });
  };
  DOCUMENT_MARKER.lastIndex = 0;
  for (let m = DOCUMENT_MARKER.exec(text); m; m = DOCUMENT_MARKER.exec(text)) {
    const markerLine = lineAt(m.index);
    const isEnd = m[0] === "...";
    if (m.index > chunkStart) push(m.index);
    if (isEnd) {
      const eol = text.indexOf("\n", m.index);
      chunkStart = eol < 0 ? text.length : eol + 1;
      startLine = markerLine + 1;
      if (!partHasDocument) refusedDocumentEnds.push(markerLine);
      chunkNotApplied = partHasDocument;
    } else {
      const eol = text.indexOf("\n", m.index);
      if (m.index === kubectlChunkEmptyAt) {
        if (text.charCodeAt(m.index + 3) === 35) textChunks.add(m.index);
        kubectlChunkEmptyAt = -1;
        // Kept in the part, it opens its first document, empty as it may be.
        partHasDocument = true;
      } else {
        kubectlChunkEmptyAt = eol < 0 ? -1 : eol + 1;
        partHasDocument = false;
      }
      chunkNotApplied = false;
      chunkStart = m.index;
      startLine = markerLine;
    }
  }
  push(text.length);
  return { chunks, refusedDocumentEnds };
}

/** Anything but the marker, comments and whitespace (without copying the text). */
function hasContent(text: string): boolean {
  for (let i = text.startsWith("---") ? 3 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 35) {
      const eol = text.indexOf("\n", i);
      if (eol < 0) return false;
      i = eol;
    } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 12 && c !== 11 && !/\s/.test(text.charAt(i))) return true;
  }
  return false;
}
