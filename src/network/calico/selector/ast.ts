/**
 * The parsed form of a Calico selector, how it matches a label map, and its canonical
 * text. The canonical printer follows libcalico-go exactly: every `&&`/`||` group is
 * parenthesised (even at the top), `!` is written straight before its operand, values are
 * double-quoted unless they contain `"`, and `in` sets are sorted and de-duplicated.
 */

export type SelectorNode =
  | { op: "all" }
  | { op: "global" }
  | { op: "has"; label: string }
  | { op: "eq" | "ne" | "contains" | "startsWith" | "endsWith"; label: string; value: string }
  | { op: "in" | "notIn"; label: string; values: readonly string[] }
  | { op: "not"; operand: SelectorNode }
  | { op: "and" | "or"; operands: readonly SelectorNode[] };

export type SelectorLabels = Readonly<Record<string, string>>;

function labelValue(labels: SelectorLabels, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
}

/**
 * Whether `node` matches `labels`. Note Calico's asymmetry: `==`, `in`, `contains`,
 * `starts with` and `ends with` need the label; `!=` and `not in` hold when it is absent.
 * `global()` matches like `all()` here; its policy meaning (non-namespaced endpoints only)
 * is applied by the namespaceSelector resolver, not by label evaluation.
 */
export function evaluateNode(node: SelectorNode, labels: SelectorLabels): boolean {
  switch (node.op) {
    case "all":
    case "global":
      return true;
    case "has":
      return labelValue(labels, node.label) !== undefined;
    case "not":
      return !evaluateNode(node.operand, labels);
    case "and":
      return node.operands.every((operand) => evaluateNode(operand, labels));
    case "or":
      return node.operands.some((operand) => evaluateNode(operand, labels));
    case "in":
    case "notIn": {
      const value = labelValue(labels, node.label);
      if (value === undefined) return node.op === "notIn";
      return node.values.includes(value) === (node.op === "in");
    }
    default: {
      const value = labelValue(labels, node.label);
      if (value === undefined) return node.op === "ne";
      switch (node.op) {
        case "eq":
          return value === node.value;
        case "ne":
          return value !== node.value;
        case "contains":
          return value.includes(node.value);
        case "startsWith":
          return value.startsWith(node.value);
        case "endsWith":
          return value.endsWith(node.value);
      }
    }
  }
}

/**
 * A label's value, or undefined when absent. Label maps are plain objects, whose inherited
 * properties (constructor, toString, __proto__) are never strings, so the type test alone
 * keeps them from counting as labels.
 */
function valueOf(labels: SelectorLabels, key: string): string | undefined {
  const value = (labels as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

/**
 * The same semantics as evaluateNode, compiled once into closures: policies evaluate a few
 * selectors against many endpoints, so interpretation overhead is paid per match otherwise.
 */
export function compileNode(node: SelectorNode): (labels: SelectorLabels) => boolean {
  switch (node.op) {
    case "all":
    case "global":
      return () => true;
    case "has": {
      const { label } = node;
      return (labels) => valueOf(labels, label) !== undefined;
    }
    case "not": {
      const operand = compileNode(node.operand);
      return (labels) => !operand(labels);
    }
    case "and": {
      const operands = node.operands.map(compileNode);
      return (labels) => {
        for (const operand of operands) if (!operand(labels)) return false;
        return true;
      };
    }
    case "or": {
      const operands = node.operands.map(compileNode);
      return (labels) => {
        for (const operand of operands) if (operand(labels)) return true;
        return false;
      };
    }
    case "in":
    case "notIn": {
      const { label } = node;
      const values = new Set(node.values);
      const wanted = node.op === "in";
      return (labels) => {
        const value = valueOf(labels, label);
        return value === undefined ? !wanted : values.has(value) === wanted;
      };
    }
    case "eq": {
      const { label, value: expected } = node;
      return (labels) => valueOf(labels, label) === expected;
    }
    case "ne": {
      const { label, value: expected } = node;
      return (labels) => valueOf(labels, label) !== expected;
    }
    case "contains":
    case "startsWith":
    case "endsWith": {
      const { label, value: expected, op } = node;
      return (labels) => {
        const value = valueOf(labels, label);
        if (value === undefined) return false;
        return op === "contains" ? value.includes(expected) : op === "startsWith" ? value.startsWith(expected) : value.endsWith(expected);
      };
    }
  }
}

/** A literal in the only quotes that can hold it: there are no escapes. */
function quote(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

const COMPARISON_TEXT = { eq: " == ", ne: " != ", contains: " contains ", startsWith: " starts with ", endsWith: " ends with " } as const;

/** The canonical text of a parsed selector, as Calico's String() gives it. */
export function printNode(node: SelectorNode): string {
  switch (node.op) {
    case "all":
      return "all()";
    case "global":
      return "global()";
    case "has":
      return `has(${node.label})`;
    case "not":
      return `!${printNode(node.operand)}`;
    case "and":
    case "or":
      return `(${node.operands.map(printNode).join(node.op === "and" ? " && " : " || ")})`;
    case "in":
    case "notIn":
      return `${node.label} ${node.op === "in" ? "in" : "not in"} {${node.values.map(quote).join(", ")}}`;
    default:
      return `${node.label}${COMPARISON_TEXT[node.op]}${quote(node.value)}`;
  }
}

/**
 * Code-point order, which is UTF-8 byte order: Go's sort.Strings compares bytes, so sets
 * print as upstream even where UTF-16 code-unit order (JavaScript's default) differs.
 */
export function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = (left[i] as string).codePointAt(0)! - (right[i] as string).codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

/** A sorted, de-duplicated copy of set-literal values. */
export function toStringSet(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareCodePoints);
}

/** A copy of `node` with every label key rewritten by `rename` (upstream's PrefixVisitor). */
export function mapLabels(node: SelectorNode, rename: (label: string) => string): SelectorNode {
  switch (node.op) {
    case "all":
    case "global":
      return node;
    case "not":
      return { op: "not", operand: mapLabels(node.operand, rename) };
    case "and":
    case "or":
      return { op: node.op, operands: node.operands.map((operand) => mapLabels(operand, rename)) };
    default:
      return { ...node, label: rename(node.label) };
  }
}

/** Whether `global()` occurs anywhere in the tree (it changes namespaceSelector scope). */
export function mentionsGlobal(node: SelectorNode): boolean {
  switch (node.op) {
    case "global":
      return true;
    case "not":
      return mentionsGlobal(node.operand);
    case "and":
    case "or":
      return node.operands.some(mentionsGlobal);
    default:
      return false;
  }
}
