/**
 * Calico selectors: `parseCalicoSelector(text)` gives a compiled selector that matches
 * label maps and prints its canonical form. Parsed selectors are cached by text, since a
 * policy set repeats the same few selectors across many rules and endpoints.
 */
import { compileNode, mapLabels, mentionsGlobal, printNode, type SelectorLabels, type SelectorNode } from "./ast.js";
import { parseSelectorNode } from "./parser.js";

export { parenthesisDepth, SelectorSyntaxError, SelectorTooDeepError, tokenize, type Token, type TokenKind } from "./tokenizer.js";
export { MAX_SELECTOR_NESTING } from "./parser.js";
export type { SelectorLabels, SelectorNode } from "./ast.js";

export interface CalicoSelector {
  readonly source: string;
  readonly root: SelectorNode;
  /** The canonical text, as Calico prints it (`""` prints as `all()`). */
  readonly canonical: string;
  /** True when `global()` appears: in a namespaceSelector it means non-namespaced endpoints. */
  readonly mentionsGlobal: boolean;
  matches(labels: SelectorLabels): boolean;
}

function compile(source: string, root: SelectorNode): CalicoSelector {
  let canonical: string | undefined;
  const matches = compileNode(root);
  return {
    source,
    root,
    get canonical() {
      canonical ??= printNode(root);
      return canonical;
    },
    mentionsGlobal: mentionsGlobal(root),
    matches,
  };
}

const cache = new Map<string, CalicoSelector>();
const CACHE_LIMIT = 10_000;

/** Parse `source` (throws SelectorSyntaxError with the offending column). */
export function parseCalicoSelector(source: string): CalicoSelector {
  const cached = cache.get(source);
  if (cached) return cached;
  const selector = compile(source, parseSelectorNode(source));
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, selector);
  return selector;
}

/** The canonical text of `source` (throws SelectorSyntaxError). */
export function canonicalSelector(source: string): string {
  return parseCalicoSelector(source).canonical;
}

/** A selector with every label key prefixed, as Calico does for namespace and SA labels. */
export function prefixSelectorLabels(selector: CalicoSelector, prefix: string): CalicoSelector {
  const root = mapLabels(selector.root, (label) => prefix + label);
  return compile(printNode(root), root);
}
