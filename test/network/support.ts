/** Helpers shared by the network tests: reading conformance resources and endpoints, linting a YAML text. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { loadSnapshot } from "../../src/k8s/load.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { lintContext, lintNetworkPolicies } from "../../src/network/lint.js";
import type { ContainerPort, Endpoint, PodEndpoint, Protocol } from "../../src/network/model.js";

/** Every object in a YAML/JSON file, with `*List` items flattened. */
export function readObjects(file: string): K8sObject[] {
  const out: K8sObject[] = [];
  const visit = (value: unknown): void => {
    if (!value || typeof value !== "object" || Array.isArray(value)) return;
    const object = value as K8sObject;
    if (typeof object.kind === "string" && object.kind.endsWith("List") && Array.isArray(object.items)) object.items.forEach(visit);
    else out.push(object);
  };
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) visit(doc.toJS());
  return out;
}

export function readPolicies(dir: string, files: string[]): K8sObject[] {
  return files.flatMap((f) => readObjects(join(dir, f)));
}

export interface ConformanceNamespace {
  name: string;
  labels: Record<string, string>;
}
export interface ConformancePod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ports?: { name?: string; port: number; protocol: string }[];
  workload?: string;
}

export function podEndpoints(namespaces: ConformanceNamespace[], pods: ConformancePod[]): Map<string, PodEndpoint> {
  const nsLabels = new Map(namespaces.map((n) => [n.name, n.labels]));
  return new Map(
    pods.map((p) => {
      const endpoint: PodEndpoint = {
        kind: "pod",
        namespace: p.namespace,
        name: p.name,
        labels: p.labels ?? {},
        namespaceLabels: nsLabels.get(p.namespace) ?? { "kubernetes.io/metadata.name": p.namespace },
        ips: [],
        ports: (p.ports ?? []).map((port) => {
          const cp: ContainerPort = { port: port.port, protocol: port.protocol as Protocol };
          if (port.name !== undefined) cp.name = port.name;
          return cp;
        }),
      };
      return [`${p.namespace}/${p.name}`, endpoint];
    }),
  );
}

export type ConformanceEndpoint = { namespace: string; pod: string } | { ip: string } | { ipRange: string };

export function resolveEndpoint(pods: Map<string, PodEndpoint>, ref: ConformanceEndpoint): Endpoint[] {
  if ("pod" in ref) {
    const pod = pods.get(`${ref.namespace}/${ref.pod}`);
    if (!pod) throw new Error(`no pod ${ref.namespace}/${ref.pod}`);
    return [pod];
  }
  if ("ip" in ref) return [{ kind: "external", ip: ref.ip }];
  const [first, last] = ref.ipRange.split("-") as [string, string];
  return [
    { kind: "external", ip: first },
    { kind: "external", ip: last },
  ];
}

/** `netpol lint` over a YAML text, as the loader reads stdin. */
/** Documents of one YAML stream. */
export const yamlDocs = (...parts: string[]) => parts.join("\n---\n");

/** A Deployment of one container `c` labelled app=<app>; `extra` goes first in the pod spec (e.g. "hostNetwork: true, "). */
export const deploymentYaml = (ns: string, app: string, options: { ports?: string; extra?: string } = {}) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${app}, namespace: ${ns} }
spec:
  selector: { matchLabels: { app: ${app} } }
  template:
    metadata: { labels: { app: ${app} } }
    spec: { ${options.extra ?? ""}containers: [{ name: c, image: i, ports: ${options.ports ?? "[{ name: http, containerPort: 8080 }]"} }] }
`;

/** A NetworkPolicy (or, with `apiVersion` and `kind`, a look-alike) with `spec` as written. */
export const policyYaml = (ns: string, name: string, spec: string, apiVersion = "networking.k8s.io/v1", kind = "NetworkPolicy") => `
apiVersion: ${apiVersion}
kind: ${kind}
metadata: { name: ${name}, namespace: ${ns} }
spec: ${spec}
`;

export async function lintYaml(yaml: string) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
  return lintNetworkPolicies(lintContext(snapshot));
}

/** Two pods in namespaces a and b: web (app=web, container port "http" 80) and client (app=client). */
export const WEB_AND_CLIENT_PODS = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
spec: {containers: [{name: c, image: x}]}
`;
