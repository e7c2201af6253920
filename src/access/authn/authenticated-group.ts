/**
 * kube-apiserver wraps its whole authenticator chain (client certificates, tokens of every
 * kind, the union of them) in group.NewAuthenticatedGroupAdder (pkg/kubeapiserver/authenticator/config.go):
 * every user it authenticates carries system:authenticated, which RBAC bindings to that group
 * rely on and TokenReview returns. The single authenticators (x509, token file, OIDC, service
 * accounts) do not add it themselves, so neither do ours; the shells that answer "who would
 * kube-apiserver see" apply this, as kube-apiserver does, once, around the chain.
 */
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS_USER } from "../rbac/types.js";
import type { AuthenticationResult, TokenAuthenticator, UserInfo } from "./types.js";

/**
 * The user with system:authenticated added, as AuthenticatedGroupAdder does: not for the
 * anonymous user, and not when the user already has system:authenticated or system:unauthenticated.
 */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.username === ANONYMOUS_USER || user.groups.some((g) => g === ALL_AUTHENTICATED || g === ALL_UNAUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, ALL_AUTHENTICATED] };
}

/** An authentication result as it leaves kube-apiserver's chain: a refusal stays one. */
export function withAuthenticatedGroupResult(result: AuthenticationResult): AuthenticationResult {
  return result.authenticated ? { ...result, user: withAuthenticatedGroup(result.user) } : result;
}

/** `authenticator` wrapped as kube-apiserver wraps its chain. */
export function authenticatedGroupAdder(authenticator: TokenAuthenticator): TokenAuthenticator {
  return {
    name: authenticator.name,
    async authenticateToken(token) {
      return withAuthenticatedGroupResult(await authenticator.authenticateToken(token));
    },
  };
}
