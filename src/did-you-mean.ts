/**
 * Edit distance for near-miss suggestions in error messages: Levenshtein's insertions,
 * deletions and substitutions, plus a swap of two neighbouring letters as one slip
 * (`shpo` for `shop`), the commonest typing error (optimal string alignment).
 */
export function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, beforePrevious[j - 2]! + 1);
      current.push(distance);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** Case, spaces, dashes and underscores are the usual slips: `API Server`, `aes-gcm`, `AESGCM`. */
function normalize(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, "");
}

/**
 * The candidate a person most likely meant, or undefined when nothing is close. Exact
 * matches after normalizing win; otherwise the nearest candidate within a distance that
 * grows with the length (so `secrt` finds `secret` but `foo` finds nothing).
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const wanted = normalize(input);
  const exact = candidates.find((c) => normalize(c) === wanted);
  if (exact !== undefined) return exact;
  // A truncated or extended spelling (`EncryptionConfig` for `EncryptionConfiguration`).
  const stem = candidates.find((c) => {
    const n = normalize(c);
    return Math.min(n.length, wanted.length) >= 5 && (n.startsWith(wanted) || wanted.startsWith(n));
  });
  if (stem !== undefined) return stem;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(wanted.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

export function suggestionHint(input: string, candidates: readonly string[]): string {
  const match = didYouMean(input, candidates);
  return match !== undefined ? `did you mean ${JSON.stringify(match)}?` : `expected one of: ${candidates.join(", ")}`;
}
