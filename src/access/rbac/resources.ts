/**
 * What kubectl learns from discovery, for the built-in resources of current Kubernetes
 * (every group kube-apiserver serves, alpha and beta included), plus the names RBAC
 * checks that discovery does not list (impersonation's users, groups, userextras and uids;
 * signers): which API group serves a resource, whether it is namespaced, and its short
 * names. Used to turn `deploy` or `csinodes` into apps/deployments or
 * storage.k8s.io/csinodes and to drop the namespace of cluster-scoped requests offline.
 */
import { UserError } from "../../errors.js";

interface KnownResource {
  group: string;
  namespaced: boolean;
  short?: string[];
}

const NS = true;
const CLUSTER = false;
const entry = (group: string, namespaced: boolean, short?: string[]): KnownResource => (short ? { group, namespaced, short } : { group, namespaced });

/** By plural name; where two groups serve one name (events), the one kubectl prefers, the core group. */
const KNOWN: Record<string, KnownResource> = {
  // core/v1
  bindings: entry("", NS),
  componentstatuses: entry("", CLUSTER, ["cs"]),
  configmaps: entry("", NS, ["cm"]),
  endpoints: entry("", NS, ["ep"]),
  events: entry("", NS, ["ev"]),
  limitranges: entry("", NS, ["limits"]),
  namespaces: entry("", CLUSTER, ["ns"]),
  nodes: entry("", CLUSTER, ["no"]),
  persistentvolumeclaims: entry("", NS, ["pvc"]),
  persistentvolumes: entry("", CLUSTER, ["pv"]),
  pods: entry("", NS, ["po"]),
  podtemplates: entry("", NS),
  replicationcontrollers: entry("", NS, ["rc"]),
  resourcequotas: entry("", NS, ["quota"]),
  secrets: entry("", NS),
  serviceaccounts: entry("", NS, ["sa"]),
  services: entry("", NS, ["svc"]),
  // Checked by the impersonation filter, never served.
  users: entry("", CLUSTER),
  groups: entry("", CLUSTER),
  userextras: entry("authentication.k8s.io", CLUSTER),
  uids: entry("authentication.k8s.io", CLUSTER),
  mutatingwebhookconfigurations: entry("admissionregistration.k8s.io", CLUSTER),
  validatingwebhookconfigurations: entry("admissionregistration.k8s.io", CLUSTER),
  validatingadmissionpolicies: entry("admissionregistration.k8s.io", CLUSTER),
  validatingadmissionpolicybindings: entry("admissionregistration.k8s.io", CLUSTER),
  mutatingadmissionpolicies: entry("admissionregistration.k8s.io", CLUSTER),
  mutatingadmissionpolicybindings: entry("admissionregistration.k8s.io", CLUSTER),
  customresourcedefinitions: entry("apiextensions.k8s.io", CLUSTER, ["crd", "crds"]),
  apiservices: entry("apiregistration.k8s.io", CLUSTER),
  controllerrevisions: entry("apps", NS),
  daemonsets: entry("apps", NS, ["ds"]),
  deployments: entry("apps", NS, ["deploy"]),
  replicasets: entry("apps", NS, ["rs"]),
  statefulsets: entry("apps", NS, ["sts"]),
  selfsubjectreviews: entry("authentication.k8s.io", CLUSTER),
  tokenreviews: entry("authentication.k8s.io", CLUSTER),
  localsubjectaccessreviews: entry("authorization.k8s.io", NS),
  selfsubjectaccessreviews: entry("authorization.k8s.io", CLUSTER),
  selfsubjectrulesreviews: entry("authorization.k8s.io", CLUSTER),
  subjectaccessreviews: entry("authorization.k8s.io", CLUSTER),
  horizontalpodautoscalers: entry("autoscaling", NS, ["hpa"]),
  cronjobs: entry("batch", NS, ["cj"]),
  jobs: entry("batch", NS),
  certificatesigningrequests: entry("certificates.k8s.io", CLUSTER, ["csr"]),
  clustertrustbundles: entry("certificates.k8s.io", CLUSTER),
  podcertificaterequests: entry("certificates.k8s.io", NS),
  // Checked by the CSR approval and signing paths, never served.
  signers: entry("certificates.k8s.io", CLUSTER),
  leases: entry("coordination.k8s.io", NS),
  leasecandidates: entry("coordination.k8s.io", NS),
  endpointslices: entry("discovery.k8s.io", NS),
  flowschemas: entry("flowcontrol.apiserver.k8s.io", CLUSTER),
  prioritylevelconfigurations: entry("flowcontrol.apiserver.k8s.io", CLUSTER),
  storageversions: entry("internal.apiserver.k8s.io", CLUSTER),
  ingressclasses: entry("networking.k8s.io", CLUSTER),
  ingresses: entry("networking.k8s.io", NS, ["ing"]),
  ipaddresses: entry("networking.k8s.io", CLUSTER, ["ip"]),
  networkpolicies: entry("networking.k8s.io", NS, ["netpol"]),
  servicecidrs: entry("networking.k8s.io", CLUSTER),
  runtimeclasses: entry("node.k8s.io", CLUSTER),
  poddisruptionbudgets: entry("policy", NS, ["pdb"]),
  clusterrolebindings: entry("rbac.authorization.k8s.io", CLUSTER),
  clusterroles: entry("rbac.authorization.k8s.io", CLUSTER),
  rolebindings: entry("rbac.authorization.k8s.io", NS),
  roles: entry("rbac.authorization.k8s.io", NS),
  deviceclasses: entry("resource.k8s.io", CLUSTER),
  devicetaintrules: entry("resource.k8s.io", CLUSTER),
  resourceclaims: entry("resource.k8s.io", NS),
  resourceclaimtemplates: entry("resource.k8s.io", NS),
  resourceslices: entry("resource.k8s.io", CLUSTER),
  priorityclasses: entry("scheduling.k8s.io", CLUSTER, ["pc"]),
  csidrivers: entry("storage.k8s.io", CLUSTER),
  csinodes: entry("storage.k8s.io", CLUSTER),
  csistoragecapacities: entry("storage.k8s.io", NS),
  storageclasses: entry("storage.k8s.io", CLUSTER, ["sc"]),
  volumeattachments: entry("storage.k8s.io", CLUSTER),
  volumeattributesclasses: entry("storage.k8s.io", CLUSTER, ["vac"]),
  storageversionmigrations: entry("storagemigration.k8s.io", CLUSTER),
};

