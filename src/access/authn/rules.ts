import type { Rule } from "../../findings/types.js";

/** Rules about how users and machines prove who they are to kube-apiserver. */
const FAMILY = "authn";
const AUTHN_DOCS = "https://kubernetes.io/docs/reference/access-authn-authz/authentication/";

export const TOKEN_FILE_PARSE_ERROR: Rule = {
  id: "authn/token-file-parse-error",
  title: "Static token file that kube-apiserver cannot read",
  family: FAMILY,
  pillar: "identity",
  severity: "high",
  docs: {
    description:
      "kube-apiserver reads --token-auth-file with Go's CSV reader and refuses to start on the first malformed record (fewer than three columns, a stray quote, a comment line). A control plane that will not restart is an outage waiting for the next upgrade.",
    remediation: "Fix the record at the reported line: `token,user,uid` plus an optional quoted group list `\"g1,g2\"`; remove comment lines.",
    helpUri: `${AUTHN_DOCS}#static-token-file`,
  },
};

export const WEAK_STATIC_TOKEN: Rule = {
  id: "authn/weak-static-token",
  title: "Guessable static bearer token",
  family: FAMILY,
  pillar: "identity",
  severity: "high",
  docs: {
    description:
      "Static tokens never expire and cannot be revoked without restarting the API server. A short, low-entropy, well-known or user-name-derived token lets anyone who guesses it act as that user indefinitely.",
    remediation: "Generate each token from a CSPRNG (e.g. `head -c 32 /dev/urandom | base64 | tr -d '=+/'`), or better, move the user to OIDC or client certificates.",
    helpUri: `${AUTHN_DOCS}#static-token-file`,
  },
};

export const DUPLICATE_STATIC_TOKEN: Rule = {
  id: "authn/duplicate-static-token",
  title: "Static token listed twice",
  family: FAMILY,
  pillar: "identity",
  severity: "medium",
  docs: {
    description:
      "When a token appears on two records kube-apiserver keeps the last one: the earlier user silently loses access and the token authenticates as someone else than the first record says.",
    remediation: "Give every record its own token; remove the stale record.",
    helpUri: `${AUTHN_DOCS}#static-token-file`,
  },
};

export const STATIC_TOKEN_PRIVILEGED_GROUP: Rule = {
  id: "authn/static-token-privileged-group",
  title: "Static token in system:masters",
  family: FAMILY,
  pillar: "identity",
  severity: "critical",
  docs: {
    description:
      "Members of system:masters bypass RBAC and every authorization webhook. A static token in that group is an irrevocable, never-expiring cluster-admin credential.",
    remediation: "Remove system:masters from the record and bind the user to a (narrow) ClusterRole with RBAC instead.",
    helpUri: "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
  },
};

export const STATIC_TOKEN_SUSPICIOUS_IDENTITY: Rule = {
  id: "authn/static-token-suspicious-identity",
  title: "Static token with an empty or reserved identity",
  family: FAMILY,
  pillar: "identity",
  severity: "medium",
  docs: {
    description:
      "Records with an empty token are skipped; an empty group (from a quoted empty fourth column) is still a group; user names under system: impersonate nodes, service accounts or components and receive the permissions bound to them.",
    remediation: "Give the record a token, a non-reserved user name and a non-empty group list (or no fourth column).",
    helpUri: `${AUTHN_DOCS}#static-token-file`,
  },
};

export const STATIC_TOKEN_FILE_IN_USE: Rule = {
  id: "authn/static-token-file",
  title: "Static token authentication in use",
  family: FAMILY,
  pillar: "identity",
  severity: "low",
  docs: {
    description:
      "Static tokens are long-lived shared secrets stored in plain text on control-plane nodes; rotating or revoking one needs an API server restart. Zero trust prefers short-lived, verifiable credentials.",
    remediation: "Move humans to OIDC and workloads to bound service-account tokens, then drop --token-auth-file.",
    helpUri: `${AUTHN_DOCS}#static-token-file`,
  },
};

export const AUTHN_RULES: readonly Rule[] = [
  TOKEN_FILE_PARSE_ERROR,
  WEAK_STATIC_TOKEN,
  DUPLICATE_STATIC_TOKEN,
  STATIC_TOKEN_PRIVILEGED_GROUP,
  STATIC_TOKEN_SUSPICIOUS_IDENTITY,
  STATIC_TOKEN_FILE_IN_USE,
];
