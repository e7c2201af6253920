import type { Rule } from "../../findings/types.js";

/**
 * Rule records of the container image checks. Their ids are the admission webhook's
 * images policy and rule names (`images/latest` is its `latest`), so one exception in a
 * PolicyExceptionList covers a workload in CI and at admission alike.
 */

const family = "images";
const pillar = "supply-chain" as const;

export const IMAGE_RULES = {
  invalid: {
    id: "images/invalid-reference", family, pillar, severity: "medium", title: "Image reference the kubelet cannot parse",
    docs: {
      description: "The container's image is not a reference the kubelet accepts (distribution's reference grammar: lowercase repository path, a tag of at most 128 word characters, a sha256, sha384 or sha512 digest), so its pods never start: they wait in InvalidImageName. A typo here also leaves the workload's old version running while the rollout hangs. An image with leading or trailing whitespace is refused earlier, by the API server's validation of every Pod: a bare Pod is manifest/fails-validation, and a workload's template is accepted while each pod its controller creates is refused (FailedCreate).",
      remediation: "Write the image as `[registry/]repository[:tag][@sha256:<64 hex digits>]` with a lowercase repository, e.g. `ghcr.io/acme/api:1.4.2@sha256:…`.",
      helpUri: "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    },
  },
  latest: {
    id: "images/latest", family, pillar, severity: "medium", title: "Image uses the latest tag, or no tag",
    docs: {
      description: "An image with the `latest` tag, or with neither tag nor digest (which means `latest`), is pulled again whenever a pod starts (the API server defaults imagePullPolicy to Always for it), so each replica runs whatever the tag points at in that moment: a push to the registry, or a compromise of it, reaches the cluster at the next restart, replicas may differ, and a rollback has nothing to go back to.",
      remediation: "Name a version, and pin it by digest: `image: ghcr.io/acme/api:1.4.2@sha256:…` (tools such as crane or skopeo print the digest).",
      helpUri: "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    },
  },
  notPinned: {
    id: "images/not-pinned", family, pillar, severity: "info", title: "Image is not pinned by digest",
    docs: {
      description: "The image names a tag but no digest. A tag can be moved to another image by anyone who may push to the repository, so what the pods run is decided by the registry, not by the manifest. Reported as info: most images are referred to by tag; set the admission webhook's `requireDigest` (and scan with --admission-config) to make it an error.",
      remediation: "Add the digest of the image the tag means today: `image: ghcr.io/acme/api:1.4.2@sha256:…`; the tag then documents, the digest decides.",
      helpUri: "https://kubernetes.io/docs/concepts/security/security-checklist/#images",
    },
  },
  digest: {
    id: "images/digest", family, pillar, severity: "high", title: "Image is not pinned by digest, which admission requires",
    docs: {
      description: "The admission webhook's images policy requires every image to be pinned by digest (`requireDigest: true` in the configuration given with --admission-config), and this one names a tag only: the webhook refuses the workload.",
      remediation: "Add the image's digest: `image: ghcr.io/acme/api:1.4.2@sha256:…`.",
      helpUri: "https://kubernetes.io/docs/concepts/security/security-checklist/#images",
    },
  },
  registry: {
    id: "images/registry", family, pillar, severity: "high", title: "Image from a registry admission does not allow",
    docs: {
      description: "The admission webhook's images policy allows images only from its `allowedRegistries` (the configuration given with --admission-config), matched on whole path components, and this image comes from elsewhere: the webhook refuses the workload. Images from unvetted registries are how typo-squatted and trojaned images get in.",
      remediation: "Mirror the image into an allowed registry and refer to it there, or add its registry (or registry/path) to allowedRegistries.",
      helpUri: "https://kubernetes.io/docs/concepts/security/security-checklist/#images",
    },
  },
} as const satisfies Record<string, Rule>;

export const IMAGE_RULE_LIST: readonly Rule[] = Object.values(IMAGE_RULES);
