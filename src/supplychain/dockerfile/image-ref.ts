import { parseImageReference } from "../image-reference.js";

/**
 * A container image reference split the way registries read it:
 * `[registry/]repository[:tag][@digest]`. The tag is the part after the last `:` that
 * follows the last `/`, so `localhost:5000/app` has no tag.
 */
export interface ImageRef {
  /** Everything before the tag and digest, e.g. `gcr.io/distroless/static`. */
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(reference: string): ImageRef {
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * Docker Hub short names mean `docker.io/library/<name>`; compare images in that form, as
 * the runtime's parser (supplychain/image-reference.ts) normalises them. A name it does not
 * take (a Dockerfile's FROM may still hold a build argument) is normalised the simple way.
 */
export function canonicalName(name: string): string {
  const parsed = parseImageReference(name);
  if (parsed.ok) return parsed.reference.repository;
  const first = name.split("/")[0] ?? "";
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) return name.startsWith("index.docker.io/") ? `docker.io/${name.slice("index.docker.io/".length)}` : name;
  return name.includes("/") ? `docker.io/${name}` : `docker.io/library/${name}`;
}
