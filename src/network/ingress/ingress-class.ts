/**
 * Whether an Ingress is ingress-nginx's, and on what grounds. ingress-nginx reads the
 * `kubernetes.io/ingress.class` annotation (against its --ingress-class, "nginx" by default)
 * and otherwise spec.ingressClassName, through the IngressClass of that name whose
 * spec.controller is "k8s.io/ingress-nginx" (internal/ingress/controller/store and
 * internal/ingress/annotations/class). An Ingress naming no class gets the IngressClass
 * annotated `ingressclass.kubernetes.io/is-default-class: "true"` from the API server's
 * DefaultIngressClass admission plugin.
 *
 * The input does not always hold the IngressClass: then the Ingress is taken as
 * ingress-nginx's, and the reason says so, so that no finding passes an assumption for a fact
 * (as k8s/routed-services.ts does for ingress-nginx's allow-list annotation).
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";

export const INGRESS_NGINX_CONTROLLER = "k8s.io/ingress-nginx";
export const CLASS_ANNOTATION = "kubernetes.io/ingress.class";
const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

export interface IngressClasses {
  /** IngressClass name -> its spec.controller ("" when it names none). */
  controllers: ReadonlyMap<string, string>;
  /** The IngressClasses marked default, by name. */
  defaults: readonly string[];
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

export function readIngressClasses(objects: Iterable<K8sObject>): IngressClasses {
  const controllers = new Map<string, string>();
  const defaults: string[] = [];
  for (const object of objects) {
    const name = object.metadata?.name;
    if (!isIngressClass(object) || typeof name !== "string") continue;
    const spec = isRecord(object.spec) ? object.spec : {};
    controllers.set(name, typeof spec.controller === "string" ? spec.controller : "");
    const annotations = isRecord(object.metadata?.annotations) ? object.metadata.annotations : {};
    // The admission plugin compares the annotation's value to "true" exactly.
    if (annotations[DEFAULT_CLASS_ANNOTATION] === "true") defaults.push(name);
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
  if (named === undefined) {
    // Exactly one default: the API server writes it into the Ingress; several make it refuse the create.
    const only = classes.defaults.length === 1 ? classes.defaults[0] : undefined;
    if (only !== undefined) return { nginx: classes.controllers.get(only) === INGRESS_NGINX_CONTROLLER };
    return { nginx: true, assumed: "it names no class and the input holds no default IngressClass, so it is taken as ingress-nginx's" };
  }
  const controller = classes.controllers.get(named.name);
  if (controller !== undefined) return { nginx: controller === INGRESS_NGINX_CONTROLLER };
  const where = named.field === "ingressClassName" ? "ingressClassName" : CLASS_ANNOTATION;
  if (named.name === "nginx") return { nginx: true, assumed: `its class "nginx" (${where}) is not an IngressClass of the input, so it is taken as ingress-nginx's by its name` };
  return { nginx: true, assumed: `its class ${JSON.stringify(named.name)} (${where}) is not an IngressClass of the input, so it is taken as ingress-nginx's` };
}
