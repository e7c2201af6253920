/**
 * A Service's ports as ValidateService judges them after SetDefaults_Service (an empty
 * protocol is TCP, an unset or zero targetPort is the port):
 *
 * - validateServicePort: a name when there are several ports, a DNS-1123 label, unique; the
 *   port in 1-65535; the protocol TCP, UDP or SCTP; the targetPort a port number or an
 *   IANA service name; an appProtocol a qualified name;
 * - a nodePort is forbidden in a ClusterIP Service;
 * - no two ports share a port number and protocol, nor a nodePort and protocol. For NodePort
 *   and LoadBalancer Services the node port allocator meets a repeated nodePort first and
 *   refuses it in words that depend on the cluster's node port range, so only the other
 *   types' repeats are reported here.
 */
import { dns1123LabelErrors, isDns1123Label } from "../k8s/dns-names.js";
import { isRecord } from "../k8s/types.js";
import { duplicate, invalid, notSupported, required, type ApiFieldError } from "./api-field-errors.js";
import { isQualifiedName, portNameErrors, qualifiedNameErrors } from "./api-name-formats.js";
import { textOf } from "./refused-service-ips.js";

const PROTOCOLS = ["SCTP", "TCP", "UDP"] as const;
const PORT_RANGE = "must be between 1 and 65535, inclusive";
const NAME_TODO = "name each port uniquely, with lowercase letters, digits and '-' (at most 63, starting and ending with a letter or digit); a Service of several ports needs every name";

/** A port as Go decodes and v1 defaulting completes it; a field that does not decode is undefined (manifest/wrong-type's to report). */
interface ServicePort {
  index: number;
  name: string | undefined;
  port: number | undefined;
  protocol: string | undefined;
  targetPort: number | string | undefined;
  /** Whether targetPort was written: a defaulted one is the port's value, found at the port. */
  targetPortWritten: boolean;
  nodePort: number | undefined;
  appProtocol: string | null | undefined;
}

/** spec.ports as Go decodes it, or undefined when the list itself does not decode. */
export function servicePorts(value: unknown): ServicePort[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return undefined;
  const ports: ServicePort[] = [];
  value.forEach((item: unknown, index) => {
    const port = item === null ? {} : item;
    if (!isRecord(port)) return;
    const number = int32Of(port.port);
    const written = port.targetPort;
    const target = typeof written === "string" ? written : int32Of(written);
    const protocol = textOf(port.protocol);
    const appProtocol = port.appProtocol;
    ports.push({
      index,
      name: textOf(port.name),
      port: number,
      protocol: protocol === "" ? "TCP" : protocol,
      targetPort: target === 0 || target === "" ? number : target,
      targetPortWritten: target !== 0 && target !== "",
      nodePort: int32Of(port.nodePort),
      appProtocol: appProtocol === undefined || appProtocol === null ? null : typeof appProtocol === "string" ? appProtocol : undefined,
    });
  });
  return ports;
}

/** validateServicePort for each port, names compared across them. */
export function servicePortRefusals(ports: readonly ServicePort[], out: ApiFieldError[]): void {
  const requireName = ports.length > 1;
  let names: Set<string> | undefined;
  for (const port of ports) {
    const i = port.index;
    const name = port.name;
    if (requireName && name === "") out.push({ at: ["spec", "ports", i], text: required(`spec.ports[${i}].name`), todo: NAME_TODO });
    else if (name !== undefined && name !== "") {
      if (!isDns1123Label(name)) for (const message of dns1123LabelErrors(name)) out.push({ at: ["spec", "ports", i, "name"], text: invalid(`spec.ports[${i}].name`, name, message), todo: NAME_TODO });
      names ??= new Set();
      if (names.has(name)) out.push({ at: ["spec", "ports", i, "name"], text: duplicate(`spec.ports[${i}].name`, name), todo: NAME_TODO });
      else names.add(name);
    }
    if (port.port !== undefined && !isPortNumber(port.port)) {
      out.push({ at: ["spec", "ports", i, "port"], text: invalid(`spec.ports[${i}].port`, port.port, PORT_RANGE), todo: "give the port the Service listens on, from 1 to 65535" });
    }
    const protocol = port.protocol;
    if (protocol !== undefined && protocol !== "TCP" && protocol !== "UDP" && protocol !== "SCTP") {
      out.push({ at: ["spec", "ports", i, "protocol"], text: notSupported(`spec.ports[${i}].protocol`, protocol, PROTOCOLS), todo: "write the protocol in capitals: TCP, UDP or SCTP" });
    }
    targetPortRefusals(port, out);
    const appProtocol = port.appProtocol;
    if (typeof appProtocol === "string" && !isQualifiedName(appProtocol)) {
      for (const message of qualifiedNameErrors(appProtocol)) out.push({ at: ["spec", "ports", i, "appProtocol"], text: invalid(`spec.ports[${i}].appProtocol`, appProtocol, message), todo: "name the application protocol as [prefix/]name, e.g. http or kubernetes.io/h2c" });
    }
  }
}

