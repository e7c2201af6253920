import type { Rule } from "../findings/types.js";

/** Rule records of the checks for credentials written into manifests. */

const family = "secrets";
const pillar = "data" as const;

export const SECRET_RULES = {
  knownCredential: {
    id: "secrets/known-credential", family, pillar, severity: "critical", title: "A credential in plain text outside a Secret",
    docs: {
      description: "A value in a container's env, command or args, a ConfigMap or an annotation has the format of a live credential (a private key, an AWS, GitHub, GitLab, Slack, Google, Stripe or npm token, a URL with a password). Outside a Secret it is readable by everyone who can read the object (ConfigMaps and workloads are granted far more widely than Secrets), it is printed by `kubectl describe` and stored unencrypted in etcd, and it sits in the repository's history.",
      remediation: "Revoke the credential now (it has been exposed), issue a new one, keep it in a Secret (or an external secret store) and refer to it with valueFrom.secretKeyRef or a secret volume.",
    },
  },
  literalInEnv: {
    id: "secrets/literal-in-env", family, pillar, severity: "high", title: "A credential written into an environment variable or ConfigMap",
    docs: {
      description: "An environment variable (or ConfigMap key) whose name says it holds a credential (PASSWORD, API_KEY, TOKEN, SECRET…) is given its value literally in the manifest. Whoever can read the workload or the repository can read the credential, and encryption at rest, which covers Secrets, does not cover it.",
      remediation: "Put the value in a Secret and refer to it: `valueFrom: {secretKeyRef: {name: db-credentials, key: password}}`, or better, mount the Secret as a file; for a ConfigMap, move the key to a Secret.",
      helpUri: "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables",
    },
  },
  secretInManifest: {
    id: "secrets/secret-in-repository", family, pillar, severity: "medium", title: "A Secret's values are kept in the manifests",
    docs: {
      description: "A Secret with data or stringData sits among the scanned manifests, so its values are in plain text (base64 is an encoding, not encryption) wherever the manifests are: the repository, its clones, CI logs of `kubectl apply`. A Secret encrypted by SOPS is not reported.",
      remediation: "Keep the values out of the repository: an encrypted Secret (Sealed Secrets, SOPS), or a reference to an external store (External Secrets Operator, the Secrets Store CSI driver); rotate the values that were committed.",
    },
  },
} as const satisfies Record<string, Rule>;

export const SECRET_RULE_LIST: readonly Rule[] = Object.values(SECRET_RULES);
