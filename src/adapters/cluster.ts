/**
 * A live cluster as scan input, read through kubectl: kubectl already knows every way a
 * kubeconfig can authenticate (client certificates, tokens, exec plugins for EKS, GKE and
 * AKS, OIDC, proxies), and the user's `--context`, `--kubeconfig`, `-n` and `-A` mean
 * exactly what they mean to kubectl. What comes back is a JSON List the loader reads as
 * it reads `kubectl get -o json > file.json`.
 */
import type * as ChildProcess from "node:child_process";
import { createRequire } from "node:module";
import { UserError } from "../errors.js";
import { liveSourceName, type K8sObject, type LoadProblem } from "../k8s/types.js";
import { isControlledBy, templateControllerUids } from "../k8s/workloads.js";
import { kubectlFailureLines } from "../k8s/kubectl-stderr.js";

export interface ClusterSource {
  /** kubeconfig context; kubectl's current context when absent. */
  context?: string;
  kubeconfig?: string;
  /** Only this namespace (kubectl get -n); the context's namespace when neither this nor allNamespaces. */
  namespace?: string;
  allNamespaces?: boolean;
  /** Only these of SCANNED_RESOURCES (a command that needs only RBAC reads only RBAC). */
  resources?: readonly string[];
  /** Also each node's kubelet configuration, through the API server's node proxy (`/configz`; needs nodes/proxy). */
  kubelets?: boolean;
  /**
   * Keep what controllers made (ReplicaSets, Jobs, pods): network answers fold them into
   * their controller themselves and need the pods' addresses. Judged by the rule families,
   * they would repeat their template's findings once per replica.
   */
  keepControlled?: boolean;
}

export interface ClusterRead {
  /** The name findings give as their file: `<cluster CONTEXT>`. */
  name: string;
  /** A JSON List of the objects the scan judges. */
  text: string;
  /** Resource types that could not be listed (forbidden, unavailable): the scan misses their objects. */
  problems: LoadProblem[];
  /** Objects left out because their controller is in the list too (a Deployment's ReplicaSets and pods). */
  controlled: number;
  /** The resource types asked for that the cluster serves: `problems` says which of them could not be listed. */
  listed: string[];
}

/** Gateway API: what the gateway rules and posture's exposure read. */
const GATEWAY_RESOURCES = [
  "gateways.gateway.networking.k8s.io",
  "httproutes.gateway.networking.k8s.io",
  "grpcroutes.gateway.networking.k8s.io",
  "tlsroutes.gateway.networking.k8s.io",
  "tcproutes.gateway.networking.k8s.io",
  "udproutes.gateway.networking.k8s.io",
  "referencegrants.gateway.networking.k8s.io",
  "listenersets.gateway.networking.k8s.io",
  "xlistenersets.gateway.networking.x-k8s.io",
];

/**
 * What the scan families judge, by kubectl's resource names. Secrets and ConfigMaps are
 * not read: no rule needs their data from a live cluster, and a scanner that never holds
 * it cannot leak it. Types the cluster does not serve (Calico, AdminNetworkPolicy) are
 * left out before the list is asked for.
 */
