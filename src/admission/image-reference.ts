/**
 * Container image references as the container runtimes read them (distribution/reference
 * grammar with Docker's normalisation): `[domain/]path[:tag][@digest]`. The first component
 * is a registry when it has a `.` or `:`, is `localhost`, or has an uppercase letter;
 * otherwise the image is on docker.io and single-component names live under `library/`.
 */

export interface ImageReference {
  /** Registry host[:port], normalised (docker.io for Docker Hub). */
  domain: string;
  /** Repository path without the domain, e.g. `library/nginx`. */
  path: string;
  tag?: string;
  digest?: string;
  /** `domain/path`, the fully qualified repository. */
  repository: string;
}

export type ParseResult = { ok: true; reference: ImageReference } | { ok: false; error: string };

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function parseImageReference(text: string): ParseResult {
  if (text === "") return { ok: false, error: "image is empty" };
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { ok: false, error: `invalid digest ${JSON.stringify(digest)}` };
    if (digest.startsWith("sha256:") && !SHA256.test(digest)) return { ok: false, error: `invalid sha256 digest ${JSON.stringify(digest)} (expected 64 lowercase hex digits)` };
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > rest.lastIndexOf("/")) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) return { ok: false, error: `invalid tag ${JSON.stringify(tag)}` };
  }
  if (rest === "") return { ok: false, error: "image has no repository name" };
  if (rest.length > 255) return { ok: false, error: "repository name is longer than 255 characters" };
  const slash = rest.indexOf("/");
  let domain = "docker.io";
  let path = rest;
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
      if (!DOMAIN.test(domain)) return { ok: false, error: `invalid registry ${JSON.stringify(domain)}` };
    }
  }
  if (domain === "index.docker.io") domain = "docker.io";
  const components = path.split("/");
  for (const component of components) {
    if (!PATH_COMPONENT.test(component)) {
      return { ok: false, error: `invalid repository path component ${JSON.stringify(component)} (lowercase letters, digits and separators . _ __ - only)` };
    }
  }
  if (domain === "docker.io" && components.length === 1) path = `library/${path}`;
  const reference: ImageReference = { domain, path, repository: `${domain}/${path}` };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return { ok: true, reference };
}

/**
 * `registry.example.com` allows every repository there; `ghcr.io/acme` only that path and
 * below. Matching is on whole components, so `ghcr.io/acme` does not allow `ghcr.io/acmecorp`.
 */
export function repositoryAllowed(reference: ImageReference, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    const normalised = entry.replace(/\/+$/, "");
    return reference.repository === normalised || reference.repository.startsWith(`${normalised}/`);
  });
}