/** Built-in resources a second group serves under a name KNOWN gives to another. */
const ALSO_SERVED: Record<string, KnownResource> = { "events.events.k8s.io": entry("events.k8s.io", NS) };

/** Discovery's singular name (the kind, lower-cased) from the plural. */
export function singularOf(plural: string): string {
  if (plural === "endpoints") return plural;
  if (plural.endsWith("ies")) return `${plural.slice(0, -3)}y`;
  if (plural.endsWith("sses") || plural.endsWith("uses")) return plural.slice(0, -2);
  return plural.endsWith("s") ? plural.slice(0, -1) : plural;
}

const ALIASES = new Map<string, string>();
for (const [plural, info] of Object.entries(KNOWN)) {
  for (const alias of [...(info.short ?? []), singularOf(plural)]) if (alias !== plural) ALIASES.set(alias, plural);
}

/** Every built-in resource the table knows, by plural name, with its group. */
export function builtInResources(): Array<{ resource: string; group: string; namespaced: boolean }> {
  return Object.entries(KNOWN).map(([resource, info]) => ({ resource, group: info.group, namespaced: info.namespaced }));
}

export interface ResolvedResource {
  group: string;
  resource: string;
  subresource: string;
  /** undefined when the resource is not a known built-in. */
  namespaced: boolean | undefined;
  /** Set when the resource is unknown and no group was given: the request went to the core group on a guess. */
  warning?: string;
}

/**
 * `RESOURCE[.GROUP][/SUBRESOURCE]` as kubectl auth can-i takes it: `pods`, `po/exec`,
 * `deployments.apps/scale`, `widgets.example.com`, `*`, `*.apps`.
 */
export function resolveResource(spec: string, subresourceFlag = ""): ResolvedResource {
  const slash = spec.indexOf("/");
  let head = slash >= 0 ? spec.slice(0, slash) : spec;
  let subresource = slash >= 0 ? spec.slice(slash + 1) : "";
  if (subresourceFlag) {
    if (subresource) throw new UserError(`resource ${spec} names a subresource and --subresource ${subresourceFlag} names another`, { hint: "give one of them" });
    subresource = subresourceFlag;
  }
  if (!head) throw new UserError(`resource ${JSON.stringify(spec)} is empty`, { hint: "e.g. pods, pods/exec, deployments.apps" });
  if (subresource.includes("/")) throw new UserError(`resource ${spec}: expected RESOURCE[.GROUP][/SUBRESOURCE]`);
  head = head.toLowerCase();
  const dot = head.indexOf(".");
  const name = dot >= 0 ? head.slice(0, dot) : head;
  const explicitGroup = dot >= 0 ? head.slice(dot + 1) : undefined;
  const plural = KNOWN[name] ? name : (ALIASES.get(name) ?? name);
  const known = KNOWN[plural];
  if (explicitGroup !== undefined) {
    const served = known?.group === explicitGroup ? known : ALSO_SERVED[`${plural}.${explicitGroup}`];
    return { group: explicitGroup, resource: plural, subresource, namespaced: served?.namespaced };
  }
  if (known) return { group: known.group, resource: plural, subresource, namespaced: known.namespaced };
  const result: ResolvedResource = { group: "", resource: plural, subresource, namespaced: undefined };
  // kubectl warns too (it asks discovery); "*" names every resource and needs no group.
  if (plural !== "*") {
    result.warning = `resource type ${JSON.stringify(plural)} is not a built-in Kubernetes resource; the answer is for it in the core API group (""). For a custom resource give its group: RESOURCE.GROUP, e.g. widgets.example.com`;
  }
  return result;
}
