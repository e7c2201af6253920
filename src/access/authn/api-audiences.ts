/**
 * The audiences the API server accepts in a service-account token, read from the
 * kube-apiserver static pods of the input: --api-audiences, else (upstream's default)
 * every --service-account-issuer. A projected token for one of them authenticates to the API
 * like an automounted one; a token for any other audience does not. Undefined when the
 * input holds no kube-apiserver: then which audiences it accepts is unknown.
 */
import { controlPlaneContainers, listValue } from "../../hardening/flags.js";
import type { K8sObject } from "../../k8s/types.js";

/**
 * kube-apiserver's API audiences from its flags: --api-audiences, else every
 * --service-account-issuer, not only the first that signs (pkg/kubeapiserver/options/
 * authentication.go, ToAuthenticationConfig; the flag's help still says "the issuer URL",
 * from before several issuers were allowed). The one rule for the token authenticator
 * (serviceaccount.ts) and for this reading of manifests.
 */
export function effectiveApiAudiences(apiAudiences: readonly string[] | undefined, issuers: readonly string[]): string[] {
  return [...(apiAudiences && apiAudiences.length > 0 ? apiAudiences : issuers)];
}

export function apiServerAudiences(objects: ReadonlyArray<{ object: K8sObject }>): Set<string> | undefined {
  let audiences: Set<string> | undefined;
  for (const { object } of objects) {
    for (const container of controlPlaneContainers(object)) {
      if (container.component !== "kube-apiserver") continue;
      audiences ??= new Set();
      const own = effectiveApiAudiences(listValue(container.flags.get("api-audiences")), listValue(container.flags.get("service-account-issuer")));
      for (const audience of own) audiences.add(audience);
    }
  }
  return audiences;
}
