/**
 * Who besides its owner a private key file's mode lets in, said by the bits it has: a
 * reader can impersonate the key's owner, a writer can swap the key for theirs. Execute
 * bits alone give neither.
 */
export function keyExposure(mode: number): string | undefined {
  const who = (group: number, other: number) => {
    const both = [...((mode & group) !== 0 ? ["its group"] : []), ...((mode & other) !== 0 ? ["everyone"] : [])];
    return both.length > 0 ? both.join(" and ") : undefined;
  };
  const readers = who(0o040, 0o004);
  const writers = who(0o020, 0o002);
  if (readers && writers) return readers === writers ? `${readers} may read and replace` : `${readers} may read, and ${writers} may replace`;
  if (readers) return `${readers} may read`;
  if (writers) return `${writers} may replace, though not read`;
  return undefined;
}
