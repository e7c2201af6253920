/**
 * The problems a YAML document gets where kubectl (or a sane bound) refuses it: each says
 * what, where (file:line:column) and what to do, and the other documents are still scanned.
 */
import type { RefusedKey } from "./go-map-keys.js";
import type { ParseLimits } from "./parse.js";
import type { LoadProblem } from "./types.js";

export const STILL_SCANNED = "the other documents were still scanned";

/**
 * The problem without the note that the other documents were still scanned (the parser
 * adds it to every document it refuses): for a command that stops at the problem, or input
 * that held nothing else, the note would be untrue.
 */
export function withoutStillScannedNote(problem: LoadProblem): LoadProblem {
  if (problem.hint === undefined || !problem.hint.includes(STILL_SCANNED)) return problem;
  const hint = problem.hint.replace(`; ${STILL_SCANNED}`, "").replace(STILL_SCANNED, "").trim();
  const rest: LoadProblem = { kind: problem.kind, message: problem.message, position: problem.position };
  return hint === "" ? rest : { ...rest, hint };
}

/** A document kubectl refuses, so that it applies nothing of the file. */
function kubectlRefuses(file: string, line: number, column: number, message: string, hint: string): LoadProblem {
  return { kind: "parse-error", message, position: { file, line, column }, hint: `${hint}; ${STILL_SCANNED}` };
}

export function aliasBomb(file: string, startLine: number, limits: ParseLimits): LoadProblem {
  return {
    kind: "alias-limit",
    message: `refused: YAML aliases expand this document to over ${limits.maxExpansion}× its own size (an alias bomb)`,
    position: { file, line: startLine + 1, column: 1 },
    hint: "expand the anchors by hand; Kubernetes manifests rarely need aliases",
  };
}

export function tooDeep(file: string, startLine: number, limits: ParseLimits): LoadProblem {
  return {
    kind: "too-deep",
    message: `refused: the document nests deeper than ${limits.maxDepth} levels`,
    position: { file, line: startLine + 1, column: 1 },
    hint: "Kubernetes objects nest a few dozen levels at most; check that this is the file you meant to scan",
  };
}

/** kubectl turns each document into JSON (sigs.k8s.io/yaml), whose object keys are text: a null, uint64 or collection key is refused. */
export function refusedKey(file: string, startLine: number, refused: RefusedKey): LoadProblem {
  return kubectlRefuses(file, startLine + refused.mark.line + 1, refused.mark.column + 1, `invalid for Kubernetes: ${refused.reason}; kubectl refuses the file`, 'quote the key ("~": ...) if text is meant');
}

export function documentEndFirst(file: string, line: number): LoadProblem {
  return kubectlRefuses(
    file,
    line + 1,
    1,
    "invalid YAML for kubectl: a `...` (document end) line before any document between `---` lines (at the start of the file or right after `---`), so kubectl refuses the file (did not find expected node content)",
    "remove the `...` line (a `---` line alone separates documents)",
  );
}

export function markerAsText(file: string, startLine: number): LoadProblem {
  return kubectlRefuses(
    file,
    startLine + 1,
    1,
    "invalid YAML for kubectl: a document starts with `---#`, which kubectl reads as text here (first line of the file, or right after another `---` line), so it refuses the file",
    "write `--- #comment` (a space before the comment), or remove the line",
  );
}

/** kubectl turns each document into JSON (sigs.k8s.io/yaml), and json.Marshal refuses NaN and infinities: kubectl applies nothing. */
export function notJson(file: string, startLine: number): LoadProblem {
  return kubectlRefuses(
    file,
    startLine + 1,
    1,
    "invalid for Kubernetes: a number is NaN or infinite (.nan, .inf, or past float64), which JSON cannot hold (kubectl refuses the file: json: unsupported value)",
    "quote the value ('.inf') if text is meant; no Kubernetes field takes NaN or infinity",
  );
}