/** ValidatePortNumOrName on the defaulted targetPort. */
function targetPortRefusals(port: ServicePort, out: ApiFieldError[]): void {
  const target = port.targetPort;
  const at = ["spec", "ports", port.index, port.targetPortWritten ? "targetPort" : "port"];
  const api = `spec.ports[${port.index}].targetPort`;
  if (typeof target === "number") {
    if (!isPortNumber(target)) out.push({ at, text: invalid(api, target, PORT_RANGE), todo: "give the pods' port, from 1 to 65535, or the name of a container port" });
  } else if (typeof target === "string") {
    for (const message of portNameErrors(target)) out.push({ at, text: invalid(api, target, message), todo: "name a container port (at most 15 lowercase letters, digits and '-', with a letter), or give its number unquoted" });
  }
}

/** The checks of ValidateService that compare ports with each other, and nodePorts with the type. */
export function portClashRefusals(ports: readonly ServicePort[], type: string, out: ApiFieldError[]): void {
  if (type === "ClusterIP") {
    for (const port of ports) {
      if (port.nodePort !== undefined && port.nodePort !== 0) {
        out.push({ at: ["spec", "ports", port.index, "nodePort"], text: `spec.ports[${port.index}].nodePort: Forbidden: may not be used when \`type\` is 'ClusterIP'`, todo: "drop nodePort, or make the Service type NodePort or LoadBalancer" });
      }
    }
  }
  if (ports.length < 2) return;
  if (type !== "NodePort" && type !== "LoadBalancer") {
    let nodePorts: Set<string> | undefined;
    for (const port of ports) {
      if (port.nodePort === undefined || port.nodePort === 0 || port.protocol === undefined) continue;
      const key = `${port.protocol}/${port.nodePort}`;
      nodePorts ??= new Set();
      if (nodePorts.has(key)) out.push({ at: ["spec", "ports", port.index, "nodePort"], text: `spec.ports[${port.index}].nodePort: Duplicate value: ${port.nodePort}`, todo: "give each port of a protocol its own nodePort" });
      else nodePorts.add(key);
    }
  }
  const seen = new Set<string>();
  for (const port of ports) {
    if (port.port === undefined || port.protocol === undefined) continue;
    const key = `${port.protocol}/${port.port}`;
    if (!seen.has(key)) {
      seen.add(key);
      continue;
    }
    // Upstream reports the (protocol, port) key as a core.ServicePort, which encoding/json prints with Go's field names in declaration order.
    const value = `{"Name":"","Protocol":${goJsonString(port.protocol)},"AppProtocol":null,"Port":${port.port},"TargetPort":0,"NodePort":0}`;
    out.push({ at: ["spec", "ports", port.index], text: `spec.ports[${port.index}]: Duplicate value: ${value}`, todo: "list each port number once per protocol" });
  }
}

/** A number encoding/json puts in an int32: absent and null are 0, anything else is the decoder's refusal (undefined). */
function int32Of(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  return typeof value === "number" && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? value : undefined;
}

function isPortNumber(value: number): boolean {
  return value >= 1 && value <= 65535;
}

/** encoding/json's string, with its HTML-safe escapes. */
function goJsonString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
