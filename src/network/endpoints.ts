/**
 * Pod endpoints from a Snapshot: one representative pod per workload (Deployment,
 * StatefulSet, DaemonSet, Job, CronJob, ReplicaSet..., or a bare Pod), named after the
 * workload, with its template's labels and container ports; objects a controller in the
 * input owns (a Deployment's ReplicaSets and their Pods, a CronJob's Jobs) are folded into
 * the topmost one's workload, which keeps their Pods' names and IPs. Namespaces come from
 * Namespace objects or are implied by the objects in them, and always carry
 * kubernetes.io/metadata.name.
 */
import { automaticNamespaceLabels, namespaceLabels, type Snapshot } from "../k8s/snapshot.js";
import { detached, isRecord, namespaceAnchor, slimmed, type K8sObject, type LoadedObject } from "../k8s/types.js";
import { podServiceAccountName } from "../k8s/service-accounts.js";
import { controllerOf, isFinishedPod, podTemplate } from "../k8s/workloads.js";
import type { ContainerPort, PodEndpoint, Protocol } from "./model.js";
import { controllingRoot, objectKey } from "./owners.js";
import { PORT_PROTOCOLS } from "./ports.js";

export interface WorkloadEndpoint {
  endpoint: PodEndpoint;
  /** The object the representative pod came from. */
  source: LoadedObject;
  /** Names of Pod objects folded into this workload (for `--from ns/pod-name`). */
  podNames: string[];
  /** Every other object folded into it (its ReplicaSets, Jobs and Pods), for whoever places their findings. */
  folded: Array<{ kind: string; name: string }>;
}

export interface Endpoints {
  workloads: WorkloadEndpoint[];
  /** Every namespace seen, with its labels. */
  namespaces: Map<string, Record<string, string>>;
  /** For each namespace, the `namespace:` field of its first workload: where a finding about a namespace with no Namespace object points. */
  namespaceAnchors?: Map<string, LoadedObject>;
}

/** A field read the way Go's JSON decoder does: exact name first, then case-insensitively. */
function field(record: Record<string, unknown>, name: string): unknown {
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

export function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  // Kept for every workload until the scan ends: copies, not views of their files' texts.
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[detached(k)] = detached(v);
  return out;
}

function isContainerPortNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function isPortProtocol(value: unknown): value is Protocol {
  return (PORT_PROTOCOLS as readonly unknown[]).includes(value);
}

export function containerPorts(spec: Record<string, unknown>): ContainerPort[] {
  const ports: ContainerPort[] = [];
  const containers = [
    ...(Array.isArray(spec.containers) ? spec.containers : []),
    // Sidecars (restartable init containers) serve like regular containers.
    ...(Array.isArray(spec.initContainers) ? spec.initContainers.filter((c: unknown) => isRecord(c) && c.restartPolicy === "Always") : []),
  ];
  for (const container of containers) {
    if (!isRecord(container) || !Array.isArray(container.ports)) continue;
    for (const port of container.ports) {
      if (!isRecord(port)) continue;
      const number = field(port, "containerPort");
      const protocol = field(port, "protocol") ?? "TCP";
      // A port the API server refuses (0, 99999, 1.5, "tcp") never exists to be reached: left
      // out, not turned into a range such as 99999-65535. `scan` reports the object as refused.
      if (!isContainerPortNumber(number) || !isPortProtocol(protocol)) continue;
      const entry: ContainerPort = { port: number, protocol };
      const name = field(port, "name");
      if (typeof name === "string") entry.name = detached(name);
      ports.push(entry);
    }
  }
  return ports;
}

export function podIps(object: K8sObject): string[] {
  // A finished pod's addresses are released: a running pod may hold them now.
  if (isFinishedPod(object)) return [];
  const status = isRecord(object.status) ? object.status : {};
  const ips = Array.isArray(status.podIPs) ? status.podIPs.map((p: unknown) => (isRecord(p) && typeof p.ip === "string" ? p.ip : undefined)).filter((ip): ip is string => ip !== undefined) : [];
  if (ips.length === 0 && typeof status.podIP === "string") ips.push(status.podIP);
  return ips;
}

/**
 * KubeVirt VirtualMachines run a virt-launcher pod with the template's labels; they
 * declare no container ports.
 */
