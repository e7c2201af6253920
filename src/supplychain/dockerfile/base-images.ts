import { canonicalName, type ImageRef } from "./image-ref.js";

/**
 * What Palisade knows about well-known base images: the user they run as when a
 * Dockerfile sets no USER, and the users their /etc/passwd already has. Only images
 * whose facts are documented by their publishers are listed; an unknown image is
 * assumed to run as root and to have only the users every Linux base has.
 */
export interface BaseImageFacts {
  /** Numeric UID the image runs as by default (0 = root). */
  defaultUid: number;
  /** User names the image defines, with their UIDs. */
  users: Readonly<Record<string, number>>;
}

/** Users every common Linux base (Debian, Ubuntu, Alpine, UBI) defines. */
const COMMON_USERS: Readonly<Record<string, number>> = { root: 0, daemon: 1, bin: 2, nobody: 65534 };

interface KnownImage {
  matches(name: string, tag: string | undefined): boolean;
  facts: BaseImageFacts;
}

const KNOWN: KnownImage[] = [
  {
    // Distroless: the :nonroot and :debug-nonroot variants run as 65532.
    matches: (n, t) => n.startsWith("gcr.io/distroless/") && (t ?? "").includes("nonroot"),
    facts: { defaultUid: 65532, users: { root: 0, nonroot: 65532, nobody: 65534 } },
  },
  {
    matches: (n) => n.startsWith("gcr.io/distroless/"),
    facts: { defaultUid: 0, users: { root: 0, nonroot: 65532, nobody: 65534 } },
  },
  {
    // Chainguard images run as nonroot (65532) unless they are a -dev variant.
    matches: (n, t) => n.startsWith("cgr.dev/chainguard/") && !(t ?? "").includes("dev"),
    facts: { defaultUid: 65532, users: { root: 0, nonroot: 65532 } },
  },
  {
    matches: (n) => n === "docker.io/nginxinc/nginx-unprivileged",
    facts: { defaultUid: 101, users: { ...COMMON_USERS, nginx: 101 } },
  },
  {
    matches: (n) => n === "docker.io/library/nginx",
    facts: { defaultUid: 0, users: { ...COMMON_USERS, nginx: 101 } },
  },
  {
    // The official node image defines `node` (1000) but runs as root.
    matches: (n) => n === "docker.io/library/node",
    facts: { defaultUid: 0, users: { ...COMMON_USERS, node: 1000 } },
  },
  {
    // Bitnami images run as 1001.
    matches: (n) => n.startsWith("docker.io/bitnami/"),
    facts: { defaultUid: 1001, users: { ...COMMON_USERS } },
  },
  {
    matches: (n) => n === "docker.io/library/busybox" || n === "docker.io/library/alpine",
    facts: { defaultUid: 0, users: { ...COMMON_USERS, guest: 405 } },
  },
  {
    matches: (n) => n === "docker.io/library/debian",
    facts: { defaultUid: 0, users: { ...COMMON_USERS, "www-data": 33 } },
  },
  {
    matches: (n) => n === "docker.io/library/ubuntu",
    facts: { defaultUid: 0, users: { ...COMMON_USERS, "www-data": 33, ubuntu: 1000 } },
  },
];

export function baseImageFacts(ref: ImageRef): BaseImageFacts {
  if (ref.name === "scratch") return { defaultUid: 0, users: {} };
  const name = canonicalName(ref.name);
  for (const known of KNOWN) if (known.matches(name, ref.tag)) return known.facts;
  return { defaultUid: 0, users: { ...COMMON_USERS } };
}