export const SCANNED_RESOURCES = [
  "namespaces",
  "nodes",
  "pods",
  "podtemplates",
  "replicationcontrollers",
  "services",
  "serviceaccounts",
  "persistentvolumeclaims",
  "resourcequotas",
  "limitranges",
  "deployments.apps",
  "replicasets.apps",
  "statefulsets.apps",
  "daemonsets.apps",
  "jobs.batch",
  "cronjobs.batch",
  "networkpolicies.networking.k8s.io",
  "ingresses.networking.k8s.io",
  // Which controller serves an Ingress, and so what its annotations mean (the ingress family).
  "ingressclasses.networking.k8s.io",
  "adminnetworkpolicies.policy.networking.k8s.io",
  "baselineadminnetworkpolicies.policy.networking.k8s.io",
  "clusternetworkpolicies.policy.networking.k8s.io",
  "roles.rbac.authorization.k8s.io",
  "rolebindings.rbac.authorization.k8s.io",
  "clusterroles.rbac.authorization.k8s.io",
  "clusterrolebindings.rbac.authorization.k8s.io",
  "validatingwebhookconfigurations.admissionregistration.k8s.io",
  "mutatingwebhookconfigurations.admissionregistration.k8s.io",
  "priorityclasses.scheduling.k8s.io",
  // A pending request for system:masters is one approval away from a cluster-admin credential.
  "certificatesigningrequests.certificates.k8s.io",
  "tiers.projectcalico.org",
  "networkpolicies.projectcalico.org",
  "stagednetworkpolicies.projectcalico.org",
  "globalnetworkpolicies.projectcalico.org",
  "stagedglobalnetworkpolicies.projectcalico.org",
  "networksets.projectcalico.org",
  "globalnetworksets.projectcalico.org",
  // Its spec.calicoVersion says how Felix breaks ties between equal-order policies (network/calico/ordering-choice.ts).
  "clusterinformations.projectcalico.org",
  ...GATEWAY_RESOURCES,
];

/** What RBAC answers need: every role and binding, and the service accounts and namespaces they name. */
export const RBAC_RESOURCES = [
  "namespaces",
  "serviceaccounts",
  "roles.rbac.authorization.k8s.io",
  "rolebindings.rbac.authorization.k8s.io",
  "clusterroles.rbac.authorization.k8s.io",
  "clusterrolebindings.rbac.authorization.k8s.io",
];

/**
 * What network answers need: namespaces and their labels, workloads and pods, every kind
 * of policy, service accounts (Calico selects by their labels), and Services and the nodes'
 * addresses (explain --to svc/NAME, or a node port).
 */
export const NETWORK_RESOURCES = [
  ...SCANNED_RESOURCES.filter((resource) => /^(namespaces|nodes|serviceaccounts|services|pods|podtemplates|replicationcontrollers|(deployments|replicasets|statefulsets|daemonsets)\.apps|(jobs|cronjobs)\.batch|networkpolicies\..*|.*adminnetworkpolicies\..*|clusternetworkpolicies\..*|(tiers|networksets|(staged)?globalnetworkpolicies|stagednetworkpolicies|globalnetworksets|clusterinformations)\.projectcalico\.org)$/.test(resource)),
  // `explain --to svc/NAME`: the backends of a Service without a selector (the API server's own, `kubernetes`).
  "endpointslices.discovery.k8s.io",
];

/** A request that hangs (a cluster behind a VPN that is down) fails instead of holding the scan. */
const REQUEST_TIMEOUT = "60s";
/**
 * kubectl's output, at most: room for ~50,000 objects (~10 KB each as kubectl indents
 * them), and below the longest string V8 can make (2^29 - 24 characters), which a larger
 * output would fail on with no useful word.
 */
const MAX_OUTPUT_BYTES = 500 * 1024 * 1024;

