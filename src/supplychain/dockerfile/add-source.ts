/**
 * Whether an ADD source is fetched from the network, as BuildKit's Dockerfile frontend
 * decides it: an HTTP source starts with `http://` or `https://` exactly (the prefix test
 * is case-sensitive), and a Git source is what its git-ref parser (util/gitutil) takes and
 * can tell from a local path: a URL of a Git protocol (git, ssh, or http(s) ending in
 * `.git`, the scheme in any case) or an SCP-style `[user@]host:path`. Anything else,
 * `repo.git` and `github.com/org/repo` included, is a path in the build context.
 */

const GIT_PROTOCOLS = new Set(["git", "ssh", "http", "https"]);
const PROTOCOL = /^([a-zA-Z0-9]+):\/\//;
const SCP_STYLE = /^(?:[a-zA-Z0-9_-]+@)?[a-zA-Z0-9.-]+:(.*?)(?:#.*)?$/;
/** A URL scheme, as Go's url.Parse reads one: an SCP-style ref must not parse as `scheme:/path`. */
const URL_WITH_SCHEME_AND_PATH = /^[a-zA-Z][a-zA-Z0-9+.-]*:\//;

export function isRemoteAddSource(source: string): boolean {
  if (source.startsWith("http://") || source.startsWith("https://")) return true;
  if (source.startsWith("./") || source.startsWith("../") || source.startsWith("github.com/")) return false;
  const protocol = PROTOCOL.exec(source)?.[1]?.toLowerCase();
  if (protocol !== undefined) {
    if (!GIT_PROTOCOLS.has(protocol)) return false;
    // Only http(s) in a case the HTTP test missed reaches here: a Git source only with a .git path.
    if (protocol === "http" || protocol === "https") {
      const rest = source.slice(source.indexOf("://") + 3).replace(/[?#].*$/s, "");
      const slash = rest.indexOf("/");
      return slash >= 0 && rest.slice(slash).endsWith(".git");
    }
    return true;
  }
  return SCP_STYLE.test(source) && !URL_WITH_SCHEME_AND_PATH.test(source);
}
