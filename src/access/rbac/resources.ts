/**
 * What kubectl learns from discovery, for the built-in resources: which API group serves
 * a resource, whether it is namespaced, and its short names. Used to turn `deploy` or
 * `deployments` into apps/deployments and to drop the namespace of cluster-scoped requests
 * offline. Resources not listed are taken as written (core group unless `resource.group`).
 */
import { UserError } from "../../errors.js";

interface KnownResource {
  group: string;
  namespaced: boolean;
  short?: string[];
  singular?: string;
}

const KNOWN: Record<string, KnownResource> = {
  pods: { group: "", namespaced: true, short: ["po"], singular: "pod" },
  services: { group: "", namespaced: true, short: ["svc"], singular: "service" },
  secrets: { group: "", namespaced: true, singular: "secret" },
  configmaps: { group: "", namespaced: true, short: ["cm"], singular: "configmap" },
  serviceaccounts: { group: "", namespaced: true, short: ["sa"], singular: "serviceaccount" },
  persistentvolumeclaims: { group: "", namespaced: true, short: ["pvc"], singular: "persistentvolumeclaim" },
  persistentvolumes: { group: "", namespaced: false, short: ["pv"], singular: "persistentvolume" },
  nodes: { group: "", namespaced: false, short: ["no"], singular: "node" },
  namespaces: { group: "", namespaced: false, short: ["ns"], singular: "namespace" },
  events: { group: "", namespaced: true, short: ["ev"], singular: "event" },
  endpoints: { group: "", namespaced: true, short: ["ep"] },
  replicationcontrollers: { group: "", namespaced: true, short: ["rc"], singular: "replicationcontroller" },
  resourcequotas: { group: "", namespaced: true, short: ["quota"], singular: "resourcequota" },
  limitranges: { group: "", namespaced: true, short: ["limits"], singular: "limitrange" },
  users: { group: "", namespaced: false, singular: "user" },
  groups: { group: "", namespaced: false, singular: "group" },
  deployments: { group: "apps", namespaced: true, short: ["deploy"], singular: "deployment" },
  daemonsets: { group: "apps", namespaced: true, short: ["ds"], singular: "daemonset" },
  statefulsets: { group: "apps", namespaced: true, short: ["sts"], singular: "statefulset" },
  replicasets: { group: "apps", namespaced: true, short: ["rs"], singular: "replicaset" },
  controllerrevisions: { group: "apps", namespaced: true },
  jobs: { group: "batch", namespaced: true, singular: "job" },
  cronjobs: { group: "batch", namespaced: true, short: ["cj"], singular: "cronjob" },
  horizontalpodautoscalers: { group: "autoscaling", namespaced: true, short: ["hpa"] },
  ingresses: { group: "networking.k8s.io", namespaced: true, short: ["ing"], singular: "ingress" },
  networkpolicies: { group: "networking.k8s.io", namespaced: true, short: ["netpol"], singular: "networkpolicy" },
  poddisruptionbudgets: { group: "policy", namespaced: true, short: ["pdb"] },
  roles: { group: "rbac.authorization.k8s.io", namespaced: true, singular: "role" },
  rolebindings: { group: "rbac.authorization.k8s.io", namespaced: true, singular: "rolebinding" },
  clusterroles: { group: "rbac.authorization.k8s.io", namespaced: false, singular: "clusterrole" },
  clusterrolebindings: { group: "rbac.authorization.k8s.io", namespaced: false, singular: "clusterrolebinding" },
  certificatesigningrequests: { group: "certificates.k8s.io", namespaced: false, short: ["csr"] },
  signers: { group: "certificates.k8s.io", namespaced: false },
  mutatingwebhookconfigurations: { group: "admissionregistration.k8s.io", namespaced: false },
  validatingwebhookconfigurations: { group: "admissionregistration.k8s.io", namespaced: false },
  validatingadmissionpolicies: { group: "admissionregistration.k8s.io", namespaced: false },
  validatingadmissionpolicybindings: { group: "admissionregistration.k8s.io", namespaced: false },
  customresourcedefinitions: { group: "apiextensions.k8s.io", namespaced: false, short: ["crd", "crds"] },
  storageclasses: { group: "storage.k8s.io", namespaced: false, short: ["sc"] },
  leases: { group: "coordination.k8s.io", namespaced: true },
  tokenreviews: { group: "authentication.k8s.io", namespaced: false },
  subjectaccessreviews: { group: "authorization.k8s.io", namespaced: false },
  selfsubjectaccessreviews: { group: "authorization.k8s.io", namespaced: false },
  userextras: { group: "authentication.k8s.io", namespaced: false },
  uids: { group: "authentication.k8s.io", namespaced: false },
  priorityclasses: { group: "scheduling.k8s.io", namespaced: false, short: ["pc"] },
  endpointslices: { group: "discovery.k8s.io", namespaced: true },
};

const ALIASES = new Map<string, string>();
for (const [plural, info] of Object.entries(KNOWN)) {
  for (const alias of [...(info.short ?? []), ...(info.singular ? [info.singular] : [])]) ALIASES.set(alias, plural);
}

export interface ResolvedResource {
  group: string;
  resource: string;
  subresource: string;
  /** undefined when the resource is not a known built-in. */
  namespaced: boolean | undefined;
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
    return { group: explicitGroup, resource: plural, subresource, namespaced: known && known.group === explicitGroup ? known.namespaced : undefined };
  }
  return { group: known?.group ?? "", resource: plural, subresource, namespaced: known?.namespaced };
}