export async function readCluster(source: ClusterSource): Promise<ClusterRead> {
  const connection = [...(source.kubeconfig ? ["--kubeconfig", source.kubeconfig] : []), ...(source.context ? ["--context", source.context] : []), `--request-timeout=${REQUEST_TIMEOUT}`];
  // Three look-ups that need not wait for one another (each is a kubectl process).
  const [context, served, namespace] = await Promise.all([
    source.context ?? currentContext(connection),
    servedResources(connection),
    // One namespace unless -A: the one named, else the context's, as kubectl get reads.
    source.allNamespaces ? undefined : (source.namespace ?? contextNamespace(connection)),
  ]);
  const name = liveSourceName(context);
  const wanted = (source.resources ?? SCANNED_RESOURCES).flatMap((resource) => (served.has(resource) ? [resource] : servedAsCrd(resource, served)));
  const scope = namespace === undefined ? ["--all-namespaces"] : ["--namespace", namespace];
  const listed = await kubectl(["get", wanted.join(","), "--output", "json", ...scope, ...connection]);
  // kubectl prints what it could list and exits 1 for what it could not: the first is the
  // scan's input, the second its problems.
  const list = parseList(listed.stdout);
  if (!list) throw clusterError("could not list the cluster's objects", listed.stderr);
  const problems = listed.failed ? kubectlFailureLines(listed.stderr, "kubectl get failed").map((line) => listProblem(name, line)) : [];
  // Namespaces are cluster-scoped, so kubectl lists them all; judged without their
  // quotas and workloads, which were not read, the others would look empty.
  const items = (list.filter((item) => item !== null && typeof item === "object") as LiveObject[]).filter((item) => namespace === undefined || item.kind !== "Namespace" || item.metadata?.name === namespace);
  const kept: unknown[] = source.keepControlled ? [...items] : withoutControlled(items);
  const controlled = items.length - kept.length;
  if (source.kubelets) {
    const nodes = items.filter((item) => item.kind === "Node" && typeof item.metadata?.name === "string").map((item) => item.metadata?.name as string);
    const configs = await kubeletConfigs(nodes, connection);
    kept.push(...configs.objects);
    problems.push(
      ...configs.failures.map((line) => ({ ...listProblem(name, line), hint: "the scan misses this node's kubelet: reading it needs get on nodes/proxy (kubectl auth can-i get nodes --subresource proxy), or leave out --kubelets" })),
    );
  }
  // Unindented: a third smaller than kubectl's text, and no line of it is shown to anyone.
  return { name, text: JSON.stringify({ apiVersion: "v1", kind: "List", items: kept }), problems, controlled, listed: wanted };
}

/** kubectl processes at once when each node's kubelet configuration is read. */
const KUBELET_READS_AT_ONCE = 8;

/**
 * Each node's kubelet configuration as the kubelet runs it (defaults applied), through the
 * API server's node proxy: `/configz` answers `{"kubeletconfig": {...}}`, judged as the
 * KubeletConfiguration file it came from, named after its node.
 */
