/**
 * A webhook clientConfig as the API server validates it, for admission webhooks
 * (admissionregistration validation.go validateWebhook / validateMutatingWebhook) and CRD
 * conversion webhooks (apiextensions validateCustomResourceConversion): exactly one of url and
 * service, and a url that k8s.io/apiserver/pkg/util/webhook ValidateWebhookURL accepts with
 * forceHttps=true. Any error refuses the whole object on create and update, so no webhook in it
 * is ever called.
 *
 * No error here quotes the userinfo, query or fragment of a url: they may hold a credential.
 */
import { readGoUrl } from "./kubeconfig/proxy-url.js";
import { goQuote } from "../podsecurity/check.js";
import { withoutUserinfo } from "./url-text.js";

const FORM = "; desired format: https://host[/path]";

/** ValidateWebhookURL(fldPath, url, true)'s errors, in its order and words (values that may be secret left out). */
export function webhookUrlErrors(url: string): string[] {
  const reading = readGoUrl(url);
  if ("refused" in reading) return [`url must be a valid URL: Go's net/url finds ${reading.refused}${FORM}`];
  const errors: string[] = [];
  // net/url lowercases the scheme, so HTTPS:// is https.
  if (reading.scheme !== "https") errors.push(`Invalid value: ${goQuote(reading.scheme)}: 'https' is the only allowed URL scheme${FORM}`);
  if (reading.host === "") errors.push(`Invalid value: "": host must be provided${FORM}`);
  if (reading.hasUser) errors.push("user information is not permitted in the URL");
  if (reading.fragment !== "") errors.push("fragments are not permitted in the URL");
  if (reading.rawQuery !== "") errors.push("query parameters are not permitted in the URL");
  return errors;
}

/** What a clientConfig's validation refuses: the field it names and the errors there. */
export interface ClientConfigRefusal {
  field: "url" | "clientConfig";
  errors: string[];
  /** The url's scheme as net/url reads it, when it parses: `http` is webhook/plain-http's case. */
  scheme?: string;
}

/** The API server's refusal of a webhook clientConfig, or undefined when it takes it. */
export function clientConfigRefusal(clientConfig: Record<string, unknown>): ClientConfigRefusal | undefined {
  // A null field is a nil pointer, as absent; an empty url is a url.
  const hasUrl = clientConfig.url !== undefined && clientConfig.url !== null;
  const hasService = clientConfig.service !== undefined && clientConfig.service !== null;
  if (hasUrl === hasService) return { field: "clientConfig", errors: ["Required value: exactly one of url or service is required"] };
  // A url that is not a string is manifest/wrong-type's: the API server refuses it while decoding.
  if (typeof clientConfig.url !== "string") return undefined;
  const errors = webhookUrlErrors(clientConfig.url);
  if (errors.length === 0) return undefined;
  const reading = readGoUrl(clientConfig.url);
  return { field: "url", errors, ...("scheme" in reading ? { scheme: reading.scheme } : {}) };
}

/** A url as a finding shows it: no userinfo, and nothing of its query or fragment but their mark. */
export function webhookUrlForMessage(url: string): string {
  const shown = withoutUserinfo(url);
  const cut = shown.search(/[?#]/);
  const bare = cut < 0 ? shown : `${shown.slice(0, cut + 1)}…`;
  return bare.length <= 200 ? bare : `${bare.slice(0, 200)}… (${url.length} characters)`;
}
