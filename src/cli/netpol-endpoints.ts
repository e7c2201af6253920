/**
 * `netpol explain`'s `--from` and `--to`: a workload or pod (`NAMESPACE/NAME`), an address,
 * or on the destination side a Service (`svc/NAME`, `NAMESPACE/svc/NAME`, one of its
 * addresses, or a node's address at one of its node ports), which stands for the backends
 * its proxy forwards to.
 */
import { UserError } from "../errors.js";
import type { LoadedObject } from "../k8s/types.js";
import { parseIp } from "../network/cidr.js";
import { findWorkload, type Endpoints } from "../network/endpoints.js";
import type { Endpoint, Protocol } from "../network/model.js";
import { entryOf, nodeAtAddress, routeThroughService, serviceAtAddress, serviceAtNodePort, type ServiceRoute, type ServiceView } from "../network/services.js";

/** kubectl's names for the Service resource, as `kubectl get svc/NAME` takes them. */
const SERVICE_WORDS = new Set(["svc", "service", "services"]);

export type Destination = { endpoint: Endpoint } | { route: ServiceRoute; address?: string };

/** `svc/NAME` or `NAMESPACE/svc/NAME`, as namespace and name; undefined for anything else. */
function serviceReference(text: string, namespace: string): { namespace: string; name: string } | undefined {
  const parts = text.split("/");
  if (parts.length === 2 && SERVICE_WORDS.has(parts[0]!.toLowerCase())) return { namespace, name: parts[1]! };
  if (parts.length === 3 && SERVICE_WORDS.has(parts[1]!.toLowerCase())) return { namespace: parts[0]!, name: parts[2]! };
  return undefined;
}

export function resolveSource(endpoints: Endpoints, services: readonly ServiceView[], text: string, namespace: string): Endpoint {
  // A namespace may be called svc: its workloads stay sources as svc/NAME.
  const reference = serviceReference(text, namespace) && !findWorkload(endpoints, text, namespace);
  const service = reference || (parseIp(text) && !podAt(endpoints, text) ? serviceAtAddress(services, text) : undefined);
  if (service) {
    throw new UserError(`--from ${text}: a Service is no source; connections come from pods`, { hint: "give the client: NAMESPACE/WORKLOAD, NAMESPACE/POD or an IP" });
  }
  return resolveEndpoint(endpoints, text, "--from", namespace);
}

export function resolveDestination(
  endpoints: Endpoints,
  services: readonly ServiceView[],
  objects: readonly LoadedObject[],
  text: string,
  namespace: string,
  asked: { protocol: Protocol; port?: number },
): Destination {
  const reference = serviceReference(text, namespace);
  if (reference) {
    if (reference.name === "") throw new UserError(`--to ${text}: no Service name after svc/`, { hint: "give svc/NAME (namespace from -n) or NAMESPACE/svc/NAME" });
    const service = services.find((s) => s.namespace === reference.namespace && s.name === reference.name);
    // A namespace may be called svc: its workloads stay reachable as svc/NAME.
    const workload = service ? undefined : findWorkload(endpoints, text, namespace);
    if (workload) return { endpoint: workload.endpoint };
    if (!service) {
      const known = services.filter((s) => s.namespace === reference.namespace).slice(0, 5).map((s) => `${s.namespace}/svc/${s.name}`);
      throw new UserError(`--to ${text}: no Service ${reference.name} in namespace ${reference.namespace} in the manifests`, { hint: known.length > 0 ? `e.g. ${known.join(", ")}` : "give the Service's manifest with the others, or -n for its namespace" });
    }
    return { route: routeThroughService(service, asked.protocol, asked.port, endpoints, objects) };
  }
  if (parseIp(text)) {
    // A node's address at a node port is the Service behind it, before any hostNetwork pod there.
    const node = nodeAtAddress(objects, text);
    const atNodePort = node === undefined ? undefined : serviceAtNodePort(services, asked.protocol, asked.port);
    if (atNodePort) return { route: routeThroughService(atNodePort, asked.protocol, asked.port, endpoints, objects, "node-port"), address: text };
    const service = podAt(endpoints, text) ? undefined : serviceAtAddress(services, text);
    if (service) return { route: routeThroughService(service, asked.protocol, asked.port, endpoints, objects, entryOf(service, text)), address: text };
  }
  return { endpoint: resolveEndpoint(endpoints, text, "--to", namespace) };
}

function podAt(endpoints: Endpoints, ip: string): Endpoint | undefined {
  return endpoints.workloads.find((w) => w.endpoint.ips.includes(ip))?.endpoint;
}

function resolveEndpoint(endpoints: Endpoints, text: string, flag: string, namespace: string): Endpoint {
  if (parseIp(text)) return podAt(endpoints, text) ?? { kind: "external", ip: text };
  const found = findWorkload(endpoints, text, namespace);
  if (!found) {
    const known = endpoints.workloads.slice(0, 5).map((w) => `${w.endpoint.namespace}/${w.endpoint.name}`);
    const services = flag === "--to" ? ", svc/NAME for a Service" : "";
    throw new UserError(`${flag} ${text}: no workload or pod of that name in the manifests`, { hint: `use NAMESPACE/NAME or an IP address${services}${known.length ? `; e.g. ${known.join(", ")}` : ""}` });
  }
  return found.endpoint;
}
