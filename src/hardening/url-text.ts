/**
 * A URL as findings show it. A user and password written into it (`https://admin:pw@host`)
 * are a credential, and findings reach reports and CI logs, so they are left out.
 */
export function withoutUserinfo(url: string): string {
  return url.replace(/^((?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?)[^/?#@]*@/, "$1***@");
}
