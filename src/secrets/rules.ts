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
      helpUri: "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
    },
  },
  inline: {
    id: "secrets/inline-credential", family, pillar, severity: "high", title: "A credential written into a workload or ConfigMap",
    docs: {
      description: "An environment variable, a command-line flag, a ConfigMap key or a line of a configuration file kept in a ConfigMap, whose name says it holds a credential (PASSWORD, API_KEY, TOKEN, SECRET, spring.datasource.password…), is given its value in the manifest. Whoever can read the workload, the ConfigMap or the repository can read the credential, a flag is visible to every process on the node, and encryption at rest, which covers Secrets, does not cover it. Values that are paths, variables ($VAR, $(VAR), ${VAR}) or references to a secret store (SOPS, Vault, cloud secret managers) are not reported.",
      remediation: "Put the value in a Secret and refer to it: `valueFrom: {secretKeyRef: {name: db-credentials, key: password}}`, or better, mount the Secret as a file and pass its path; for a ConfigMap, move the key or the file to a Secret.",
      helpUri: "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables",
    },
  },
  secretInManifest: {
    id: "secrets/secret-in-repository", family, pillar, severity: "medium", title: "A Secret's values are kept in the manifests",
    docs: {
      description: "A Secret with data or stringData sits among the scanned manifests, so its values are in plain text (base64 is an encoding, not encryption) wherever the manifests are: the repository, its clones, CI logs of `kubectl apply`. A Secret encrypted by SOPS is not reported.",
      remediation: "Keep the values out of the repository: an encrypted Secret (Sealed Secrets, SOPS), or a reference to an external store (External Secrets Operator, the Secrets Store CSI driver); rotate the values that were committed.",
      helpUri: "https://kubernetes.io/docs/concepts/security/secrets-good-practices/#avoid-sharing-secret-manifests",
    },
  },
} as const satisfies Record<string, Rule>;

export const SECRET_RULE_LIST: readonly Rule[] = Object.values(SECRET_RULES);
