/**
 * Container image references as the kubelet reads them before it pulls (distribution's
 * ParseNormalizedNamed: its reference grammar with Docker's normalisation; what it
 * refuses, the kubelet reports as InvalidImageName): `[domain/]path[:tag][@digest]`. The
 * first component is a registry when it has a `.` or `:`, is `localhost`, or has an
 * uppercase letter; otherwise the image is on docker.io and single-component names live
 * under `library/`. A digest must be of an algorithm the runtime has (sha256, sha384,
 * sha512), at that algorithm's length.
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

/** `reason` says what is wrong without quoting the image: an image field that is no reference may hold anything, and reports and logs must not echo it. */
export type ParseResult = { ok: true; reference: ImageReference } | { ok: false; reason: string };

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** go-digest's registered algorithms, as the runtimes link them, with their hex lengths. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
/** An image ID, which a reference must not be: `docker pull <64 hex>` is refused the same way. */
const IMAGE_ID = /^[a-f0-9]{64}$/;

export function parseImageReference(text: string): ParseResult {
  if (text === "") return { ok: false, reason: "it is empty" };
  if (IMAGE_ID.test(text)) return { ok: false, reason: "it is an image ID, not a repository name" };
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { ok: false, reason: "its digest is malformed" };
    const [algorithm = "", hex = ""] = digest.split(":");
    const length = DIGEST_HEX_LENGTH[algorithm];
    if (length === undefined || !Object.hasOwn(DIGEST_HEX_LENGTH, algorithm)) return { ok: false, reason: "its digest algorithm is not sha256, sha384 or sha512" };
    if (hex.length !== length || hex !== hex.toLowerCase()) return { ok: false, reason: `its ${algorithm} digest is not ${length} lowercase hex digits` };
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > rest.lastIndexOf("/")) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) return { ok: false, reason: "its tag is not 1 to 128 letters, digits, _ . or - (not starting with . or -)" };
  }
  if (rest === "") return { ok: false, reason: "it has no repository name" };
  const slash = rest.indexOf("/");
  let domain = "docker.io";
  let path = rest;
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase()) {
      // Not a host name (reg_istry.com): the runtime then reads the whole name as a path, which the path rules judge.
      if (DOMAIN.test(first)) {
        domain = first;
        path = rest.slice(slash + 1);
      } else if (first.includes(":")) {
        return { ok: false, reason: "its registry is not a host name[:port]" };
      } else domain = "";
    }
  }
  if (domain === "index.docker.io") domain = "docker.io";
  const components = path.split("/");
  for (const component of components) {
    if (PATH_COMPONENT.test(component)) continue;
    // `redis:alpine:7`: only the last `:` after the last `/` starts a tag, so the first is left in the path.
    if (component.includes(":") && component.split(":").every((part) => PATH_COMPONENT.test(part))) return { ok: false, reason: "it has more than one `:` (a reference has one tag, after its last `:`)" };
    return { ok: false, reason: "its repository path is not lowercase letters, digits and separators . _ __ -" };
  }
  if (domain === "docker.io" && components.length === 1) path = `library/${path}`;
  // Measured as distribution/reference v0.6 measures it: the path, library/ included, without the registry.
  if (path.length > 255) return { ok: false, reason: "its repository path is longer than 255 characters" };
  const reference: ImageReference = { domain, path, repository: domain === "" ? path : `${domain}/${path}` };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return { ok: true, reference };
}

/**
 * `registry.example.com` allows every repository there; `ghcr.io/acme` only that path and
 * below. Matching is on whole components, so `ghcr.io/acme` does not allow `ghcr.io/acmecorp`.
 * Registry host names are compared without case, as DNS does, and index.docker.io is docker.io.
 */
export function repositoryAllowed(reference: ImageReference, allowed: readonly string[]): boolean {
  const repository = reference.domain === "" ? reference.path : `${reference.domain.toLowerCase()}/${reference.path}`;
  return allowed.some((entry) => {
    const trimmed = entry.replace(/\/+$/, "");
    const slash = trimmed.indexOf("/");
    const host = (slash < 0 ? trimmed : trimmed.slice(0, slash)).toLowerCase();
    const normalised = `${host === "index.docker.io" ? "docker.io" : host}${slash < 0 ? "" : trimmed.slice(slash)}`;
    return repository === normalised || repository.startsWith(`${normalised}/`);
  });
}
