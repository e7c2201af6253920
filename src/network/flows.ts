/**
 * The flows file `netpol generate` reads: the workloads (with the labels their pods carry)
 * and the connections seen between them and outside addresses. Everything the generated
 * policies carry verbatim is checked here, where a bad entry can still be named.
 */
import { UserError } from "../errors.js";
import { labelValueErrors, qualifiedNameErrors } from "../k8s/name-formats.js";
import { formatIp, parseIp } from "./cidr.js";
import type { PortProtocol } from "./ports.js";
import { isDns1123Label, isDns1123Subdomain } from "../k8s/dns-names.js";

export const FLOWS_FORMAT_HELP = `Flows file (JSON):
  {
    "workloads": [ { "namespace": "shop", "name": "frontend", "labels": { "app": "frontend" } }, ... ],
    "flows": [
      { "from": "shop/frontend", "to": "shop/backend", "port": 8080, "protocol": "TCP" },
      { "from": "shop/backend", "to": "10.20.0.5", "port": 5432 },
      { "from": "203.0.113.7", "to": "shop/frontend", "port": 443 }
    ]
  }
  from/to: NAMESPACE/NAME of a listed workload, or an IP address (outside the cluster).
  A flow from a workload to itself is between two of its pods (replicas); it is allowed too.
  protocol: TCP (default), UDP or SCTP. Namespaces are matched by kubernetes.io/metadata.name.
  A workload with "hostNetwork": true gets no policy (NetworkPolicy does not apply to it),
  and a flow to or from it cannot be written as a pod peer: it is refused.
  Every policy also allows DNS (UDP and TCP 53) to kube-system's k8s-app=kube-dns pods,
  unless --no-dns.`;

export interface FlowWorkload {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Its pods use the node's network: no NetworkPolicy selects them, no pod selector matches their traffic. */
  hostNetwork?: boolean;
}

export interface Flow {
  /** NAMESPACE/NAME of a listed workload, or an IP address in canonical form. */
  from: string;
  to: string;
  port: number;
  protocol: PortProtocol;
}

export interface Flows {
  workloads: FlowWorkload[];
  flows: Flow[];
}

function fail(file: string, message: string, hint: string): never {
  throw new UserError(`${file}: ${message}`, { hint });
}


function workloadProblem(w: FlowWorkload): { message: string; hint: string } | undefined {
  if (!isDns1123Label(w.namespace)) {
    return { message: `namespace ${JSON.stringify(w.namespace)} is not a valid namespace name`, hint: "a namespace is a lowercase RFC 1123 label: a-z, 0-9 and '-', at most 63 characters, starting and ending with a letter or digit" };
  }
  // The policy is named after the workload, so its name must be one the API server gives objects.
  if (!isDns1123Subdomain(w.name)) {
    return { message: `name ${JSON.stringify(w.name)} is not a valid object name`, hint: "give the workload's name as Kubernetes has it: a lowercase RFC 1123 subdomain (a-z, 0-9, '-' and '.'), at most 253 characters" };
  }
  for (const [key, value] of Object.entries(w.labels)) {
    const keyProblems = qualifiedNameErrors(key);
    if (keyProblems.length > 0) return { message: `label key ${JSON.stringify(key)}: ${keyProblems.join("; ")}`, hint: "give the labels the pods carry (kubectl get pods --show-labels)" };
    const valueProblems = labelValueErrors(value);
    if (valueProblems.length > 0) return { message: `label ${key}=${JSON.stringify(value)}: ${valueProblems.join("; ")}`, hint: "give the labels the pods carry (kubectl get pods --show-labels)" };
  }
  return undefined;
}

/**
 * An address as the API server wants it in an ipBlock: canonical (lowercase, compressed
 * IPv6; the strict CIDR validation of Kubernetes 1.33 warns on anything else), one spelling
 * per address so two spellings make one peer, and an IPv4-mapped IPv6 address as the IPv4
 * address it is. Undefined when the text is no address a policy can name.
 */
