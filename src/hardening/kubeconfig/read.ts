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
}

export interface KubeconfigUser {
  name: string;
  path: FieldPath;
  user: Record<string, unknown>;
}

export interface Kubeconfig {
  clusters: KubeconfigCluster[];
  users: KubeconfigUser[];
}

export function isKubeconfig(object: K8sObject): boolean {
  return object.kind === "Config" && object.apiVersion === "v1";
}

/** The named entries of a list such as `clusters: [{name, cluster: {...}}]`. */
function entries(object: K8sObject, list: "clusters" | "users", field: "cluster" | "user"): Array<{ name: string; path: FieldPath; body: Record<string, unknown> }> {
  const items = object[list];
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown, i) => {
    if (!isRecord(item) || !isRecord(item[field])) return [];
    return [{ name: typeof item.name === "string" ? item.name : `#${i}`, path: [list, i, field], body: item[field] }];
  });
}

export function readKubeconfig(object: K8sObject): Kubeconfig {
  return {
    clusters: entries(object, "clusters", "cluster").map(({ name, path, body }) => ({
      name,
      path,
      server: body.server,
      insecureSkipTlsVerify: body["insecure-skip-tls-verify"],
      certificateAuthorityData: body["certificate-authority-data"],
      certificateAuthority: body["certificate-authority"],
      tlsServerName: body["tls-server-name"],
    })),
    users: entries(object, "users", "user").map(({ name, path, body }) => ({ name, path, user: body })),
  };
}
