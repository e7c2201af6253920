/**
 * A stand-in Kubernetes API server for `palisade scan --cluster` tests: real HTTPS on
 * loopback with a CA made at run time, bearer tokens, legacy discovery (/api, /apis and
 * each group version) and paged list calls, as the real kubectl asks for them. For the
 * webhook's namespace watch it also stores changes (put/remove bump a resourceVersion),
 * serves `?watch=true` streams from a resourceVersion, and can compact its history so that
 * a watch from an old version gets 410 Gone, as etcd compaction does. No
 * kube-apiserver can be installed here (Debian has none), so this serves what kubectl
 * reads and records every request; kubectl itself is the real one.
 */
import { createServer, type Server } from "node:https";
import type { ServerResponse } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { createCertificateAuthority, issueCertificate } from "../../src/adapters/webhook/certificates.js";
import type { K8sObject } from "../../src/k8s/types.js";

interface ResourceType {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
}

const t = (group: string, version: string, kind: string, resource: string, namespaced = true): ResourceType => ({ group, version, kind, resource, namespaced });

/** What this server serves: the built-in types Palisade reads, and two it must never ask for. */
const ALL_TYPES: ResourceType[] = [
  t("", "v1", "Namespace", "namespaces", false),
  t("", "v1", "Node", "nodes", false),
  t("", "v1", "Pod", "pods"),
  t("", "v1", "PodTemplate", "podtemplates"),
  t("", "v1", "ReplicationController", "replicationcontrollers"),
  t("", "v1", "Service", "services"),
  t("", "v1", "ServiceAccount", "serviceaccounts"),
  t("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
  t("", "v1", "ResourceQuota", "resourcequotas"),
  t("", "v1", "LimitRange", "limitranges"),
  t("", "v1", "Secret", "secrets"),
  t("", "v1", "ConfigMap", "configmaps"),
  t("apps", "v1", "Deployment", "deployments"),
  t("apps", "v1", "ReplicaSet", "replicasets"),
  t("apps", "v1", "StatefulSet", "statefulsets"),
  t("apps", "v1", "DaemonSet", "daemonsets"),
  t("batch", "v1", "Job", "jobs"),
  t("batch", "v1", "CronJob", "cronjobs"),
  t("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
  t("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies"),
  t("networking.k8s.io", "v1", "Ingress", "ingresses"),
  t("rbac.authorization.k8s.io", "v1", "Role", "roles"),
  t("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
  t("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
  t("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false),
  t("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
  t("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
  t("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false),
  t("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false),
  t("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", false),
  t("policy.networking.k8s.io", "v1alpha1", "AdminNetworkPolicy", "adminnetworkpolicies", false),
  t("policy.networking.k8s.io", "v1alpha1", "BaselineAdminNetworkPolicy", "baselineadminnetworkpolicies", false),
  // Gateway API, as its CRDs serve it.
  t("gateway.networking.k8s.io", "v1", "Gateway", "gateways"),
  t("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes"),
  t("gateway.networking.k8s.io", "v1", "ReferenceGrant", "referencegrants"),
  // Calico's own API server (projectcalico.org/v3), as the Tigera operator installs it.
  t("projectcalico.org", "v3", "Tier", "tiers", false),
  t("projectcalico.org", "v3", "NetworkPolicy", "networkpolicies"),
  t("projectcalico.org", "v3", "StagedNetworkPolicy", "stagednetworkpolicies"),
  t("projectcalico.org", "v3", "GlobalNetworkPolicy", "globalnetworkpolicies", false),
  t("projectcalico.org", "v3", "StagedGlobalNetworkPolicy", "stagedglobalnetworkpolicies", false),
  t("projectcalico.org", "v3", "NetworkSet", "networksets"),
  t("projectcalico.org", "v3", "GlobalNetworkSet", "globalnetworksets", false),
  t("projectcalico.org", "v3", "ClusterInformation", "clusterinformations", false),
];

const groupVersion = (type: ResourceType) => (type.group ? `${type.group}/${type.version}` : type.version);

export interface ApiServerOptions {
  /** Where the kubeconfig is written. */
  dir: string;
  objects: K8sObject[];
  /** Resources (plural names) the `restricted` user may not list. */
  forbiddenToRestricted?: string[];
  /** Items per list response: kubectl follows `continue` until the list is whole. */
  pageSize?: number;
  /** What each node's kubelet answers at /configz (through /api/v1/nodes/NAME/proxy/configz), by node name. */
  kubeletConfigs?: Record<string, object>;
  /** Serve Calico as its CRDs (crd.projectcalico.org/v1), as a cluster without Calico's API server does. */
  calicoAsCrds?: boolean;
}

export interface StandInApiServer {
  /** A kubeconfig with contexts `admin` (current), `restricted` and `stranger` (an unknown token). */
  kubeconfig: string;
  /** https://127.0.0.1:PORT */
  url: string;
  /** The CA of its serving certificate (what a pod finds in its service account's ca.crt). */
  caPem: string;
  /** Every request, as `METHOD path?query`. */
  requests: string[];
  /**
   * Create or replace an object (matched by kind, namespace and name); watchers see ADDED or
   * MODIFIED, unless `withholdEvent`: then only a GET or a new list shows it, as when a watch
   * lags behind a write.
   */
  put(object: K8sObject, options?: { withholdEvent?: boolean }): void;
  /** Delete an object; watchers see DELETED. */
  remove(kind: string, name: string, namespace?: string): void;
  /** Forget the event history (etcd compaction): open watches end with an ERROR 410, old versions get 410. */
  compact(): void;
  close(): Promise<void>;
}

export const TOKENS = { admin: "admin-token-7f3a", restricted: "restricted-token-91bc", stranger: "not-a-valid-token" } as const;

const asCrd = (type: ResourceType): ResourceType => (type.group === "projectcalico.org" ? { ...type, group: "crd.projectcalico.org", version: "v1" } : type);

export async function startApiServer(options: ApiServerOptions): Promise<StandInApiServer> {
  const TYPES = options.calicoAsCrds ? ALL_TYPES.map(asCrd) : ALL_TYPES;
  const ca = await createCertificateAuthority("stand-in apiserver CA");
  const serving = await issueCertificate(ca, { commonName: "kube-apiserver", ipAddresses: ["127.0.0.1"], usage: "server" });
  const requests: string[] = [];
  const pageSize = options.pageSize ?? 2;
  const stored = options.objects.map((object, i) => withServerFields(object, i));
  // Versions of the whole store, as etcd's revision: every change takes the next one.
  let revision = 1000;
  let compactedThrough = revision;
  const history: Array<{ revision: number; type: "ADDED" | "MODIFIED" | "DELETED"; object: K8sObject }> = [];
  const watchers = new Set<{ kind: string; apiVersion: string; res: ServerResponse }>();
  const sameObject = (a: K8sObject, kind: string, name: string, namespace?: string) => a.kind === kind && a.metadata?.name === name && (a.metadata?.namespace ?? undefined) === namespace;
  const record = (type: "ADDED" | "MODIFIED" | "DELETED", object: K8sObject) => {
    history.push({ revision, type, object });
    for (const watcher of watchers) if (!watcher.res.writableEnded && watcher.kind === object.kind && watcher.apiVersion === object.apiVersion) watcher.res.write(JSON.stringify({ type, object }) + "\n");
  };
  const server: Server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string) => send(code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const user = token === TOKENS.admin ? "admin" : token === TOKENS.restricted ? "restricted" : undefined;
    if (!user) return status(401, "Unauthorized", "Unauthorized");
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const path = url.pathname;
    const proxied = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/configz$/.exec(path);
    if (proxied) {
      const node = decodeURIComponent(proxied[1] ?? "");
      if (user === "restricted") return status(403, "Forbidden", `nodes "${node}" is forbidden: User "restricted" cannot get resource "nodes/proxy" in API group "" at the cluster scope`);
      const config = options.kubeletConfigs?.[node];
      return config ? send(200, { kubeletconfig: config }) : status(404, "NotFound", `nodes "${node}" not found`);
    }
    if (path === "/api") return send(200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1:443" }] });
    if (path === "/apis") {
      const groups = [...new Map(TYPES.filter((type) => type.group).map((type) => [type.group, type.version])).entries()].map(([name, v]) => {
        const version = { groupVersion: `${name}/${v}`, version: v };
        return { name, versions: [version], preferredVersion: version };
      });
      return send(200, { kind: "APIGroupList", apiVersion: "v1", groups });
    }
    const discovery = TYPES.filter((type) => path === (type.group ? `/apis/${groupVersion(type)}` : "/api/v1"));
    if (discovery.length > 0) {
      const resources = discovery.map((type) => ({ name: type.resource, singularName: type.kind.toLowerCase(), namespaced: type.namespaced, kind: type.kind, verbs: ["get", "list", "watch"] }));
      return send(200, { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion(discovery[0] as ResourceType), resources });
    }
    for (const type of TYPES) {
      const base = type.group ? `/apis/${groupVersion(type)}` : "/api/v1";
      const match = new RegExp(`^${base.replace(/\./g, "\\.")}(?:/namespaces/([^/]+))?/${type.resource}(?:/([^/]+))?$`).exec(path);
      if (!match) continue;
      const namespace = match[1];
      const name = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
      if (name !== undefined) {
        // One object by name (GET .../namespaces/NAME); lists have no kind on their items, a single object has.
        const found = stored.find((object) => sameObject(object, type.kind, name, type.namespaced ? namespace : undefined) && object.apiVersion === groupVersion(type));
        return found ? send(200, found) : status(404, "NotFound", `${type.resource} "${name}" not found`);
      }
      if (user === "restricted" && options.forbiddenToRestricted?.includes(type.resource)) {
        const scope = namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
        return status(403, "Forbidden", `${type.resource}${type.group ? `.${type.group}` : ""} is forbidden: User "restricted" cannot list resource "${type.resource}" in API group "${type.group}" ${scope}`);
      }
      if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
        // As the API server answers a watch: 200, then one JSON event per line, kept open.
        res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
        const from = Number(url.searchParams.get("resourceVersion") ?? "0");
        if (from < compactedThrough) {
          res.end(JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Expired", message: `too old resource version: ${from} (${compactedThrough})` } }) + "\n");
          return;
        }
        for (const event of history) if (event.revision > from && event.object.kind === type.kind && event.object.apiVersion === groupVersion(type)) res.write(JSON.stringify({ type: event.type, object: event.object }) + "\n");
        const watcher = { kind: type.kind, apiVersion: groupVersion(type), res };
        watchers.add(watcher);
        const timeout = setTimeout(() => res.end(), Number(url.searchParams.get("timeoutSeconds") ?? "1800") * 1000);
        res.on("close", () => {
          clearTimeout(timeout);
          watchers.delete(watcher);
        });
        return;
      }
      const all = stored.filter((object) => object.kind === type.kind && groupVersion(type) === object.apiVersion && (namespace === undefined || object.metadata?.namespace === namespace));
      const offset = Number(url.searchParams.get("continue") ?? "0");
      const page = all.slice(offset, offset + pageSize);
      const more = offset + pageSize < all.length;
      // As the API server lists: items without their kind and apiVersion (the list has them).
      const items = page.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
      return send(200, { kind: `${type.kind}List`, apiVersion: groupVersion(type), metadata: { resourceVersion: String(revision), ...(more ? { continue: String(offset + pageSize) } : {}) }, items });
    }
    return status(404, "NotFound", "the server could not find the requested resource");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = join(options.dir, "kubeconfig");
  writeFileSync(kubeconfig, kubeconfigText(`https://127.0.0.1:${port}`, ca.certPem));
  return {
    kubeconfig,
    url: `https://127.0.0.1:${port}`,
    caPem: ca.certPem,
    requests,
    put(object, putOptions) {
      revision++;
      const index = stored.findIndex((o) => sameObject(o, object.kind ?? "", object.metadata?.name ?? "", object.metadata?.namespace));
      const saved = { ...object, metadata: { ...object.metadata, resourceVersion: String(revision), uid: index >= 0 ? stored[index]!.metadata?.uid : `put-${revision}` } };
      if (index >= 0) stored[index] = saved;
      else stored.push(saved);
      if (!putOptions?.withholdEvent) record(index >= 0 ? "MODIFIED" : "ADDED", saved);
    },
    remove(kind, name, namespace) {
      const index = stored.findIndex((o) => sameObject(o, kind, name, namespace));
      if (index < 0) return;
      revision++;
      const [gone] = stored.splice(index, 1);
      record("DELETED", { ...gone!, metadata: { ...gone!.metadata, resourceVersion: String(revision) } });
    },
    compact() {
      compactedThrough = revision;
      history.length = 0;
      for (const watcher of watchers) watcher.res.end(JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Expired", message: "too old resource version" } }) + "\n");
      watchers.clear();
    },
    close: () =>
      new Promise((resolve) => {
        for (const watcher of watchers) watcher.res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What the API server adds to every object it stores. */
function withServerFields(object: K8sObject, index: number): K8sObject {
  const metadata = { ...object.metadata };
  metadata.uid ??= `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`;
  metadata.resourceVersion = String(100 + index);
  metadata.creationTimestamp = "2026-11-01T00:00:00Z";
  return { ...object, metadata };
}

function kubeconfigText(server: string, caPem: string): string {
  const context = (name: string) => `- name: ${name}\n  context:\n    cluster: stand-in\n    user: ${name}\n    namespace: storefront\n`;
  const user = (name: keyof typeof TOKENS) => `- name: ${name}\n  user:\n    token: ${TOKENS[name]}\n`;
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: stand-in",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${Buffer.from(caPem).toString("base64")}`,
    "users:",
    user("admin") + user("restricted") + user("stranger"),
    "contexts:",
    context("admin") + context("restricted") + context("stranger"),
    "current-context: admin",
    "",
  ].join("\n");
}
