/**
 * The servers kube-apiserver calls over TLS on a registration's word: admission webhooks
 * (admissionregistration.k8s.io/v1 clientConfig), CustomResourceDefinition conversion webhooks
 * (apiextensions.k8s.io/v1 spec.conversion.webhook.clientConfig) and aggregated API servers
 * (apiregistration.k8s.io/v1 APIService spec.service). kube-apiserver verifies each server's
 * certificate with client-go (transport.TLSConfigFor) against the registration's caBundle (plus
 * any CA the admission configuration's kubeconfig gives for that host, which a manifest cannot
 * show: rare, and then these findings may be wrong), or the system roots when it is empty, for
 * the name it dials:
 * - a webhook's service: `<name>.<namespace>.svc` (k8s.io/apiserver util/webhook client.go, which
 *   sets it as TLS ServerName); a webhook's url: the URL's host, as net/http takes it;
 * - an APIService: `<name>.<namespace>.svc` (kube-aggregator handler_proxy.go), unless
 *   insecureSkipTLSVerify turns verification off.
 * Each callout says what every call failing costs, which the rules word findings with.
 */
import type { Severity } from "../findings/types.js";
import { decodeStdBase64 } from "../k8s/go-base64.js";
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { tlsHostOf } from "./url-text.js";
import { admissionWebhookEntries } from "./webhook-rules.js";
import { clientConfigRefusal } from "./webhook-url.js";

/** The name kube-apiserver verifies the server's certificate for, and the field it comes from. */
export interface ServerNameTarget {
  name: string;
  path: FieldPath;
  /** "the host of its url", "the name of service policy-system/policy". */
  origin: string;
  /** A service is dialled by a name only the cluster's own CA can vouch for; a url's host may hold a public certificate. */
  via: "service" | "url";
}

/** What it costs when kube-apiserver cannot call the server at all. */
export interface Outage {
  severity: Severity;
  /** The client cannot even be built: the caBundle holds nothing Go loads. */
  noClient: string;
  /** Every TLS handshake fails: nothing in the caBundle verifies the server's certificate. */
  noHandshake: string;
}

export interface TlsCallout {
  /** "ValidatingWebhookConfiguration webhook check.example.com", "APIService v1beta1.metrics.k8s.io". */
  described: string;
  /** "webhook server", "conversion webhook server", "aggregated API server". */
  server: string;
  caBundlePath: FieldPath;
  /** The decoded caBundle; undefined when it is absent, empty, not base64 (manifest/invalid-base64 reports that), or a CA injector fills it. */
  caBundle: Buffer | undefined;
  target: ServerNameTarget | undefined;
  /** Set when there is no caBundle at all, so client-go verifies with the system roots (rootCertPool: no CA data, a nil pool). */
  missingCaBundle: MissingCaBundle | undefined;
  outage: Outage;
}