function virtualMachineTemplate(object: K8sObject): { metadata: Record<string, unknown>; spec: Record<string, unknown> } | undefined {
  if (object.kind !== "VirtualMachine" || !object.apiVersion?.startsWith("kubevirt.io/")) return undefined;
  const spec = isRecord(object.spec) ? object.spec : {};
  const template = isRecord(spec.template) ? spec.template : {};
  return { metadata: isRecord(template.metadata) ? template.metadata : {}, spec: {} };
}


/** Kept for every workload until the scan ends: copies, not views of their files' texts. */
function detachedOwner(owner: { kind: string; name: string } | undefined): { kind: string; name: string } | undefined {
  return owner && { kind: detached(owner.kind), name: detached(owner.name) };
}

/**
 * Labels a controller puts on the pods it makes (pod-template-hash, the StatefulSet's pod
 * name, the Job's names and index...), which its template does not carry: a pod differs from
 * its workload only by labels other than these.
 */
const CONTROLLER_LABELS = new Set([
  "pod-template-hash",
  "controller-revision-hash",
  "pod-template-generation",
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
  "controller-uid",
  "job-name",
  "batch.kubernetes.io/controller-uid",
  "batch.kubernetes.io/job-name",
  "batch.kubernetes.io/job-completion-index",
]);

