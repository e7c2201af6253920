/**
 * Whether an Ingress is ingress-nginx's, and on what grounds. ingress-nginx reads the
 * `kubernetes.io/ingress.class` annotation (against its --ingress-class, "nginx" by default)
 * and otherwise spec.ingressClassName, through the IngressClass of that name whose
 * spec.controller is "k8s.io/ingress-nginx" (internal/ingress/controller/store and
 * internal/ingress/annotations/class). An Ingress naming no class gets the IngressClass
 * annotated `ingressclass.kubernetes.io/is-default-class: "true"` from the API server's
 * DefaultIngressClass admission plugin; of several such classes it takes the newest by
 * creationTimestamp, the first name in byte order among equals, and admits the Ingress
 * (getDefaultClass in plugin/pkg/admission/network/defaultingressclass/admission.go).
 *
 * The input does not always hold the IngressClass: then the Ingress is taken as
 * ingress-nginx's, and the reason says so, so that no finding passes an assumption for a fact
 * (as k8s/routed-services.ts does for ingress-nginx's allow-list annotation).
 */
import { isRecord, type K8sObject } from "./types.js";

export const INGRESS_NGINX_CONTROLLER = "k8s.io/ingress-nginx";
export const CLASS_ANNOTATION = "kubernetes.io/ingress.class";
const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

export interface DefaultIngressClass {
  name: string;
  /** Its metadata.creationTimestamp in milliseconds, when the input gives a valid one. */
  createdAt?: number;
}

export interface IngressClasses {
  /** IngressClass name -> its spec.controller ("" when it names none). */
  controllers: ReadonlyMap<string, string>;
  /** The IngressClasses marked default. */
  defaults: readonly DefaultIngressClass[];
}

export interface ControllerVerdict {
  nginx: boolean;
  /** Set when the verdict is an assumption: why, in words for a message ("the class was assumed: ..."). */
  assumed?: string;
}

export function isIngressClass(object: K8sObject): boolean {
  return object.kind === "IngressClass" && object.apiVersion === "networking.k8s.io/v1";
}

export function isIngress(object: K8sObject): boolean {
  return object.kind === "Ingress" && object.apiVersion === "networking.k8s.io/v1";
}

/** metav1.Time reads RFC 3339 (Go's time.RFC3339 layout); anything else leaves the time unknown. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function creationTime(object: K8sObject): { createdAt?: number } {
  const stamp: unknown = object.metadata?.creationTimestamp;
  const time = stamp instanceof Date ? stamp.getTime() : typeof stamp === "string" && RFC3339.test(stamp) ? Date.parse(stamp) : Number.NaN;
  return Number.isNaN(time) ? {} : { createdAt: time };
}

export function readIngressClasses(objects: Iterable<K8sObject>): IngressClasses {
  const controllers = new Map<string, string>();
  const defaults: DefaultIngressClass[] = [];
  for (const object of objects) {
    const name = object.metadata?.name;
    if (!isIngressClass(object) || typeof name !== "string") continue;
    const spec = isRecord(object.spec) ? object.spec : {};
    controllers.set(name, typeof spec.controller === "string" ? spec.controller : "");
    const annotations = isRecord(object.metadata?.annotations) ? object.metadata.annotations : {};
    // The admission plugin compares the annotation's value to "true" exactly.
    if (annotations[DEFAULT_CLASS_ANNOTATION] === "true") defaults.push({ name, ...creationTime(object) });
  }
  return { controllers, defaults };
}

/** The class an Ingress names: its ingressClassName, else its class annotation; undefined for none. */
export function namedClass(ingress: K8sObject): { name: string; field: "ingressClassName" | "annotation" } | undefined {
  const spec = isRecord(ingress.spec) ? ingress.spec : {};
  if (typeof spec.ingressClassName === "string" && spec.ingressClassName !== "") return { name: spec.ingressClassName, field: "ingressClassName" };
  const annotations = isRecord(ingress.metadata?.annotations) ? ingress.metadata.annotations : {};
  const annotated = annotations[CLASS_ANNOTATION];
  if (typeof annotated === "string" && annotated !== "") return { name: annotated, field: "annotation" };
  return undefined;
}

export function ingressController(ingress: K8sObject, classes: IngressClasses): ControllerVerdict {
  const named = namedClass(ingress);
  if (named === undefined) return defaultClassVerdict(classes);
  const controller = classes.controllers.get(named.name);
  if (controller !== undefined) return { nginx: controller === INGRESS_NGINX_CONTROLLER };
  const where = named.field === "ingressClassName" ? "ingressClassName" : CLASS_ANNOTATION;
  if (named.name === "nginx") return { nginx: true, assumed: `its class "nginx" (${where}) is not an IngressClass of the input, so it is taken as ingress-nginx's by its name` };
  return { nginx: true, assumed: `its class ${JSON.stringify(named.name)} (${where}) is not an IngressClass of the input, so it is taken as ingress-nginx's` };
}

/** The default class the admission plugin writes into an Ingress that names none, when the input tells which. */
export function chosenDefaultClass(defaults: readonly DefaultIngressClass[]): DefaultIngressClass | undefined {
  if (defaults.length === 1) return defaults[0];
  // Every default's creationTimestamp is needed: one the input lacks is set by the API server when it is created.
  if (defaults.length === 0 || defaults.some((d) => d.createdAt === undefined)) return undefined;
  // Newest first; among equal times, the name Go's < puts first (UTF-16 order equals byte order for the DNS names classes carry).
  return [...defaults].sort((a, b) => (b.createdAt as number) - (a.createdAt as number) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0];
}

function defaultClassVerdict(classes: IngressClasses): ControllerVerdict {
  const { defaults } = classes;
  if (defaults.length === 0) return { nginx: true, assumed: "it names no class and the input holds no default IngressClass, so it is taken as ingress-nginx's" };
  const controllers = new Set(defaults.map((d) => classes.controllers.get(d.name)));
  const chosen = chosenDefaultClass(defaults);
  // Several defaults of one controller: whichever the API server picks, the controller is the same.
  const decided = chosen ?? (controllers.size === 1 ? defaults[0] : undefined);
  if (decided !== undefined) return { nginx: classes.controllers.get(decided.name) === INGRESS_NGINX_CONTROLLER };
  const names = defaults.map((d) => JSON.stringify(d.name)).join(", ");
  const nginxDefaults = defaults.filter((d) => classes.controllers.get(d.name) === INGRESS_NGINX_CONTROLLER).map((d) => JSON.stringify(d.name));
  // None of them ingress-nginx's: whichever wins, the Ingress is not ingress-nginx's.
  if (nginxDefaults.length === 0) return { nginx: false };
  return {
    nginx: true,
    assumed: `it names no class and the input holds several default IngressClasses (${names}); the API server gives it the newest by creationTimestamp, which the manifests do not all carry, so which wins cannot be known, and it is taken as ingress-nginx's because ${nginxDefaults.join(", ")} ${nginxDefaults.length === 1 ? "is" : "are"} ingress-nginx's`,
  };
}
