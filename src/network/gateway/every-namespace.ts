/**
 * Whether a listener's allowedRoutes.namespaces admit a route from every namespace: `from: All`,
 * or `from: Selector` with a selector that every namespace matches. An empty LabelSelector
 * matches everything (apimachinery's LabelSelectorAsSelector turns `{}` into
 * labels.Everything()), and the API server puts `kubernetes.io/metadata.name` on every
 * namespace, so `Exists` on that key excludes none. Such a selector is as open as `All`,
 * and is what a team reaches for when told to stop using `All`.
 */
import { NAMESPACE_NAME_LABEL as NAME_LABEL } from "../../k8s/snapshot.js";
import { isRecord } from "../../k8s/types.js";

/** How a listener admits every namespace: `All`, a selector every namespace matches, or not at all (undefined). */
export type EveryNamespace = "All" | "Selector";

export function admitsEveryNamespace(namespaces: Record<string, unknown> | undefined): EveryNamespace | undefined {
  if (namespaces?.from === "All") return "All";
  if (namespaces?.from === "Selector" && selectsEveryNamespace(namespaces.selector)) return "Selector";
  return undefined;
}

/**
 * A selector with no requirement but `kubernetes.io/metadata.name Exists`. Anything else
 * (another key, In, NotIn, DoesNotExist) may leave a namespace out, and a malformed selector
 * admits nothing; a missing one too (`from: Selector` without a selector is refused).
 */
function selectsEveryNamespace(selector: unknown): boolean {
  if (!isRecord(selector)) return false;
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels != null && !(isRecord(matchLabels) && Object.keys(matchLabels).length === 0)) return false;
  if (matchExpressions == null) return true;
  return Array.isArray(matchExpressions) && matchExpressions.every((e) => isRecord(e) && e.key === NAME_LABEL && e.operator === "Exists" && (e.values == null || (Array.isArray(e.values) && e.values.length === 0)));
}
