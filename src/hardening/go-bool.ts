/**
 * A boolean flag's value as Go's strconv.ParseBool (pflag and Go's flag package) reads it:
 * 1, t, T, TRUE, true, True, and their false counterparts; anything else is refused, and
 * the component does not start.
 */
export function parseGoBool(value: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return undefined;
}
