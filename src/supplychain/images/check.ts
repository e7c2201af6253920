/**
 * The image checks over one object: every container of the pod it runs (init, regular,
 * ephemeral), judged by the reference grammar the kubelet parses with, and, when the scan
 * was given the admission webhook's configuration, by its images policy, with the same
 * parser and the same registry matching.
 */
import { findingAt } from "../../findings/finding-at.js";
import type { Finding, Rule } from "../../findings/types.js";
import { visitContainers } from "../../k8s/containers.js";
import type { LoadedObject } from "../../k8s/types.js";
import { podTemplate } from "../../k8s/workloads.js";
import { hasSurroundingGoSpace } from "../../manifest/go-space.js";
import { parseImageReference, repositoryAllowed, type ParseResult } from "../image-reference.js";
import { IMAGE_RULES } from "./rules.js";

/** What the admission webhook's images policy requires (its configuration's `policies.images`). */
export interface ImagePolicyOptions {
  /** Registry or registry/path prefixes; empty = any registry. */
  allowedRegistries: string[];
  requireDigest: boolean;
  forbidLatest: boolean;
}

/** The webhook's images policy as `palisade scan --admission-config FILE` judges with it. */
export interface ImageAdmission extends ImagePolicyOptions {
  /** The policy's mode: only `enforce` rejects. */
  mode: string;
  /** The configuration file, named in findings' notes. */
  file: string;
}

/** Parsed references, per image text: replicas and sidecars repeat the same few images. */
export type ReferenceCache = Map<string, ParseResult>;
const CACHED = 4096;

function parsed(image: string, cache: ReferenceCache): ParseResult {
  let result = cache.get(image);
  if (result === undefined) {
    result = parseImageReference(image);
    if (cache.size >= CACHED) cache.clear();
    cache.set(image, result);
  }
  return result;
}

export function checkImages(loaded: LoadedObject, admission: ImageAdmission | undefined, cache: ReferenceCache): Finding[] {
  const template = podTemplate(loaded.object);
  if (!template) return [];
  const findings: Finding[] = [];
  for (const ref of visitContainers(template.pod.spec)) {
    const image = ref.container.image;
    // A missing image is the API server's to refuse, with its own message; a template
    // (${REGISTRY}/app, {{ .Values.image }}, ko://...) is judged once a tool has filled it in.
    if (typeof image !== "string" || image === "" || image.includes("${") || image.includes("{{") || image.startsWith("ko://")) continue;
    // The API server refuses a Pod whose image has surrounding whitespace (validateContainerOnlyForPod):
    // a bare Pod is manifest/fails-validation's; a template is accepted, and each pod its controller creates is refused.
    const spaced = hasSurroundingGoSpace(image);
    if (spaced && template.path.length === 0) continue;
    const result = parsed(image, cache);
    // Most images pass: what a finding needs is built only for one.
    if (result.ok && result.reference.digest !== undefined && (admission === undefined || admission.allowedRegistries.length === 0 || repositoryAllowed(result.reference, admission.allowedRegistries))) continue;
    const who = `${ref.list === "containers" ? "container" : ref.list === "initContainers" ? "init container" : "ephemeral container"} ${JSON.stringify(ref.name)}`;
    const add = (rule: Rule, message: string, rejects: boolean) => {
      const finding = findingAt(rule, loaded, [...template.path, ...ref.path, "image"], message);
      finding.properties = { container: ref.name, ...(rule === IMAGE_RULES.invalid ? {} : { image }) };
      if (rejects && admission) finding.note = admission.mode === "enforce" ? `the admission webhook (${admission.file}) would reject it` : `the admission webhook (${admission.file}, images policy in ${admission.mode} mode) would report it`;
      findings.push(finding);
    };
    if (spaced) {
      add(IMAGE_RULES.invalid, `${who}: the image has leading or trailing whitespace, which the API server refuses in a Pod (must not have leading or trailing whitespace): the template is accepted, but every pod its controller creates is refused (FailedCreate), so none runs`, true);
      continue;
    }
    if (!result.ok) {
      // The text is not repeated: an image field that is not a reference may hold anything.
      add(IMAGE_RULES.invalid, `${who}: the image is not a reference the kubelet can pull, as ${result.reason}; its pods would wait in InvalidImageName`, true);
      continue;
    }
    const reference = result.reference;
    if (admission && admission.allowedRegistries.length > 0 && !repositoryAllowed(reference, admission.allowedRegistries)) {
      add(IMAGE_RULES.registry, `${who}: image ${JSON.stringify(image)} is from ${reference.repository}, outside the allowed registries (${admission.allowedRegistries.join(", ")})`, true);
    }
    if (reference.digest === undefined) {
      if (reference.tag === undefined || reference.tag === "latest") {
        const what = reference.tag === undefined ? "has neither tag nor digest, which means latest" : "uses the latest tag";
        add(IMAGE_RULES.latest, `${who}: image ${JSON.stringify(image)} ${what}: each pod runs whatever ${reference.repository}:latest is when its node pulls it`, admission?.forbidLatest === true);
      }
      if (admission?.requireDigest) add(IMAGE_RULES.digest, `${who}: image ${JSON.stringify(image)} is not pinned by digest, which the admission configuration requires`, true);
      else if (reference.tag !== undefined && reference.tag !== "latest") add(IMAGE_RULES.notPinned, `${who}: image ${JSON.stringify(image)} names tag ${reference.tag} but no digest: whoever can push to ${reference.repository} decides what it runs`, false);
    }
  }
  return findings;
}
