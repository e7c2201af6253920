/**
 * A pod spec's containers as ValidatePodSpec judges them (validateContainers,
 * validateInitContainers, validateEphemeralContainers, validateContainerCommon,
 * validateContainerPorts in pkg/apis/core/validation):
 *
 * - at least one container;
 * - each container's name given and a DNS-1123 label, unique among the regular containers,
 *   an init container's among the regular and earlier init ones (an unnamed init container
 *   is not counted), an ephemeral one's among them all;
 * - an image, in every kind of container and in templates too (upstream makes no exception);
 *   in a Pod, one without leading or trailing whitespace (validateContainerOnlyForPod, which
 *   ValidatePodCreate runs on every container and validateEphemeralContainers on each of
 *   those; a template is spared, and its controller's pods are refused instead);
 * - each port's name an IANA service name and unique in its container, its containerPort
 *   given and in 1-65535, a hostPort in 1-65535 when set, and its protocol TCP, UDP or
 *   SCTP (an empty one defaults to TCP).
 *
 * A value of another type than the API's is the decoder's refusal (manifest/wrong-type,
 * manifest/string-expected), so it is not judged again here.
 */
import { dns1123LabelErrors, isDns1123Label } from "../k8s/dns-names.js";
import { isRecord, type FieldPath } from "../k8s/types.js";
import { duplicate, invalid, notSupported, required, type ApiFieldError } from "./api-field-errors.js";
import { portNameErrors } from "./api-name-formats.js";
import { hasSurroundingGoSpace } from "./go-space.js";

const PROTOCOLS = ["SCTP", "TCP", "UDP"] as const;
const PORT_RANGE = "must be between 1 and 65535, inclusive";

const NAME_TODO = "name each container uniquely in the pod, with lowercase letters, digits and '-' (at most 63, starting and ending with a letter or digit)";
const PORT_NAME_TODO = "port names are at most 15 lowercase letters, digits and single '-', with at least one letter, unique in the container";

/**
 * `spec` is the pod spec at `at` in the manifest, which upstream names `apiPath`
 * (`spec.template.spec`); `forPod` when it is a Pod's own, which validation judges further.
 */
export function containerRefusals(spec: Record<string, unknown>, at: FieldPath, apiPath: string, forPod = false): ApiFieldError[] {
  const out: ApiFieldError[] = [];
  const regular = listOf(spec.containers);
  if (regular === undefined) return out;
  if (regular.length === 0) out.push({ at: [...at, "containers"], text: required(`${apiPath}.containers`), todo: "give the pod at least one container" });
  const init = listOf(spec.initContainers) ?? [];
  const ephemeral = listOf(spec.ephemeralContainers) ?? [];

  const regularNames = new Set<string>();
  regular.forEach((container, index) => {
    const where: Where = { at, apiPath, list: "containers", index, forPod };
    const name = judgeContainer(container, where, out);
    if (name === undefined) return;
    if (regularNames.has(name)) out.push(duplicateName(where, name));
    else regularNames.add(name);
  });
  if (init.length === 0 && ephemeral.length === 0) return out;
  const podNames = new Set(regularNames);
  init.forEach((container, index) => {
    const where: Where = { at, apiPath, list: "initContainers", index, forPod };
    const name = judgeContainer(container, where, out);
    if (name === undefined) return;
    if (podNames.has(name)) out.push(duplicateName(where, name));
    else if (name !== "") podNames.add(name);
  });
  ephemeral.forEach((container, index) => {
    const where: Where = { at, apiPath, list: "ephemeralContainers", index, forPod };
    const name = judgeContainer(container, where, out);
    if (name === undefined) return;
    if (podNames.has(name)) out.push(duplicateName(where, name));
    else podNames.add(name);
  });
  return out;
}

/** A container's place, turned into paths only for a refusal: the scan reads every container. */
interface Where {
  at: FieldPath;
  apiPath: string;
  list: string;
  index: number;
  forPod: boolean;
}

function pathOf(where: Where, ...rest: (string | number)[]): FieldPath {
  return [...where.at, where.list, where.index, ...rest];
}