function ownLabels(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).filter(([key]) => !CONTROLLER_LABELS.has(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Whether a Pod folded into a workload is no longer one of its like: labels of its own (a
 * `kubectl label pod ... quarantine=true` during an incident), other container ports or
 * another network. Policies select each pod by its own labels, so such a pod is judged apart.
 */
function departsFrom(endpoint: PodEndpoint, pod: Candidate): boolean {
  return ownLabels(endpoint.labels) !== ownLabels(pod.labels) || JSON.stringify(endpoint.ports) !== JSON.stringify(pod.ports) || (endpoint.hostNetwork === true) !== pod.hostNetwork;
}

/** Workload endpoints of a snapshot, in the order their objects were loaded. */
export function buildEndpoints(snapshot: Snapshot): Endpoints {
  const builder = new EndpointsBuilder(namespaceLabels(snapshot));
  for (const loaded of snapshot.objects) builder.add(loaded);
  return builder.build();
}

/** What one object with a pod template contributes, read while its tree is at hand. */
interface Candidate {
  source: LoadedObject;
  namespace: string;
  kind: string;
  name: string;
  owner: { kind: string; name: string } | undefined;
  podName: string | undefined;
  ips: string[];
  labels: Record<string, string>;
  ports: ContainerPort[];
  serviceAccount: string;
  hostNetwork: boolean;
}

/**
 * Endpoints built one object at a time, so a streaming scan can drop each object's tree
 * once it has been added (`slim` keeps only what a finding needs of it: its reference and
 * where its fields are). Which Pods fold into a controller is settled in `build`, when
 * every object is known.
 */
export class EndpointsBuilder {
  private readonly candidates: Candidate[] = [];
  private readonly namespaceAnchors = new Map<string, LoadedObject>();

  constructor(
    private readonly namespaceLabels: ReadonlyMap<string, Record<string, string>>,
    private readonly slim = false,
  ) {}

  add(loaded: LoadedObject): void {
    const { object } = loaded;
    const template = podTemplate(object) ?? (virtualMachineTemplate(object) ? { pod: virtualMachineTemplate(object)! } : undefined);
    if (!template) return;
    const spec = template.pod.spec as Record<string, unknown>;
    const namespace = object.metadata?.namespace ?? "default";
    // Once per namespace, while the object's positions are still at hand.
    if (!this.namespaceAnchors.has(namespace)) this.namespaceAnchors.set(detached(namespace), namespaceAnchor(loaded));
    this.candidates.push({
      source: this.slim ? slimmed(loaded) : loaded,
      namespace: detached(namespace),
      kind: detached(object.kind ?? "Pod"),
      name: detached(object.metadata?.name ?? object.metadata?.generateName ?? "(unnamed)"),
      owner: detachedOwner(controllerOf(object)),
      podName: object.kind === "Pod" && object.metadata?.name ? detached(object.metadata.name) : undefined,
      ips: podIps(object).map(detached),
      labels: stringRecord(template.pod.metadata.labels),
      ports: containerPorts(spec),
      serviceAccount: detached(podServiceAccountName(spec)),
      hostNetwork: spec.hostNetwork === true,
    });
  }

  build(): Endpoints {
    const namespaces = new Map<string, Record<string, string>>();
    for (const [name, labels] of this.namespaceLabels) namespaces.set(name, { ...labels });
    const workloads: WorkloadEndpoint[] = [];
    const byKey = new Map<string, WorkloadEndpoint>();
    // Only controllers that make pods from a template (the candidates) take in what they own.
    const present = new Map(this.candidates.map((c) => [objectKey(c.namespace, c.kind, c.name), c]));
    const roots = this.candidates.map((c) => controllingRoot(c, present));
    const keyOf = (root: Candidate): { key: string; kind: string; name: string } => {
      // A Pod whose controller is not in the input stands for that controller (its ReplicaSet, say).
      const { kind, name } = root.kind === "Pod" && root.owner ? root.owner : root;
      return { key: `${root.namespace}/${name}[${kind}]`, kind, name };
    };
    const addPods = (workload: WorkloadEndpoint, c: Candidate): void => {
      if (c.podName) workload.podNames.push(c.podName);
      if (c.kind === "Pod") for (const ip of c.ips) workload.endpoint.ips.push(ip);
    };
    // A Pod that departs from the workload it belongs to is an endpoint of its own, named after itself.
    const foldOrSplit = (workload: WorkloadEndpoint, c: Candidate, owned: boolean): void => {
      if (c.kind === "Pod" && workload.endpoint.workload !== `Pod/${c.name}` && departsFrom(workload.endpoint, c)) {
        const key = `${c.namespace}/${c.name}[Pod]`;
        // The same Pod given twice is one pod.
        if (!byKey.has(key)) add(c, { key, kind: "Pod", name: c.name });
        return;
      }
      addPods(workload, c);
      if (owned) workload.folded.push({ kind: c.kind, name: c.name });
    };
    const add = (c: Candidate, { key, kind, name }: { key: string; kind: string; name: string }): void => {
      if (!namespaces.has(c.namespace)) namespaces.set(c.namespace, automaticNamespaceLabels(c.namespace));
      const endpoint: PodEndpoint = {
        kind: "pod",
        namespace: c.namespace,
        name,
        labels: c.labels,
        namespaceLabels: namespaces.get(c.namespace)!,
        ips: [],
        ports: c.ports,
        workload: `${kind}/${name}`,
        serviceAccount: c.serviceAccount,
      };
      if (c.hostNetwork) endpoint.hostNetwork = true;
      const workload: WorkloadEndpoint = { endpoint, source: c.source, podNames: [], folded: [] };
      addPods(workload, c);
      byKey.set(key, workload);
      workloads.push(workload);
    };
    this.candidates.forEach((c, i) => {
      if (roots[i] !== c) return;
      const at = keyOf(c);
      const existing = byKey.get(at.key);
      if (existing) foldOrSplit(existing, c, false);
      else add(c, at);
    });
    // Owned objects after every root exists: a controller may come after what it owns.
    this.candidates.forEach((c, i) => {
      if (roots[i] !== c) foldOrSplit(byKey.get(keyOf(roots[i]!).key)!, c, true);
    });
    // Namespace labels may have been implied before the Namespace object was seen: relink.
    for (const w of workloads) w.endpoint.namespaceLabels = namespaces.get(w.endpoint.namespace)!;
    return { workloads, namespaces, namespaceAnchors: this.namespaceAnchors };
  }
}

/** Find a workload by `ns/name` (workload or pod name) or `name` in `defaultNamespace`. */
export function findWorkload(endpoints: Endpoints, reference: string, defaultNamespace = "default"): WorkloadEndpoint | undefined {
  const slash = reference.indexOf("/");
  const namespace = slash >= 0 ? reference.slice(0, slash) : defaultNamespace;
  const name = slash >= 0 ? reference.slice(slash + 1) : reference;
  const inNamespace = endpoints.workloads.filter((w) => w.endpoint.namespace === namespace);
  return inNamespace.find((w) => w.endpoint.name === name) ?? inNamespace.find((w) => w.podNames.includes(name));
}
