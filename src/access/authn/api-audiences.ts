/**
 * The audiences the API server accepts in a service-account token, read from the
 * kube-apiserver static pods of the input: --api-audiences, else (upstream's default)
 * its --service-account-issuer. A projected token for one of them authenticates to the API
 * like an automounted one; a token for any other audience does not. Undefined when the
 * input holds no kube-apiserver: then which audiences it accepts is unknown.
 */
import { controlPlaneContainers, listValue } from "../../hardening/flags.js";
import type { K8sObject } from "../../k8s/types.js";

export function apiServerAudiences(objects: ReadonlyArray<{ object: K8sObject }>): Set<string> | undefined {
  let audiences: Set<string> | undefined;
  for (const { object } of objects) {
    for (const container of controlPlaneContainers(object)) {
      if (container.component !== "kube-apiserver") continue;
      audiences ??= new Set();
      const listed = listValue(container.flags.get("api-audiences"));
      const own = listed.length > 0 ? listed : listValue(container.flags.get("service-account-issuer"));
      for (const audience of own) audiences.add(audience);
    }
  }
  return audiences;
}
