/**
 * The Services that traffic from outside the cluster is routed to: the backends of
 * Ingresses, and of Gateway API routes a Gateway accepts (gateway-api.ts says which, as
 * the specification attaches them); a route whose Gateway the input does not hold counts,
 * its text saying that the Gateway is assumed to accept it.
 */
import type { SourcePosition } from "../findings/types.js";
import { backendPermitted, readGatewayApi, serviceBackends, type Attachment, type GatewayRoute } from "./gateway-api.js";
import { ingressController, readIngressClasses } from "./ingress-class.js";
import { apiGroupOf } from "./snapshot.js";
import { isRecord, type K8sObject, type LoadedObject } from "./types.js";

/** How outside traffic reaches one Service, in words, and where that is written. */
export interface ServiceRoute {
  text: string;
  position: SourcePosition;
  /** The only addresses the route admits, when its controller narrows them (ingress-nginx's allow-list). */
  sourceRanges?: string[];
  /** The Gateways (`namespace/name`) it goes through, when every parent that accepts it is a Gateway in the input. */
  gateways?: string[];
}

/** Every Service outside traffic is routed to, by `namespace/name`; the first route found names it. */
export function routedServices(objects: readonly LoadedObject[]): Map<string, ServiceRoute> {
  const routed = new Map<string, ServiceRoute>();
  // One route names a Service: the first open to every address, else the first.
  const add = (key: string, route: ServiceRoute) => {
    const known = routed.get(key);
    if (!known || (known.sourceRanges && !route.sourceRanges)) routed.set(key, route);
  };
  const ingresses = objects.filter(({ object }) => object.kind === "Ingress" && apiGroupOf(object.apiVersion) === "networking.k8s.io");
  const classes = ingresses.length > 0 ? readIngressClasses(objects.map(({ object }) => object)) : undefined;
  for (const loaded of ingresses) {
    const ingress = loaded.object;
    const namespace = ingress.metadata?.namespace ?? "default";
    const ranges = classes && ingressController(ingress, classes).nginx ? ingressAllowList(ingress) : undefined;
    for (const name of ingressBackends(ingress)) add(`${namespace}/${name}`, { text: `an Ingress to Service ${name}`, position: loaded.source.position, ...(ranges ? { sourceRanges: ranges } : {}) });
  }
  const gatewayApi = readGatewayApi(objects);
  for (const route of gatewayApi.routes) {
    if (route.attachments.length === 0) continue;
    const through = route.attachments.map((a) => attachmentText(a, route)).join("; ");
    for (const backend of serviceBackends(route.loaded.object)) {
      if (!backendPermitted(gatewayApi, route.kind, route.namespace, backend)) continue;
      const service = backend.namespace === route.namespace ? `Service ${backend.name}` : `Service ${backend.namespace}/${backend.name}`;
      const gateways = route.attachments.every((a) => a.parent?.kind === "Gateway") ? route.attachments.map((a) => `${a.parent?.namespace}/${a.parent?.name}`) : undefined;
      add(`${backend.namespace}/${backend.name}`, { text: `${route.kind} ${route.name} (${through}) to ${service}`, position: route.loaded.source.locate(backend.path), ...(gateways ? { gateways } : {}) });
    }
  }
  return routed;
}

/** A parent the input holds by name; one it does not, or admits the route on labels no one can see, with the assumption said, so no reader takes it for the Gateway's verdict. */
function attachmentText({ label, parent, listeners, assumedAdmission }: Attachment, route: GatewayRoute): string {
  if (!parent) return `${label}: assumed to accept the route`;
  if (parent.gatewayNotInInput) return `${label}, whose Gateway ${parent.gatewayKey} is not in the input: assumed to admit it`;
  // Assumed only where no listener admits it by what the input shows.
  if (assumedAdmission && assumedAdmission.length === listeners.length) return `${label}, assumed to admit it: namespace ${route.namespace} is not in the input, and its listener selects namespaces by labels`;
  return label;
}

const ALLOW_LIST_ANNOTATIONS = ["nginx.ingress.kubernetes.io/allowlist-source-range", "nginx.ingress.kubernetes.io/whitelist-source-range"];

/**
 * ingress-nginx's allow-list annotation, for an Ingress that is ingress-nginx's (ingress-class.ts
 * says whose an Ingress is, as the ingress family does). Undefined when nothing narrows.
 */
function ingressAllowList(ingress: K8sObject): string[] | undefined {
  const annotations = ingress.metadata?.annotations ?? {};
  const list = ALLOW_LIST_ANNOTATIONS.map((name) => annotations[name]).find((value) => typeof value === "string");
  return list === undefined ? undefined : narrowingRanges(list.split(","));
}

/** Source ranges that narrow: some given, none of them every address (a /0). */
export function narrowingRanges(ranges: readonly string[]): string[] | undefined {
  const trimmed = ranges.map((r) => r.trim()).filter((r) => r !== "");
  if (trimmed.length === 0 || trimmed.some((r) => /\/0+$/.test(r))) return undefined;
  return trimmed;
}

function ingressBackends(ingress: K8sObject): string[] {
  const spec = isRecord(ingress.spec) ? ingress.spec : {};
  const names: string[] = [];
  const add = (backend: unknown) => {
    if (isRecord(backend) && isRecord(backend.service) && typeof backend.service.name === "string") names.push(backend.service.name);
  };
  add(spec.defaultBackend);
  for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
    const paths = isRecord(rule) && isRecord(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
    for (const path of paths) if (isRecord(path)) add(path.backend);
  }
  return names;
}

