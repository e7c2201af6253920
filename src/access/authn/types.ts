/**
 * What every authenticator answers, shaped like kube-apiserver's user.Info so that the
 * TokenReview webhook can return it unchanged.
 */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type AuthenticationResult =
  | { authenticated: true; user: UserInfo; warnings?: string[] }
  | { authenticated: false; reason: string };

/** One interface for every bearer-token authenticator (static file, OIDC, service accounts). */
export interface TokenAuthenticator {
  /** A short name for messages: "token-file", "oidc", "serviceaccount". */
  readonly name: string;
  authenticateToken(token: string): Promise<AuthenticationResult>;
}

export function rejected(reason: string): AuthenticationResult {
  return { authenticated: false, reason };
}

/**
 * Tries authenticators in order as kube-apiserver's union authenticator does: the first that
 * authenticates wins; when none does, every reason is kept so a person can see why.
 */
export function unionAuthenticator(authenticators: readonly TokenAuthenticator[]): TokenAuthenticator {
  return {
    name: "union",
    async authenticateToken(token) {
      const reasons: string[] = [];
      for (const authenticator of authenticators) {
        const result = await authenticator.authenticateToken(token);
        if (result.authenticated) return result;
        reasons.push(`${authenticator.name}: ${result.reason}`);
      }
      return rejected(reasons.length ? reasons.join("; ") : "no authenticator configured");
    },
  };
}
