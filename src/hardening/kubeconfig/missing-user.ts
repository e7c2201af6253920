/**
 * A context naming a user the file does not define. kubectl does not refuse it: clientcmd's
 * DirectClientConfig.getAuthInfo takes a user it cannot find as an empty one unless the name
 * came from --user, and DirectClientConfig.ConfirmUsable validates that empty user without
 * complaint (validateContext, which says "user ... was not found for context", runs only in
 * clientcmd.Validate and the package-level ConfirmUsable, which kubectl's requests do not go
 * through). The requests then carry no credentials at all.
 */
import type { FieldPath } from "../../k8s/types.js";
import { reachedOverTls } from "../url-text.js";
import type { Kubeconfig } from "./read.js";

export interface MissingUser {
  path: FieldPath;
  message: string;
  /** False for a context other than the current one: it sends nothing until chosen with --context. */
  inUse: boolean;
}

export function contextsWithMissingUser(config: Kubeconfig): MissingUser[] {
  const current = config.contexts.find((c) => c.name === config.currentContext);
  return config.contexts.flatMap((context) => {
    const user = context.user;
    if (user === undefined || user === "" || config.users.some((u) => u.name === user)) return [];
    const cluster = config.clusters.find((c) => c.name === context.cluster);
    // Over plain HTTP client-go never sends a user's credentials (IsConfigTransportTLS): the missing user changes nothing there.
    if (cluster !== undefined && !reachedOverTls(cluster.server)) return [];
    return [
      {
        path: [...context.path, "user"],
        message: `context ${context.name} names user ${user}, which the file does not define: kubectl and client-go do not refuse it, they send its requests${cluster === undefined ? "" : ` to cluster ${cluster.name}`} without any credentials (as system:anonymous, or refused with 401 Unauthorized where anonymous access is off)`,
        inUse: context === current,
      },
    ];
  });
}
