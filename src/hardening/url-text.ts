/**
 * URLs as Go clients and findings take them: whether a client reaches a server over TLS, the
 * host it verifies the server's certificate for, and a URL fit to show in a finding. Shared by
 * the kubeconfig rules (a cluster's server) and the control-plane callouts (a webhook's url).
 */

/**
 * A URL as findings show it. A user and password written into it (`https://admin:pw@host`)
 * are a credential, and findings reach reports and CI logs, so they are left out: everything
 * up to the last @, wherever it stands. A password may hold / ? # written unescaped, which a
 * URL parser reads as the path, query or fragment (and may refuse): cutting at the first of
 * those would show its tail. An @ in a path or query is rare; hiding what precedes it costs
 * only some of the URL shown.
 */
export function withoutUserinfo(url: string): string {
  return url.replace(/^((?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?)[\s\S]*@/, "$1***@");
}

/**
 * A comma-separated list of URLs (--etcd-servers) as findings show it, each without its
 * userinfo. The list is cut only at a comma before a scheme: a password may hold a comma (and
 * even `x://`). When a piece does not end as a URL's host, port and path do, the cut fell
 * inside a password, and all up to the list's last @ is hidden at once.
 */
export function urlListWithoutUserinfo(urls: string): string {
  const pieces = urls.split(/,(?=[A-Za-z][A-Za-z0-9+.-]*:\/\/)/);
  if (pieces.length > 1 && pieces.every((piece) => endsAsUrl(withoutUserinfo(piece)))) return pieces.map(withoutUserinfo).join(",");
  return withoutUserinfo(urls);
}

/** After its scheme and hidden userinfo: a host (or [IPv6]), an optional numeric port, an optional path without @. */
function endsAsUrl(shown: string): boolean {
  const rest = shown.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:\*\*\*@)?/, "");
  return /^(?:\[[0-9A-Fa-f:.]*\]|[^\s:@/[\]]*)(?::\d*)?(?:[/?#][^@]*)?$/.test(rest);
}

/** The most of a word a message shows: a 60,000-character argument is named by its start and length. */
const SHOWN_WORD_MAX = 200;

/** A command-line word as a finding shows it: without a URL's userinfo, and cut short when long. */
export function wordForMessage(word: string): string {
  const shown = urlListWithoutUserinfo(word);
  return shown.length <= SHOWN_WORD_MAX ? shown : `${shown.slice(0, SHOWN_WORD_MAX)}… (${shown.length} characters)`;
}

/**
 * Whether client-go uses TLS, and so the user's credentials and the cluster's TLS settings, for
 * this server: only for an explicit https:// scheme (rest IsConfigTransportTLS, asked before
 * any TLS setting is merged, so a server without a scheme is http://). kubectl takes an empty
 * server as http://localhost:8080.
 */
export function reachedOverTls(server: unknown): boolean {
  return typeof server === "string" && /^https:\/\/[^/?#]/i.test(server);
}

/**
 * The host of a server URL as net/http dials it over TLS, or undefined when it is not reached
 * over TLS or its host is one this reading does not follow Go on (non-ASCII, percent-encoded).
 * Only an https:// server is reached over TLS: clientcmd asks rest.IsConfigTransportTLS before
 * it merges any TLS setting, so a server without a scheme is taken as http:// whatever CA the
 * cluster names (reachedOverTls).
 */
export function tlsHostOf(server: string): string | undefined {
  if (!reachedOverTls(server)) return undefined;
  const rest = server.slice("https://".length);
  const authority = rest.split(/[/?#]/, 1)[0] as string;
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  if (hostPort === "" || /[%\s]|[^\x21-\x7e]/.test(hostPort)) return undefined;
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]");
    if (close < 0 || !/^(:\d*)?$/.test(hostPort.slice(close + 1))) return undefined;
    const host = hostPort.slice(1, close);
    return host === "" ? undefined : host;
  }
  const colon = hostPort.lastIndexOf(":");
  if (colon >= 0 && !/^:\d*$/.test(hostPort.slice(colon))) return undefined;
  const host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
  return host === "" ? undefined : host;
}
