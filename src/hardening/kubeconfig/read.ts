/**
 * A kubeconfig (`apiVersion: v1`, `kind: Config`, as kubectl and client-go read it) as the
 * entries the checks judge: each cluster and each user, with the field paths findings
 * point at. Only what is in the file is read: a `certificate-authority` or
 * `client-certificate` path names a file elsewhere, which this pure reader never opens
 * (referenced-file.ts does, for the family).
 */
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";

export interface KubeconfigCluster {
  name: string;
  path: FieldPath;
  server: unknown;
  insecureSkipTlsVerify: unknown;
  certificateAuthorityData: unknown;
  /** The path form: a PEM file, relative to the kubeconfig's directory. */
  certificateAuthority: unknown;
  /** The name client-go verifies the server's certificate for, in place of the server URL's host. */
  tlsServerName: unknown;
  /** The proxy client-go sends every request through (proxy-url.ts), userinfo and all. */
  proxyUrl: unknown;
  /** The whole entry, for the checks that look at which fields are present. */
  body: Record<string, unknown>;
}

export interface KubeconfigUser {
  name: string;
  path: FieldPath;
  user: Record<string, unknown>;
}

export interface KubeconfigContext {
  name: string;
  path: FieldPath;
  /** The names it refers to (absent, a list or a mapping: none; a number or a boolean by its reading). */
  cluster: string | undefined;
  user: string | undefined;
}

/** A second entry of clusters, users or contexts under a name already taken, at its name. */
export interface DuplicateName {
  list: "clusters" | "users" | "contexts";
  name: string;
  path: FieldPath;
}

export interface Kubeconfig {
  clusters: KubeconfigCluster[];
  users: KubeconfigUser[];
  contexts: KubeconfigContext[];
  /** The context kubectl uses; undefined when unset or empty. */
  currentContext: string | undefined;
  duplicateNames: DuplicateName[];
}

export function isKubeconfig(object: K8sObject): boolean {
  return object.kind === "Config" && object.apiVersion === "v1";
}

/**
 * A name or a reference as text: a number or a boolean YAML read from a plain scalar
 * (`name: 2024`, `user: y`) by its reading, so that an entry is named as written and a
 * context is matched to the entry it names the same way. client-go refuses the whole file
 * for such a value (decode-types.ts); the names only keep the other findings readable.
 */
export function nameText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

/** The named entries of a list such as `clusters: [{name, cluster: {...}}]`. */
function entries(object: K8sObject, list: "clusters" | "users" | "contexts", field: "cluster" | "user" | "context"): Array<{ name: string; path: FieldPath; body: Record<string, unknown> }> {
  const items = object[list];
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown, i) => {
    if (!isRecord(item) || !isRecord(item[field])) return [];
    return [{ name: nameText(item.name) ?? `#${i}`, path: [list, i, field], body: item[field] }];
  });
}

/**
 * client-go turns each list into a map by name and refuses the whole file at a name seen twice
 * (clientcmd api/v1 conversion: "duplicate name ... in list"); an entry without a name is
 * named "" there, so two of those collide too.
 */
function duplicateNames(object: K8sObject, list: DuplicateName["list"]): DuplicateName[] {
  const items = object[list];
  if (!Array.isArray(items)) return [];
  const seen = new Set<string>();
  return items.flatMap((item: unknown, i) => {
    if (!isRecord(item)) return [];
    const name = item.name === undefined || item.name === null ? "" : item.name;
    if (typeof name !== "string") return [];
    if (!seen.has(name)) {
      seen.add(name);
      return [];
    }
    return [{ list, name, path: item.name === undefined ? [list, i] : [list, i, "name"] }];
  });
}

export function readKubeconfig(object: K8sObject): Kubeconfig {
  const current = nameText(object["current-context"]);
  return {
    contexts: entries(object, "contexts", "context").map(({ name, path, body }) => ({ name, path, cluster: nameText(body.cluster), user: nameText(body.user) })),
    currentContext: current !== "" ? current : undefined,
    duplicateNames: (["clusters", "users", "contexts"] as const).flatMap((list) => duplicateNames(object, list)),
    clusters: entries(object, "clusters", "cluster").map(({ name, path, body }) => ({
      name,
      path,
      server: body.server,
      insecureSkipTlsVerify: body["insecure-skip-tls-verify"],
      certificateAuthorityData: body["certificate-authority-data"],
      certificateAuthority: body["certificate-authority"],
      tlsServerName: body["tls-server-name"],
      proxyUrl: body["proxy-url"],
      body,
    })),
    users: entries(object, "users", "user").map(({ name, path, body }) => ({ name, path, user: body })),
  };
}
