/**
 * What the webhook knows of the cluster: Namespaces, Nodes and Pods from seed manifests and
 * from every admission request it sees (dryRun requests teach nothing: nothing was
 * persisted). In a cluster, Namespaces (and Nodes when a policy needs them) also come from
 * a list+watch of the API server (src/adapters/kube/cluster-sync.ts), which replaces what
 * requests taught: every replica then judges with the same, persisted, labels. Pods are
 * still only those seen, which is why the namespace pod check says "as far as the server knows".
 */
import type { Labels } from "../k8s/labels.js";
import type { K8sObject } from "../k8s/types.js";
import { automaticNamespaceLabels } from "../k8s/snapshot.js";
import type { ClusterView } from "./policy.js";
import type { AdmissionRequest } from "./review.js";

export class ClusterState implements ClusterView {
  /** Namespace labels with kubernetes.io/metadata.name, computed once per change (hot path). */
  private readonly namespaces = new Map<string, Labels>();
  private readonly nodes = new Map<string, K8sObject>();
  private readonly pods = new Map<string, Map<string, K8sObject>>();
  /** Set once the API server has listed the namespaces: from then on, an unknown name does not exist. */
  private namespacesListed = false;

  /** Seed from manifests (e.g. `kubectl get ns,nodes,pods -A -o yaml`). */
  seed(objects: Iterable<K8sObject>): void {
    for (const object of objects) this.remember(object);
  }

  remember(object: K8sObject): void {
    const name = object.metadata?.name;
    if (!name || (object.apiVersion ?? "v1") !== "v1") return;
    if (object.kind === "Namespace") this.namespaces.set(name, { ...(object.metadata?.labels ?? {}), ...automaticNamespaceLabels(name) });
    else if (object.kind === "Node") this.nodes.set(name, object);
    else if (object.kind === "Pod") {
      const namespace = object.metadata?.namespace ?? "default";
      let pods = this.pods.get(namespace);
      if (!pods) this.pods.set(namespace, (pods = new Map()));
      pods.set(name, object);
    }
  }

  /**
   * Everything the API server listed of a kind: what is not in the list is gone (deleted
   * while we were not watching, or a CREATE we admitted that a later webhook refused).
   */
  replaceAll(kind: "Namespace" | "Node", objects: Iterable<K8sObject>): void {
    const previous = kind === "Namespace" ? new Set(this.namespaces.keys()) : new Set(this.nodes.keys());
    if (kind === "Namespace") this.namespacesListed = true;
    if (kind === "Namespace") this.namespaces.clear();
    else this.nodes.clear();
    for (const object of objects) this.remember({ ...object, kind, apiVersion: "v1" });
    for (const name of previous) {
      if (kind === "Namespace" && !this.namespaces.has(name)) this.pods.delete(name);
    }
  }

  forget(kind: string, namespace: string, name: string): void {
    if (kind === "Namespace") {
      this.namespaces.delete(name);
      this.pods.delete(name);
    } else if (kind === "Node") this.nodes.delete(name);
    else if (kind === "Pod") this.pods.get(namespace)?.delete(name);
  }

  /**
   * Learn from an admission request (only persisted, i.e. non-dry-run, main-resource requests).
   * The request's object is kept as is, not copied: it was parsed for this request alone.
   */
  observe(request: AdmissionRequest): void {
    if (request.dryRun || request.subResource !== "" || request.resource.group !== "") return;
    const kind = { namespaces: "Namespace", nodes: "Node", pods: "Pod" }[request.resource.resource];
    if (!kind) return;
    if (request.operation === "DELETE") this.forget(kind, request.namespace, request.name);
    else if ((request.operation === "CREATE" || request.operation === "UPDATE") && request.object) {
      const object = request.object;
      object.metadata ??= {};
      if (!object.metadata.name && request.name) object.metadata.name = request.name;
      if (kind === "Pod" && !object.metadata.namespace) object.metadata.namespace = request.namespace;
      object.kind = kind;
      object.apiVersion = "v1";
      this.remember(object);
    }
  }

  /** Add pods other processes have seen in a namespace (those seen here win). */
  mergePods(namespace: string, pods: readonly K8sObject[]): void {
    let known = this.pods.get(namespace);
    if (!known) this.pods.set(namespace, (known = new Map()));
    for (const pod of pods) {
      const name = pod.metadata?.name ?? "";
      if (!known.has(name)) known.set(name, pod);
    }
  }

  namespaceLabels(name: string): Labels | undefined {
    return this.namespaces.get(name);
  }

  namespacesComplete(): boolean {
    return this.namespacesListed;
  }

  namespaceNames(): string[] {
    return [...this.namespaces.keys()].sort();
  }

  podsInNamespace(namespace: string): readonly K8sObject[] {
    return [...(this.pods.get(namespace)?.values() ?? [])].sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  }

  node(name: string): K8sObject | undefined {
    return this.nodes.get(name);
  }
}
