/**
 * The scan judges every copy of an object the input defines twice; the posture judges
 * the copy the cluster keeps (last-copies.ts). A finding about an object, located in the
 * document of a copy a later one replaces, is about a definition the cluster does not
 * run: it is left out, so that a hardened last copy does not pay for the privileged one
 * it replaced. Findings are tied to copies by where they point, the one link a finding
 * keeps to the document it came from.
 */
import type { Finding, ObjectRef, SourcePosition } from "../findings/types.js";
import { objectRef, type LoadedObject } from "../k8s/types.js";
import type { LastCopies } from "./last-copies.js";

/** Kind, namespace and name, as findings name objects (their apiVersion is optional). */
function refKey(ref: ObjectRef): string {
  return `${ref.namespace ?? "default"}/${ref.kind}/${ref.name}`;
}

function compare(a: SourcePosition, b: SourcePosition): number {
  return a.line - b.line || a.column - b.column;
}

/** A file's documents by where they start, in order; copies sharing a start share an entry. */
interface FileDocuments {
  starts: SourcePosition[];
  at: Map<string, LoadedObject[]>;
}

const startKey = (p: SourcePosition): string => `${p.line}:${p.column}`;

function fileDocuments(objects: readonly LoadedObject[]): FileDocuments {
  const at = new Map<string, LoadedObject[]>();
  const starts: SourcePosition[] = [];
  for (const loaded of objects) {
    const key = startKey(loaded.source.position);
    const list = at.get(key);
    if (list) list.push(loaded);
    else {
      at.set(key, [loaded]);
      starts.push(loaded.source.position);
    }
  }
  starts.sort(compare);
  return { starts, at };
}

/** The documents starting last at or before `position`: the ones it lies in. */
function documentsAt(file: FileDocuments, position: SourcePosition): LoadedObject[] {
  let low = 0;
  let high = file.starts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compare(file.starts[mid] as SourcePosition, position) <= 0) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? [] : (file.at.get(startKey(file.starts[low - 1] as SourcePosition)) ?? []);
}

export function withoutReplacedCopies(findings: readonly Finding[], input: readonly LoadedObject[], copies: LastCopies): Finding[] {
  const replaced = new Set([...copies.earlier.values()].flat());
  if (replaced.size === 0) return [...findings];
  // Only the files that hold a replaced copy need their documents placed.
  const byFile = new Map<string, LoadedObject[]>();
  for (const copy of replaced) byFile.set(copy.source.file, []);
  for (const loaded of input) byFile.get(loaded.source.file)?.push(loaded);
  const documents = new Map([...byFile].map(([file, objects]) => [file, fileDocuments(objects)]));
  const replacedRefs = new Set([...replaced].map((copy) => refKey(objectRef(copy.object))));

  const inReplacedCopy = (finding: Finding): boolean => {
    const { object, position } = finding;
    if (!object || !position || !replacedRefs.has(refKey(object))) return false;
    const file = documents.get(position.file);
    if (!file) return false;
    const about = refKey(object);
    const copiesThere = documentsAt(file, position).filter((loaded) => refKey(objectRef(loaded.object)) === about);
    // Copies that share a start (a file given twice) cannot be told apart: the finding stays if one of them is kept.
    return copiesThere.length > 0 && copiesThere.every((loaded) => replaced.has(loaded));
  };
  return findings.filter((finding) => !inReplacedCopy(finding));
}