function apiPathOf(where: Where, rest: string): string {
  return `${where.apiPath}.${where.list}[${where.index}]${rest}`;
}

/** The list as Go decodes it (absent and null are empty), or undefined when the decoder refuses it. */
function listOf(value: unknown): unknown[] | undefined {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : undefined;
}

function duplicateName(where: Where, name: string): ApiFieldError {
  return { at: pathOf(where, "name"), text: duplicate(apiPathOf(where, ".name"), name), todo: NAME_TODO };
}

/** validateContainerCommon's name, image and ports; the container's name as Go reads it, or undefined when it is not text. */
function judgeContainer(container: unknown, where: Where, out: ApiFieldError[]): string | undefined {
  if (container === null) container = {};
  if (!isRecord(container)) return undefined;
  const rawName = container.name ?? "";
  const name = typeof rawName === "string" ? rawName : undefined;
  if (name === "") out.push({ at: pathOf(where, "name"), text: required(apiPathOf(where, ".name")), todo: NAME_TODO });
  else if (name !== undefined && !isDns1123Label(name)) {
    for (const message of dns1123LabelErrors(name)) out.push({ at: pathOf(where, "name"), text: invalid(apiPathOf(where, ".name"), name, message), todo: NAME_TODO });
  }
  const image = container.image ?? "";
  if (image === "") out.push({ at: pathOf(where, "image"), text: required(apiPathOf(where, ".image")), todo: "give the container an image (templates need one too)" });
  else if (where.forPod && typeof image === "string" && hasSurroundingGoSpace(image)) {
    out.push({ at: pathOf(where, "image"), text: invalid(apiPathOf(where, ".image"), image, "must not have leading or trailing whitespace"), todo: "remove the spaces around the image" });
  }
  const ports = container.ports;
  if (Array.isArray(ports) && ports.length > 0) portRefusals(ports, where, out);
  return name;
}

function portRefusals(ports: unknown[], where: Where, out: ApiFieldError[]): void {
  let names: Set<string> | undefined;
  ports.forEach((port, index) => {
    if (port === null) port = {};
    if (!isRecord(port)) return;
    const here = () => pathOf(where, "ports", index);
    const api = (field: string) => apiPathOf(where, `.ports[${index}].${field}`);
    const name = port.name;
    if (typeof name === "string" && name !== "") {
      const errors = portNameErrors(name);
      for (const message of errors) out.push({ at: [...here(), "name"], text: invalid(api("name"), name, message), todo: PORT_NAME_TODO });
      if (errors.length === 0) {
        names ??= new Set();
        if (names.has(name)) out.push({ at: [...here(), "name"], text: duplicate(api("name"), name), todo: PORT_NAME_TODO });
        else names.add(name);
      }
    }
    const containerPort = port.containerPort ?? 0;
    if (containerPort === 0) out.push({ at: [...here(), "containerPort"], text: required(api("containerPort")), todo: "give the port's number as containerPort" });
    else if (isInt32(containerPort) && (containerPort < 1 || containerPort > 65535)) out.push({ at: [...here(), "containerPort"], text: invalid(api("containerPort"), containerPort, PORT_RANGE), todo: "use a port number from 1 to 65535" });
    const hostPort = port.hostPort;
    if (isInt32(hostPort) && hostPort !== 0 && (hostPort < 1 || hostPort > 65535)) out.push({ at: [...here(), "hostPort"], text: invalid(api("hostPort"), hostPort, PORT_RANGE), todo: "use a port number from 1 to 65535, or no hostPort" });
    const protocol = port.protocol;
    if (typeof protocol === "string" && protocol !== "" && protocol !== "TCP" && protocol !== "UDP" && protocol !== "SCTP") {
      out.push({ at: [...here(), "protocol"], text: notSupported(api("protocol"), protocol, PROTOCOLS), todo: "write the protocol in capitals: TCP, UDP or SCTP" });
    }
  });
}

/** A number the decoder puts in an int32; one past that range is its refusal, not validation's. */
function isInt32(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;
}
