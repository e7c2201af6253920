/**
 * Until the first list of the cluster has completed, the server does not judge: /readyz
 * answers 503 (so the Service sends it no traffic and a rollout waits for it), and a
 * request that reaches it anyway (another worker of the same pod is ready first, a client
 * bypassing the Service) gets HTTP 503, a call failure: the API server's failurePolicy
 * decides (Fail, as installed: the request is refused and retried by its controller) instead
 * of a verdict at a default level that may not be the namespace's.
 */
import { ReviewError } from "../../admission/review.js";
import type { WebhookEngine } from "./handler.js";

export function untilSynced<E extends WebhookEngine>(engine: E, ready: () => boolean): E & { ready: () => boolean } {
  const check = () => {
    if (!ready()) throw new ReviewError("the webhook has not yet listed the cluster's namespaces from the API server; try again shortly", 503);
  };
  const gated: E & { ready: () => boolean } = {
    ...engine,
    ready,
    validate: (request) => (check(), engine.validate(request)),
    mutate: (request) => (check(), engine.mutate(request)),
  };
  const { authorize } = engine;
  if (authorize) gated.authorize = (review) => (check(), authorize(review));
  return gated;
}
