/**
 * The egress peers of addresses that the network-policy-api's policies share: `networks`
 * (CIDRs, the CRDs' isCIDR() CEL rule) and `domainNames` (which resolve only at run time).
 * Both are lists the schema bounds in size and keeps as sets; the bound and the DomainName
 * pattern differ between the API versions, so callers pass them.
 */
import type { FieldPath } from "../../k8s/types.js";
import { isCelCidr } from "./cel-cidr.js";
import { ACCEPTED, type Add } from "./selector-checks.js";

/** A list the schema bounds in size and keeps as a set (x-kubernetes-list-type: set): no item twice. */
function checkStringSet(list: unknown, path: FieldPath, what: string, maxItems: number, add: Add): list is string[] {
  if (!Array.isArray(list) || list.length === 0 || list.length > maxItems) {
    add(path, `Invalid value: ${what} must list from 1 to ${maxItems} items`);
    return false;
  }
  let ok = true;
  list.forEach((item: unknown, i) => {
    if (typeof item !== "string") {
      add([...path, i], `Invalid value: ${JSON.stringify(item)}: must be a string`);
      ok = false;
    } else if (list.indexOf(item) !== i) {
      add([...path, i], `Duplicate value: ${JSON.stringify(item)}`);
      ok = false;
    }
  });
  return ok;
}

/** CIDR items: at most 43 bytes (the schema's maxLength) and passing CEL's isCIDR(). */
export function checkNetworks(networks: unknown, path: FieldPath, maxItems: number, add: Add): void {
  if (!checkStringSet(networks, path, "networks", maxItems, add)) return;
  networks.forEach((cidr, i) => {
    if (cidr.length > 43) add([...path, i], "Too long: may not be more than 43 bytes");
    else if (!isCelCidr(cidr)) add([...path, i], `Invalid value: ${JSON.stringify(cidr)}: Invalid CIDR format provided`);
  });
}

/** Names matching the CRD's DomainName `pattern`; even valid ones are refused, as Palisade cannot resolve them. */
export function checkDomainNames(names: unknown, path: FieldPath, pattern: RegExp, maxItems: number, add: Add): void {
  if (!checkStringSet(names, path, "domainNames", maxItems, add)) return;
  const invalid = names.map((name, i) => ({ name, i })).filter(({ name }) => !pattern.test(name));
  for (const { name, i } of invalid) add([...path, i], `Invalid value: ${JSON.stringify(name)}: should match the DomainName pattern (a DNS name, optionally starting with "*.")`);
  if (invalid.length === 0) add(path, `${ACCEPTED} the addresses a domain name stands for are known only at run time, so Palisade cannot evaluate a domainNames peer`);
}
