/**
 * Image policy: images come from allowed registries, are pinned by digest, and never use
 * the `latest` tag (explicit, or implied by no tag and no digest). Reference parsing is
 * src/supplychain/image-reference.ts (shared with the scan's image rules).
 */
import { emptyVerdict, type AdmissionPolicy, type PolicyMode, type PolicyVerdict } from "../policy.js";
import { containersOf, podSpecOf } from "../pod-specs.js";
import { parseImageReference, repositoryAllowed, type ParseResult } from "../../supplychain/image-reference.js";
import type { ImagePolicyOptions } from "../../supplychain/images/check.js";
import type { AdmissionRequest } from "../review.js";

export const IMAGES_POLICY = "images";


/**
 * Images repeat across pods (every replica, every rollout): parsed references are kept, at
 * most PARSED_LIMIT of them and only names short enough to be valid, so memory stays bounded.
 */
const PARSED_LIMIT = 4096;
const CACHED_NAME_LENGTH = 512;

function appliesTo(request: AdmissionRequest): boolean {
  return (request.operation === "CREATE" || request.operation === "UPDATE") && (request.subResource === "" || request.subResource === "ephemeralcontainers");
}

export function imagesPolicy(options: ImagePolicyOptions, mode: PolicyMode): AdmissionPolicy {
  const parsedImages = new Map<string, ParseResult>();
  const parse = (image: string): ParseResult => {
    let parsed = parsedImages.get(image);
    if (parsed === undefined) {
      parsed = parseImageReference(image);
      if (image.length > CACHED_NAME_LENGTH) return parsed;
      if (parsedImages.size >= PARSED_LIMIT) parsedImages.clear();
      parsedImages.set(image, parsed);
    }
    return parsed;
  };
  return {
    name: IMAGES_POLICY,
    mode,
    appliesTo,
    validate(context): PolicyVerdict {
      const verdict = emptyVerdict();
      const { request } = context;
      if (!appliesTo(request)) return verdict;
      const location = podSpecOf(request.object);
      if (!location) return verdict;
      for (const container of containersOf(location.spec)) {
        const deny = (rule: string, message: string) =>
          verdict.deny.push({ policy: IMAGES_POLICY, rule, container: container.name, message: `container ${JSON.stringify(container.name)} ${message}` });
        const parsed = parse(container.image);
        if (!parsed.ok) {
          // Not echoed: a field that is no image reference may hold anything, and the API server logs denials.
          deny("invalid-reference", `image is not a reference the kubelet can pull, as ${parsed.reason}`);
          continue;
        }
        const ref = parsed.reference;
        if (options.allowedRegistries.length > 0 && !repositoryAllowed(ref, options.allowedRegistries)) {
          deny("registry", `image ${JSON.stringify(container.image)} is from ${ref.repository}, not an allowed registry (${options.allowedRegistries.join(", ")})`);
        }
        if (options.forbidLatest && ref.digest === undefined && (ref.tag === undefined || ref.tag === "latest")) {
          deny("latest", `image ${JSON.stringify(container.image)} uses the latest tag${ref.tag === undefined ? " implicitly" : ""}; pin a version or digest`);
        }
        if (options.requireDigest && ref.digest === undefined) {
          deny("digest", `image ${JSON.stringify(container.image)} is not pinned by digest (@sha256:...)`);
        }
      }
      return verdict;
    },
  };
}
