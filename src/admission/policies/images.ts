/**
 * Image policy: images come from allowed registries, are pinned by digest, and never use
 * the `latest` tag (explicit, or implied by no tag and no digest). Reference parsing is
 * src/supplychain/image-reference.ts (shared with the scan's image rules).
 * An update is judged only on the images it brings: a container whose image is what the old
 * object already ran (a scale, a label, a finalizer removed) goes through, or existing
 * workloads could not scale and terminating pods would stay stuck.
 */
import { emptyVerdict, type AdmissionPolicy, type PolicyMode, type PolicyVerdict } from "../policy.js";
import { containersOf, podSpecOf } from "../pod-specs.js";
import { parseImageReference, repositoryAllowed, type ParseResult } from "../../supplychain/image-reference.js";
import type { ImagePolicyOptions } from "../../supplychain/images/check.js";
import type { AdmissionRequest } from "../review.js";
import type { K8sObject } from "../../k8s/types.js";

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

/** The old object's image per container name (names are unique across a pod spec's lists). */
function imagesByContainer(object: K8sObject | null): Map<string, string> | undefined {
  const location = podSpecOf(object);
  if (!location) return undefined;
  return new Map(containersOf(location.spec).map((c) => [c.name, c.image]));
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
      const before = request.operation === "UPDATE" ? imagesByContainer(request.oldObject) : undefined;
      for (const container of containersOf(location.spec)) {
        if (before?.get(container.name) === container.image) continue;
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
