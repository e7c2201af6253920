/**
 * Which ServiceAccount a pod runs as, and whether its containers carry a token for it
 * that the API server accepts. Read by RBAC (the tokens an attacker in a pod can take),
 * network (Calico selects by the account's labels) and posture.
 */
import { isRecord, type K8sObject } from "./types.js";

/** spec.serviceAccountName, else the deprecated spec.serviceAccount (the API server copies it over), else `default`. */
export function podServiceAccountName(spec: Record<string, unknown>): string {
  if (typeof spec.serviceAccountName === "string" && spec.serviceAccountName) return spec.serviceAccountName;
  if (typeof spec.serviceAccount === "string" && spec.serviceAccount) return spec.serviceAccount;
  return "default";
}

/** How the pods carry the account's token, if they do. */
export type TokenMount =
  | { mounted: false; audiences: string[] }
  | { mounted: true; how: "automount" | "projected"; podPath: Array<string | number> };

/**
 * Whether the pods carry a token the API server accepts: automounted (the pod's field wins
 * over the account's; both default to yes), or a projected serviceAccountToken volume
 * whose audience is left to the API server's own. A projected token for another audience
 * (a vault, a cloud) is not accepted by the API server: it is listed, not counted.
 * `apiAudiences`: the API server's own audiences, when known (kube-apiserver --api-audiences).
 */
export function tokenMount(podSpec: Record<string, unknown>, account: K8sObject | undefined, apiAudiences: ReadonlySet<string> = new Set()): TokenMount {
  const own = typeof podSpec.automountServiceAccountToken === "boolean" ? podSpec.automountServiceAccountToken : account?.automountServiceAccountToken;
  if (own !== false) return { mounted: true, how: "automount", podPath: ["spec", "automountServiceAccountToken"] };
  const audiences: string[] = [];
  const volumes: unknown[] = Array.isArray(podSpec.volumes) ? podSpec.volumes : [];
  for (let v = 0; v < volumes.length; v++) {
    const volume = volumes[v];
    const sources: unknown[] = isRecord(volume) && isRecord(volume.projected) && Array.isArray(volume.projected.sources) ? volume.projected.sources : [];
    for (let s = 0; s < sources.length; s++) {
      const source = sources[s];
      if (!isRecord(source) || !isRecord(source.serviceAccountToken)) continue;
      const audience = source.serviceAccountToken.audience;
      // An audience the API server lists in --api-audiences is its own: the token authenticates.
      if (typeof audience === "string" && audience !== "" && !apiAudiences.has(audience)) audiences.push(audience);
      else return { mounted: true, how: "projected", podPath: ["spec", "volumes", v, "projected", "sources", s, "serviceAccountToken"] };
    }
  }
  return { mounted: false, audiences };
}
