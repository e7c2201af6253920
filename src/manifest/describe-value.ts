/**
 * What Kubernetes' YAML made of a value, in words, never the value itself: a number or a
 * text where another type belongs may be a credential (an env value, an argument, a
 * ConfigMap's data), and findings reach logs, CI output and reports. Only a boolean is
 * named, since true or false cannot be secret and explains the surprise (`n` read as false);
 * a Secret's are not named even so.
 */
export function describeValue(value: unknown, secret: boolean): string {
  if (typeof value === "boolean") return secret ? "a boolean (an unquoted yes, no, on, off, y, n, true or false)" : value ? "the boolean true (an unquoted yes, on, y or true)" : "the boolean false (an unquoted no, off, n or false)";
  if (typeof value === "number") return "a number";
  if (typeof value === "string") return "text";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}
