/**
 * `netpol matrix --services`: which workloads may use each Service port, read from the
 * connectivity matrix. A connection to a Service port is a connection to one of its
 * backends on the port it forwards to there (services.ts), so a workload may use the port
 * when the matrix lets it reach a backend on that port; the row says how many of the
 * backends do, since the proxy picks one at random.
 */
import { UserError } from "../errors.js";
import type { LoadedObject } from "../k8s/types.js";
import type { Endpoints } from "./endpoints.js";
import { evaluateConnection } from "./evaluate.js";
import type { Matrix } from "./matrix.js";
import { csvField, workloadLabel } from "./matrix-render.js";
import type { Endpoint, PodEndpoint, Protocol, Tier } from "./model.js";
import { describeEndpoint } from "./explain.js";
import { routeThroughService, type ServiceRoute, type ServiceView } from "./services.js";

export interface ServiceRow {
  from: string;
  /** `namespace/name` of the Service. */
  service: string;
  port: number;
  protocol: Protocol;
  /** The backends this workload may reach through the port, each on its target port (itself left out). */
  allowed: { endpoint: string; port: number }[];
  /** How many backends the port has besides the workload itself. */
  backends: number;
  /** A headless Service: DNS names its pods, and clients connect to them on the target port directly. */
  headless?: true;
}

export interface ServiceMatrix {
  /** The rows, made as they are read: a large cluster has more than memory holds at once. */
  rows(): Generator<ServiceRow>;
  /** Services no row can speak for, and why (an ExternalName, no selector and no endpoints in the input). */
  skipped: { service: string; reason: string }[];
}

/**
 * Every port of every Service, each with its route. A headless Service forwards nothing, but
 * its ports say where its pods serve (its EndpointSlices carry each port's target), so its
 * clients are taken to connect there.
 */
function serviceRoutes(services: readonly ServiceView[], endpoints: Endpoints, objects: readonly LoadedObject[], skipped: ServiceMatrix["skipped"]): ServiceRoute[] {
  const routes: ServiceRoute[] = [];
  for (const service of services) {
    if (service.externalName !== undefined) {
      skipped.push({ service: `${service.namespace}/${service.name}`, reason: `an ExternalName: DNS answers with ${service.externalName}, and no proxy forwards anything` });
      continue;
    }
    for (const port of service.ports) {
      try {
        const route = routeThroughService(service.headless ? { ...service, headless: false } : service, port.protocol, port.port, endpoints, objects);
        routes.push({ ...route, service });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        skipped.push({ service: `${service.namespace}/${service.name}`, reason: error.message });
        break;
      }
    }
  }
  return routes;
}

export function computeServiceMatrix(
  matrix: Matrix,
  tiers: readonly Tier[],
  services: readonly ServiceView[],
  endpoints: Endpoints,
  objects: readonly LoadedObject[],
  include: (pod: PodEndpoint, service?: ServiceView) => boolean = () => true,
): ServiceMatrix {
  const skipped: ServiceMatrix["skipped"] = [];
  const routes = serviceRoutes(services, endpoints, objects, skipped);
  const indexOf = new Map(matrix.pods.map((pod, i) => [pod, i]));
  function* rows(): Generator<ServiceRow> {
    for (const [i, source] of matrix.pods.entries()) {
      const from = workloadLabel(source);
      for (const route of routes) {
        if (!include(source, route.service)) continue;
        const servicePort = route.servicePort!;
        // A workload's connections to itself are not rows of the matrix, through a Service either.
        const others = route.backends.filter((backend) => backend.endpoint !== source);
        const allowed = others.filter((backend) => reaches(matrix, tiers, indexOf, i, source, backend.endpoint, servicePort.protocol, backend.port!));
        if (allowed.length === 0) continue;
        yield {
          from,
          service: `${route.service.namespace}/${route.service.name}`,
          port: servicePort.port,
          protocol: servicePort.protocol,
          allowed: allowed.map((b) => ({ endpoint: describeEndpoint(b.endpoint), port: b.port! })),
          backends: others.length,
          ...(route.service.headless ? { headless: true as const } : {}),
        };
      }
    }
  }
  return { rows, skipped };
}

/** Whether pod i may connect to `backend` on `port`: from the matrix for a pod, by evaluating the packet for an address outside it. */
function reaches(matrix: Matrix, tiers: readonly Tier[], indexOf: ReadonlyMap<PodEndpoint, number>, i: number, source: PodEndpoint, backend: Endpoint, protocol: Protocol, port: number): boolean {
  const j = backend.kind === "pod" ? indexOf.get(backend) : undefined;
  if (j !== undefined) return matrix.podToPod(i, j).has(protocol, port);
  return evaluateConnection(tiers, { src: source, dst: backend, protocol, port }).allowed;
}

export function* renderServiceMatrixText(rows: Iterable<ServiceRow>): Generator<string> {
  for (const r of rows) {
    const share = r.allowed.length === r.backends ? (r.backends === 1 ? "its backend" : `all ${r.backends} backends`) : `${r.allowed.length} of ${r.backends} backends`;
    yield `${r.from} => svc ${r.service} ${r.port}/${r.protocol}${r.headless ? " (headless)" : ""} : ${share} (${r.allowed.map((a) => `${a.endpoint} on ${a.port}`).join(", ")})\n`;
  }
}

export function* renderServiceMatrixCsv(rows: Iterable<ServiceRow>): Generator<string> {
  yield "from,service,port,allowed_backends,backends\n";
  for (const r of rows) yield `${csvField(r.from)},${csvField(r.service)},${r.port}/${r.protocol},${r.allowed.length},${r.backends}\n`;
}