export function canonicalIp(text: string): string | undefined {
  if (text.includes("%")) return undefined; // a zone index names an interface, not an address
  const ip = parseIp(text);
  if (!ip) return undefined;
  const mapped = ip.family === 6 && ip.value >> 32n === 0xffffn;
  return mapped ? formatIp(4, ip.value & 0xffffffffn) : formatIp(ip.family, ip.value);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parseWorkload(w: unknown, i: number, file: string): FlowWorkload {
  const labels = isObj(w) ? w.labels : undefined;
  if (!isObj(w) || typeof w.namespace !== "string" || typeof w.name !== "string" || (labels !== undefined && (!isObj(labels) || Object.values(labels).some((v) => typeof v !== "string")))) {
    fail(file, `workloads[${i}]: expected {namespace, name, labels}`, "labels map label keys to string values");
  }
  if (w.hostNetwork !== undefined && typeof w.hostNetwork !== "boolean") fail(file, `workloads[${i}]: hostNetwork must be true or false`, "set it to true for pods with spec.hostNetwork");
  const workload: FlowWorkload = { namespace: w.namespace, name: w.name, labels: (labels ?? {}) as Record<string, string> };
  if (w.hostNetwork === true) workload.hostNetwork = true;
  // The policies carry these as they are: what the API server would refuse stops here, where it came from.
  const problem = workloadProblem(workload);
  if (problem) fail(file, `workloads[${i}] (${workload.namespace}/${workload.name}): ${problem.message}`, problem.hint);
  return workload;
}

/** Parse and check a flows file; every problem names the entry it is in. */
export function parseFlows(text: string, file = "<flows>"): Flows {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    fail(file, `not valid JSON (${(err as Error).message})`, "the flows file is JSON; see `palisade netpol generate --help`");
  }
  if (!isObj(data) || !Array.isArray(data.flows)) fail(file, "expected an object with a `flows` list", "see `palisade netpol generate --help`");
  const workloads: FlowWorkload[] = [];
  const known = new Map<string, number>();
  (Array.isArray(data.workloads) ? data.workloads : []).forEach((w: unknown, i) => {
    const workload = parseWorkload(w, i, file);
    const key = `${workload.namespace}/${workload.name}`;
    // Two entries for one workload would get two policies of one name, the second replacing the first.
    const first = known.get(key);
    if (first !== undefined) fail(file, `workloads[${i}]: ${key} is listed already (workloads[${first}])`, "list each workload once, with the labels its pods carry");
    known.set(key, i);
    workloads.push(workload);
  });
  const flows: Flow[] = [];
  (data.flows as unknown[]).forEach((f, i) => {
    if (!isObj(f) || typeof f.from !== "string" || typeof f.to !== "string") fail(file, `flows[${i}]: expected {from, to, port, protocol}`, "from and to are NAMESPACE/NAME or an IP");
    const ends = [f.from, f.to].map((end) => {
      if (known.has(end)) return { end, ip: false };
      const ip = canonicalIp(end);
      if (ip === undefined) fail(file, `flows[${i}]: ${JSON.stringify(end)} is neither a listed workload nor an IP address`, "list the workload under `workloads` with its labels; an address is written without a zone (%eth0) or shorthand");
      return { end: ip, ip: true };
    });
    if (ends[0]!.ip && ends[1]!.ip) fail(file, `flows[${i}]: both ends are outside the cluster`, "a NetworkPolicy only governs pods");
    const protocol = f.protocol ?? "TCP";
    if (protocol !== "TCP" && protocol !== "UDP" && protocol !== "SCTP") fail(file, `flows[${i}]: protocol ${JSON.stringify(protocol)}`, "expected TCP, UDP or SCTP");
    if (typeof f.port !== "number" || !Number.isInteger(f.port) || f.port < 1 || f.port > 65535) fail(file, `flows[${i}]: port must be an integer 1..65535`, "one flow per destination port");
    const hostEnd = [f.from, f.to].find((end) => workloads[known.get(end) ?? -1]?.hostNetwork);
    if (hostEnd !== undefined) {
      fail(file, `flows[${i}]: ${hostEnd} uses hostNetwork, and NetworkPolicy does not govern host-network pods (their traffic is the node's)`, "no pod selector matches its traffic; allow its nodes' addresses instead (a flow with the node IP as that end), or leave the flow out");
    }
    flows.push({ from: ends[0]!.end, to: ends[1]!.end, port: f.port, protocol });
  });
  return { workloads, flows };
}
