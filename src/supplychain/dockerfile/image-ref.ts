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

/** `sha256:` followed by 64 hex digits (other algorithms by their registered shape). */
export function isWellFormedDigest(digest: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(digest) || /^sha512:[a-f0-9]{128}$/.test(digest);
}

/** Docker Hub short names mean `docker.io/library/<name>`; compare images in that form. */
export function canonicalName(name: string): string {
  const first = name.split("/")[0] ?? "";
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) return name.startsWith("index.docker.io/") ? `docker.io/${name.slice("index.docker.io/".length)}` : name;
  return name.includes("/") ? `docker.io/${name}` : `docker.io/library/${name}`;
}
