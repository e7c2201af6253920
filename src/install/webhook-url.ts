/**
 * --webhook-url: where kube-apiserver POSTs TokenReviews (bearer tokens) and
 * SubjectAccessReviews. The authn/authz webhook docs ask for https and no query; a fragment
 * means nothing to an HTTP client. Anything else would send tokens in cleartext or to a
 * URL the API server rewrites, so it is refused.
 */
import { UserError } from "../errors.js";

// Not a `.svc` name as the example: kube-apiserver looks this host up with its host's resolver (webhook-reachability.ts).
const HINT = "give the webhook's https base URL as kube-apiserver's hosts reach it, e.g. https://palisade-webhook.example.internal:443, a name they resolve to the Service's ClusterIP (the paths /authenticate and /authorize are appended)";

export function checkWebhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`--webhook-url ${JSON.stringify(value)}: not a URL`, { hint: HINT });
  }
  if (url.protocol !== "https:") throw new UserError(`--webhook-url ${value}: ${url.protocol.replace(/:$/, "")} is not https; kube-apiserver would send bearer tokens in cleartext`, { hint: HINT });
  if (url.hostname === "") throw new UserError(`--webhook-url ${value}: no host`, { hint: HINT });
  if (url.username !== "" || url.password !== "") throw new UserError("--webhook-url: credentials in the URL are not allowed (they would be published in a ConfigMap)", { hint: HINT });
  if (url.search !== "" || value.includes("?")) throw new UserError(`--webhook-url ${url.origin}${url.pathname}?…: a query is not allowed`, { hint: HINT });
  if (url.hash !== "" || value.includes("#")) throw new UserError(`--webhook-url ${url.origin}${url.pathname}#…: a fragment is not allowed`, { hint: HINT });
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}
