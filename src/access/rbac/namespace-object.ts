/**
 * Requests on one Namespace object, and the namespace a request is authorized in.
 *
 * The API server's RequestInfoFactory (apiserver/pkg/endpoints/request/requestinfo.go) reads
 * /api/v1/namespaces/NAME, and its subresources status and finalize, as a request in namespace
 * NAME: so the RoleBindings of NAME apply to it, and a RoleBinding in team may let its subjects
 * get, update, patch or delete the Namespace team itself. A request on the collection,
 * /api/v1/namespaces (create, list, deletecollection, and a list or watch narrowed to one name
 * by fieldSelector), carries no namespace. The parser looks at the path only, whatever the API
 * group, and so does this.
 */
import type { ResourceRequest } from "./types.js";

/** What follows /namespaces/NAME and is still the Namespace: any other segment is a resource in it. */
const NAMESPACE_SUBRESOURCES = new Set(["", "status", "finalize"]);

/**
 * The verbs of requests whose path names the object: GET, PUT, PATCH and DELETE on
 * /namespaces/NAME, and a watch on the (deprecated, still served) /watch/namespaces/NAME.
 */
const OBJECT_VERBS = new Set(["get", "update", "patch", "delete", "watch"]);

type RequestShape = Pick<ResourceRequest, "verb" | "apiGroup" | "resource" | "subresource">;

/** Whether a request of this verb, resource and subresource on a named Namespace is made in that namespace. */
export function isNamespaceObjectRequest(request: RequestShape): boolean {
  return request.resource === "namespaces" && NAMESPACE_SUBRESOURCES.has(request.subresource) && OBJECT_VERBS.has(request.verb);
}

/** The namespace the API server gives a request on one Namespace object (its name), or undefined for any other request. */
export function namespaceOfNamespaceObject(request: RequestShape & Pick<ResourceRequest, "name">): string | undefined {
  return request.name !== "" && isNamespaceObjectRequest(request) ? request.name : undefined;
}

/** The namespace asked for on the command line: -n NAMESPACE, -A, or neither. */
export interface NamespaceChoice {
  namespace?: string;
  allNamespaces?: boolean;
}

/**
 * The namespace a request is authorized in, as the API server would see it, and a warning
 * when that is not the namespace asked for. kubectl auth can-i sends -n (or the kubeconfig's
 * namespace) whatever the resource; we answer for the request that can actually be made: a
 * cluster-scoped resource has no namespace, and a named Namespace is its own namespace.
 * `namespaced` is undefined for a resource the built-in table does not know.
 */
export function requestNamespace(request: Omit<ResourceRequest, "kind" | "namespace">, namespaced: boolean | undefined, choice: NamespaceChoice): { namespace: string; warning?: string } {
  const own = namespaceOfNamespaceObject(request);
  if (own !== undefined) {
    const ignored = choice.allNamespaces ? "-A" : choice.namespace && choice.namespace !== own ? `-n ${choice.namespace}` : undefined;
    if (!ignored) return { namespace: own };
    const path = `${request.apiGroup ? `/apis/${request.apiGroup}/…` : "/api/v1"}/namespaces/${own}${request.subresource ? `/${request.subresource}` : ""}`;
    return { namespace: own, warning: `a request on the Namespace ${own} is made in namespace ${own}, as the API server reads ${path}; ${ignored} is ignored` };
  }
  if (namespaced === false) {
    return choice.namespace ? { namespace: "", warning: `resource ${request.resource} is not namespace scoped; -n ${choice.namespace} is ignored` } : { namespace: "" };
  }
  return { namespace: choice.allNamespaces ? "" : (choice.namespace ?? "default") };
}