export interface MissingCaBundle {
  /** The caBundle field when it is there but empty, else the object that lacks it. */
  path: FieldPath;
  /** The CA injector annotation of a live object whose caBundle is still empty: the injector has not done its work. */
  injectorAnnotation: string | undefined;
  /** Read from a cluster: what kube-apiserver verifies with now, not a manifest something may patch after it is applied. */
  live: boolean;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Annotations that hand every caBundle of the object to a CA injector, which overwrites it with
 * the CA it is told of: cert-manager's cainjector (all four kinds judged here) and OpenShift's
 * service-ca operator. Charts commit a placeholder there (often "Cg==", a newline), which is
 * never what kube-apiserver verifies with, so a manifest's is not judged. An object read from a
 * live cluster is: a placeholder still there means the injector never ran, and calls fail.
 */
const CERT_MANAGER_INJECTION = ["cert-manager.io/inject-ca-from", "cert-manager.io/inject-ca-from-secret", "cert-manager.io/inject-apiserver-ca"];

/** The annotation that hands the object's caBundles to a CA injector, if any. */
function caInjectionAnnotation(object: K8sObject): string | undefined {
  const annotations = isRecord(object.metadata?.annotations) ? object.metadata.annotations : {};
  const certManager = CERT_MANAGER_INJECTION.find((key) => text(annotations[key]) !== undefined);
  if (certManager !== undefined) return certManager;
  return annotations["service.beta.openshift.io/inject-cabundle"] === "true" ? "service.beta.openshift.io/inject-cabundle" : undefined;
}

function caBundleInjected(object: K8sObject): boolean {
  return caInjectionAnnotation(object) !== undefined;
}

/**
 * A caBundle absent, null or "" is no CA data to client-go (a nil or empty []byte), which
 * verifies the server with the system roots. One that is not base64 is
 * manifest/invalid-base64's; one that decodes to bytes is the other rules'. A manifest's
 * caBundle that an injector fills is not judged; a live object's still empty is.
 */
function missingCaBundle(value: unknown, parent: FieldPath, object: K8sObject, live: boolean): MissingCaBundle | undefined {
  if (value !== undefined && value !== null && value !== "") return undefined;
  const injectorAnnotation = caInjectionAnnotation(object);
  if (injectorAnnotation !== undefined && !live) return undefined;
  return { path: value === "" ? [...parent, "caBundle"] : parent, injectorAnnotation, live };
}

function decodedCaBundle(value: unknown, object: K8sObject, live: boolean): Buffer | undefined {
  if (typeof value !== "string" || (!live && caBundleInjected(object))) return undefined;
  const bytes = decodeStdBase64(value);
  return bytes && bytes.length > 0 ? Buffer.from(bytes) : undefined;
}

/** The server a webhook clientConfig names: exactly one of an https:// url or a service (the API server refuses anything else). */
function webhookTarget(clientConfig: Record<string, unknown>, path: FieldPath): ServerNameTarget | undefined | "refused" {
  // A clientConfig the API server refuses is never called (webhook/plain-http and webhook/refused-url report it).
  if (clientConfigRefusal(clientConfig)) return "refused";
  const url = text(clientConfig.url);
  const service = isRecord(clientConfig.service) ? clientConfig.service : undefined;
  if ((url === undefined) === (service === undefined)) return "refused";
  if (url !== undefined) {
    const host = tlsHostOf(url);
    return host === undefined ? undefined : { name: host, path: [...path, "url"], origin: "the host of its url", via: "url" };
  }
  return serviceTarget(service, [...path, "service"]);
}

function serviceTarget(service: Record<string, unknown> | undefined, path: FieldPath): ServerNameTarget | undefined {
  const name = text(service?.name);
  const namespace = text(service?.namespace);
  if (name === undefined || namespace === undefined) return undefined;
  return { name: `${name}.${namespace}.svc`, path, origin: `the name kube-apiserver gives service ${namespace}/${name}`, via: "service" };
}

function admissionCallouts(object: K8sObject, live: boolean): TlsCallout[] {
  return admissionWebhookEntries(object).flatMap((entry): TlsCallout[] => {
    const clientConfig = entry.webhook.clientConfig;
    if (!isRecord(clientConfig)) return [];
    const path = [...entry.path, "clientConfig"];
    const target = webhookTarget(clientConfig, path);
    if (target === "refused") return [];
    // v1 defaults failurePolicy to Fail.
    const ignore = entry.webhook.failurePolicy === "Ignore";
    const cost = ignore
      ? "with failurePolicy: Ignore kube-apiserver skips the webhook on every call and lets the requests through, so whatever it enforces is silently off"
      : "with failurePolicy: Fail kube-apiserver refuses every request the webhook matches";
    return [{ described: `${entry.kind} webhook ${entry.name}`, server: "webhook server", caBundlePath: [...path, "caBundle"], caBundle: decodedCaBundle(clientConfig.caBundle, object, live), target, missingCaBundle: missingCaBundle(clientConfig.caBundle, path, object, live), outage: { severity: ignore && entry.kind === "ValidatingWebhookConfiguration" ? "high" : "medium", noClient: cost, noHandshake: cost } }];
  });
}

function conversionCallouts(object: K8sObject, live: boolean): TlsCallout[] {
  if (object.kind !== "CustomResourceDefinition" || object.apiVersion !== "apiextensions.k8s.io/v1") return [];
  const conversion = isRecord(object.spec) && isRecord(object.spec.conversion) ? object.spec.conversion : undefined;
  // The webhook is only called with strategy Webhook (validation refuses a webhook beside any other).
  if (conversion?.strategy !== "Webhook" || !isRecord(conversion.webhook) || !isRecord(conversion.webhook.clientConfig)) return [];
  const clientConfig = conversion.webhook.clientConfig;
  const path = ["spec", "conversion", "webhook", "clientConfig"];
  const target = webhookTarget(clientConfig, path);
  if (target === "refused") return [];
  const name = object.metadata?.name ?? "unnamed";
  return [
    {
      described: `the conversion webhook of CustomResourceDefinition ${name}`,
      server: "conversion webhook server",
      caBundlePath: [...path, "caBundle"],
      caBundle: decodedCaBundle(clientConfig.caBundle, object, live),
      target,
      missingCaBundle: missingCaBundle(clientConfig.caBundle, path, object, live),
      outage: {
        severity: "medium",
        // The converter is built with the CRD's handler (apiextensions-apiserver NewWebhookConverter): without a client nothing of the CRD is served.
        noClient: `kube-apiserver cannot serve the custom resources of ${name} at all: every request for them fails`,
        noHandshake: `every request for the custom resources of ${name} that needs them converted between versions fails`,
      },
    },
  ];
}

/** An apiregistration.k8s.io/v1 APIService, or undefined for anything else. */
export function apiServiceSpec(object: K8sObject): Record<string, unknown> | undefined {
  if (object.kind !== "APIService" || object.apiVersion !== "apiregistration.k8s.io/v1") return undefined;
  return isRecord(object.spec) ? object.spec : {};
}

function aggregatedCallouts(object: K8sObject, live: boolean): TlsCallout[] {
  const spec = apiServiceSpec(object);
  // A local APIService (no service) is served by kube-apiserver itself; with insecureSkipTLSVerify nothing is verified.
  if (!spec || !isRecord(spec.service) || spec.insecureSkipTLSVerify === true) return [];
  const groupVersion = `${typeof spec.group === "string" && spec.group !== "" ? `${spec.group}/` : ""}${String(spec.version ?? "")}`;
  // The availability controller probes the service with verification off, so a TLS failure does not show there.
  const unnoticed = "while the APIService's Available condition, whose probe does not verify the server's certificate, can still say True";
  return [
    {
      described: `APIService ${object.metadata?.name ?? "unnamed"}`,
      server: "aggregated API server",
      caBundlePath: ["spec", "caBundle"],
      caBundle: decodedCaBundle(spec.caBundle, object, live),
      target: serviceTarget(spec.service, ["spec", "service"]),
      missingCaBundle: missingCaBundle(spec.caBundle, ["spec"], object, live),
      outage: {
        severity: "medium",
        noClient: `kube-apiserver cannot build the proxy's transport and answers every request for ${groupVersion} with an error, ${unnoticed}`,
        noHandshake: `every request kube-apiserver proxies for ${groupVersion} fails, ${unnoticed}`,
      },
    },
  ];
}

/** Every TLS callout an object registers; `live` when it was read from a cluster, where a CA injector has had its turn. */
export function tlsCallouts(object: K8sObject, live = false): TlsCallout[] {
  return [...admissionCallouts(object, live), ...conversionCallouts(object, live), ...aggregatedCallouts(object, live)];
}
