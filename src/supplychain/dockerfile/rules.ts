import type { Rule } from "../../findings/types.js";

/** Rule records of the Dockerfile checks: ids, severities and the docs `palisade rules` prints. */

const family = "dockerfile";
const pillar = "supply-chain" as const;

export const DOCKERFILE_RULES = {
  userMissing: {
    id: "dockerfile/missing-user", family, pillar, severity: "high", title: "Final stage runs as root because no USER is set",
    docs: {
      description: "The image's last stage sets no USER and its base image runs as root, so every container started from it runs as UID 0 unless Kubernetes overrides it. A compromised process then owns the container's filesystem and is one kernel bug away from the node.",
      remediation: "Add `USER <uid>` (a numeric UID such as 10001, or 65532 on distroless) as the last USER of the final stage, after creating the user if the base image lacks it.",
      helpUri: "https://docs.docker.com/reference/dockerfile/#user",
    },
  },
  userRoot: {
    id: "dockerfile/runs-as-root", family, pillar, severity: "high", title: "Final stage runs as root (USER root or 0)",
    docs: {
      description: "The last USER of the final stage is root (by name or UID 0), so the container runs with full privileges inside its user namespace, and runAsNonRoot: true will refuse to start it.",
      remediation: "Switch to an unprivileged numeric UID for the final stage (`USER 10001`); do root-only work in earlier instructions or stages.",
      helpUri: "https://docs.docker.com/build/building/best-practices/#user",
    },
  },
  userNotNumeric: {
    id: "dockerfile/non-numeric-user", family, pillar, severity: "medium", title: "USER is a name, so runAsNonRoot cannot be verified",
    docs: {
      description: "The kubelet checks `runAsNonRoot: true` against the image's USER, and it can only do so for a numeric UID: with a user name it refuses to start the container (\"image has non-numeric user, cannot verify user is non-root\").",
      remediation: "Use the numeric UID (and optionally GID) in USER, e.g. `USER 10001:10001`, or set runAsUser in the pod.",
      helpUri: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
    },
  },
  userUnknown: {
    id: "dockerfile/unknown-user", family, pillar, severity: "medium", title: "USER names a user the image does not define",
    docs: {
      description: "The final stage switches to a user that no RUN instruction creates (useradd, adduser, /etc/passwd) and that the base image is not known to define, so the container fails to start (\"unable to find user\").",
      remediation: "Create the user in the image (`RUN useradd -u 10001 app`) or use a numeric UID.",
      helpUri: "https://docs.docker.com/build/building/best-practices/#user",
    },
  },
  baseUnpinned: {
    id: "dockerfile/base-not-pinned", family, pillar, severity: "medium", title: "Base image is not pinned by digest",
    docs: {
      description: "A tag can be moved to different content at any time, so the same Dockerfile builds different images and a compromised registry account can change what you ship. Only a digest names fixed content.",
      remediation: "Pin every external FROM by digest: `FROM image:tag@sha256:<digest>` (keep the tag for readers; the digest wins), and update digests with a bot.",
      helpUri: "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
    },
  },
  baseLatest: {
    id: "dockerfile/base-latest-tag", family, pillar, severity: "medium", title: "Base image uses the latest tag",
    docs: {
      description: "`latest` (or no tag at all, which means latest) follows whatever the publisher pushed last, so builds are not reproducible and upgrades happen without review.",
      remediation: "Name a version tag and pin it by digest.",
      helpUri: "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
    },
  },
  secretInEnvOrArg: {
    id: "dockerfile/secret-in-env-or-arg", family, pillar, severity: "high", title: "Secret passed through ENV or ARG",
    docs: {
      description: "Values of ENV are stored in the image config, and ARG values used during the build are recorded in the image history: both are readable by anyone who can pull the image. Names like *PASSWORD*, *TOKEN*, *SECRET* or *KEY* suggest the value is a credential.",
      remediation: "Use build secrets (`RUN --mount=type=secret,id=token ...`) for build-time credentials and Kubernetes Secrets for run-time ones; never bake them into the image.",
      helpUri: "https://docs.docker.com/build/building/secrets/",
    },
  },
  addFromUrl: {
    id: "dockerfile/add-from-url", family, pillar, severity: "medium", title: "ADD downloads from a URL",
    docs: {
      description: "ADD with a URL fetches remote content at build time without verifying it (unless --checksum is given), so the build trusts whatever the server returns.",
      remediation: "Download with curl/wget and verify a checksum in the same RUN, or use `ADD --checksum=sha256:<digest> <url> <dest>`.",
      helpUri: "https://docs.docker.com/reference/dockerfile/#add---checksum",
    },
  },
} as const satisfies Record<string, Rule>;

export const DOCKERFILE_RULE_LIST: readonly Rule[] = Object.values(DOCKERFILE_RULES);
