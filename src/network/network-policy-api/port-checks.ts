/**
 * Port checks the network-policy-api's policies share: port numbers, port ranges' bounds,
 * named ports (which the CRDs leave unchecked but a container port's name must pass), and
 * the egress rules' CEL rule that keeps named ports away from peers of addresses. The field
 * names differ (v1alpha1 `ports`/`namedPort`, v1alpha2 `protocols`/`destinationNamedPort`),
 * so callers pass them.
 */
import { isRecord, type FieldPath } from "../../k8s/types.js";
import { portNameErrors } from "../../k8s/name-formats.js";
import { isValidPortNumber } from "../networkpolicy/validate.js";
import { ACCEPTED, type Add } from "./selector-checks.js";

/** A port number field (`field` names it in the message): an integer from 1 to 65535. */
export function checkPortNumber(value: unknown, path: FieldPath, field: string, add: Add): void {
  if (!isValidPortNumber(value)) add(path, `Invalid value: ${JSON.stringify(value)}: ${field} must be an integer from 1 to 65535`);
}

/** A range's start and end, each required and a port number; true when both are. Whether start < end is the caller's, whose messages differ. */
export function checkPortBounds(range: Record<string, unknown>, path: FieldPath, add: Add): boolean {
  let bounds = true;
  for (const end of ["start", "end"] as const) {
    if (range[end] === undefined) add([...path, end], `Required value: ${end} is required`);
    else if (isValidPortNumber(range[end])) continue;
    else checkPortNumber(range[end], [...path, end], end, add);
    bounds = false;
  }
  return bounds;
}

/** A named port (`field` names it in the message), which must be a name some container port can have. */
export function checkNamedPort(name: unknown, path: FieldPath, field: string, add: Add): void {
  if (typeof name !== "string") return add(path, `Invalid value: ${JSON.stringify(name)}: ${field} must be a string`);
  const problems = portNameErrors(name);
  if (problems.length > 0) add(path, `Invalid value: ${JSON.stringify(name)}: ${ACCEPTED} no container port can have this name: ${problems.join("; ")}`);
}

/**
 * The egress rules' CEL rule: a named port belongs to a pod, so it cannot go with a peer of
 * addresses (`addressFields`, the egress peer fields of the kind that has them).
 */
export function checkNamedPortPeers(peers: unknown[], ports: unknown[], path: FieldPath, addressFields: readonly string[], namedPortField: string, add: Add): void {
  const hasAddressPeer = peers.some((peer) => isRecord(peer) && addressFields.some((key) => peer[key] !== undefined));
  const hasNamedPort = ports.some((port) => isRecord(port) && port[namedPortField] !== undefined);
  if (hasAddressPeer && hasNamedPort) {
    const which = addressFields.join("/");
    add(path, `Invalid value: "object": ${which} peer cannot be set with namedPorts since there are no namedPorts for ${which}`);
  }
}