async function kubeletConfigs(nodes: readonly string[], connection: string[]): Promise<{ objects: unknown[]; failures: string[] }> {
  const objects: unknown[] = [];
  const failures: Array<{ node: string; line: string }> = [];
  let next = 0;
  const worker = async () => {
    while (next < nodes.length) {
      const node = nodes[next++] as string;
      const read = await kubectl(["get", "--raw", `/api/v1/nodes/${encodeURIComponent(node)}/proxy/configz`, ...connection]);
      let config: unknown;
      try {
        config = read.failed ? undefined : (JSON.parse(read.stdout) as { kubeletconfig?: unknown }).kubeletconfig;
      } catch {
        config = undefined;
      }
      if (config !== null && typeof config === "object" && !Array.isArray(config)) {
        objects.push({ apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration", metadata: { name: node }, ...config });
      } else {
        failures.push({ node, line: `node ${node}'s kubelet configuration: ${kubectlFailureLines(read.stderr, "configz gave no kubeletconfig")[0]}` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(KUBELET_READS_AT_ONCE, nodes.length) }, worker));
  // In node order, whatever order the reads finished in.
  const order = new Map(nodes.map((node, i) => [node, i]));
  const rank = (object: unknown) => order.get((object as { metadata: { name: string } }).metadata.name) ?? 0;
  objects.sort((a, b) => rank(a) - rank(b));
  failures.sort((a, b) => (order.get(a.node) ?? 0) - (order.get(b.node) ?? 0));
  return { objects, failures: failures.map((failure) => failure.line) };
}

/**
 * Calico without its API server keeps policies in its own CRDs (crd.projectcalico.org/v1),
 * which the Calico family reads as it reads projectcalico.org/v3: read those then.
 */
function servedAsCrd(resource: string, served: ReadonlySet<string>): string[] {
  if (!resource.endsWith(".projectcalico.org")) return [];
  const crd = resource.replace(/\.projectcalico\.org$/, ".crd.projectcalico.org");
  return served.has(crd) ? [crd] : [];
}

/** The context kubectl uses when none is named, so that the report says which cluster it read. */
async function currentContext(connection: string[]): Promise<string | undefined> {
  const found = await kubectl(["config", "current-context", ...localOnly(connection)]);
  return found.stdout.trim() || undefined;
}

/** The namespace kubectl reads when none is named: the context's, else `default`. */
async function contextNamespace(connection: string[]): Promise<string> {
  const found = await kubectl(["config", "view", "--minify", "--output", "jsonpath={.contexts[0].context.namespace}", ...localOnly(connection)]);
  return found.stdout.trim() || "default";
}

/** The connection flags that kubectl config commands take (they make no request). */
function localOnly(connection: string[]): string[] {
  return connection.filter((arg) => !arg.startsWith("--request-timeout"));
}

/** Resource names the cluster serves, as `kubectl api-resources -o name` prints them. */
async function servedResources(connection: string[]): Promise<Set<string>> {
  const found = await kubectl(["api-resources", "--verbs=list", "--output", "name", ...connection]);
  // An aggregated API that is down (metrics.k8s.io) makes kubectl exit 1 after printing
  // every other group: only no answer at all is an error.
  const names = found.stdout.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  if (names.length === 0) throw clusterError("could not reach the cluster", found.stderr);
  return new Set(names);
}

interface LiveObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; uid?: string; ownerReferences?: Array<{ uid?: string; controller?: boolean }> };
}

/**
 * A Deployment's ReplicaSets and pods, a CronJob's Jobs and their pods: made from a
 * template that is judged already, and judged again they would repeat its every finding
 * once per replica. An object whose controller is not in the list (an operator's custom
 * resource, a Node for its static pods' mirrors) is kept: nothing else judges it.
 */
function withoutControlled(items: LiveObject[]): LiveObject[] {
  const uids = templateControllerUids(items as K8sObject[]);
  return items.filter((item) => !isControlledBy(item as K8sObject, uids));
}

function parseList(stdout: string): unknown[] | undefined {
  if (stdout.trim() === "") return undefined;
  try {
    const value = JSON.parse(stdout) as { items?: unknown };
    return Array.isArray(value.items) ? value.items : undefined;
  } catch {
    return undefined;
  }
}

function listProblem(file: string, line: string): LoadProblem {
  const forbidden = /forbidden/i.test(line);
  return {
    kind: "unreadable",
    message: `kubectl: ${line.replace(/^error: /, "")}`,
    position: { file, line: 1, column: 1 },
    hint: forbidden
      ? "the scan misses these objects: grant list on them (kubectl auth can-i list RESOURCE), or scan with a user who may"
      : "the scan misses these objects; run the same kubectl get to see why",
  };
}

function clusterError(what: string, stderr: string): UserError {
  const reason = kubectlFailureLines(stderr, "kubectl gave no reason")[0];
  return new UserError(`${what}: ${reason}`, { hint: "check that `kubectl get namespaces` works with the same --context and --kubeconfig" });
}

interface Output {
  stdout: string;
  stderr: string;
  /** kubectl exited with an error: what it printed may be partial. */
  failed: boolean;
}

function kubectl(args: string[]): Promise<Output> {
  // Required here, not imported: node:child_process costs every scan ~5 ms to load.
  const { execFile } = createRequire(import.meta.url)("node:child_process") as typeof ChildProcess;
  return new Promise((resolve, reject) => {
    execFile("kubectl", args, { maxBuffer: MAX_OUTPUT_BYTES, encoding: "utf8" }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (e && e.code === "ENOENT") {
        reject(new UserError("cannot scan a cluster: kubectl is not installed", { hint: "install kubectl, or save the objects and scan the file: `kubectl get pods,deployments -A -o json > cluster.json`" }));
      } else if (e && e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
        reject(new UserError("the cluster's objects are more than 500 MiB of JSON", { hint: "scan it a namespace at a time (-n NAMESPACE)" }));
      } else {
        resolve({ stdout, stderr, failed: e !== null });
      }
    });
  });
}
