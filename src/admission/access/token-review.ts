/**
 * TokenReview (authentication.k8s.io v1 and v1beta1) for `--authentication-token-webhook-config-file`:
 * the answer has the request's own apiVersion (the apiserver's default is still v1beta1).
 * The token is never copied into the answer, an error or a log.
 */
import { isRecord } from "../../k8s/types.js";
import { ReviewError } from "../review.js";

export const TOKEN_REVIEW_VERSIONS = ["authentication.k8s.io/v1", "authentication.k8s.io/v1beta1"] as const;

export interface TokenReviewRequest {
  apiVersion: (typeof TOKEN_REVIEW_VERSIONS)[number];
  token: string;
  audiences: string[];
}

export interface TokenUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type TokenVerdict = { authenticated: true; user: TokenUser } | { authenticated: false; reason: string };

export function parseTokenReview(body: unknown): TokenReviewRequest {
  if (!isRecord(body)) throw new ReviewError("body must be a JSON object (a TokenReview)");
  const apiVersion = body.apiVersion;
  if (!TOKEN_REVIEW_VERSIONS.includes(apiVersion as TokenReviewRequest["apiVersion"]) || body.kind !== "TokenReview") {
    throw new ReviewError(`expected kind TokenReview with apiVersion ${TOKEN_REVIEW_VERSIONS.join(" or ")}`);
  }
  const spec = body.spec;
  if (!isRecord(spec) || typeof spec.token !== "string" || spec.token === "") throw new ReviewError("spec.token is required");
  const audiences = spec.audiences;
  if (audiences !== undefined && audiences !== null && (!Array.isArray(audiences) || !audiences.every((a) => typeof a === "string"))) {
    throw new ReviewError("spec.audiences must be a list of strings");
  }
  return { apiVersion: apiVersion as TokenReviewRequest["apiVersion"], token: spec.token, audiences: (audiences as string[] | undefined) ?? [] };
}

/**
 * The TokenReview answer. Our authenticators are audience-agnostic (a static token names no
 * audience), so an authenticated answer carries no status.audiences: kube-apiserver then takes
 * the token as valid for its own --api-audiences only and refuses it for any other audience it
 * asked about (plugin/pkg/authenticator/token/webhook), as it does for its own token file.
 * Echoing spec.audiences instead would vouch for a static token before any audience a
 * TokenReview names, say a Vault or a service's.
 */
export function tokenReviewResponse(request: TokenReviewRequest, verdict: TokenVerdict): Record<string, unknown> {
  const status: Record<string, unknown> = verdict.authenticated ? { authenticated: true, user: verdict.user } : { authenticated: false, error: verdict.reason };
  return { apiVersion: request.apiVersion, kind: "TokenReview", status };
}
