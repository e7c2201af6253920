/**
 * Whether the API server would refuse a Gateway or ListenerSet, as gateway/invalid-object
 * reports it (network/gateway/validate.ts): such a parent never exists, so gateway-api.ts
 * attaches no route through it and lets it take no part in listener conflicts.
 */
import { gatewayObjectProblems, type GatewayObjectProblem } from "../network/gateway/validate.js";
import type { FieldPath, K8sObject, LoadedObject } from "./types.js";

/** Why a Gateway or ListenerSet never exists: the object the API server refuses, and where its first problem is. */
export interface ApiServerRefusal {
  /** `Gateway`, `ListenerSet`: the kind of the refused object. */
  kind: string;
  /** `Gateway infra/edge`: the parent itself, or the Gateway a ListenerSet joins. */
  label: string;
  loaded: LoadedObject;
  /** The field of its first problem: where gateway/invalid-object reports it. */
  path: FieldPath;
  /** How many problems gateway/invalid-object reports for it. */
  problems: number;
}

/**
 * Every parent is judged both here (by the model, which posture builds too) and by
 * gateway/invalid-object: one reading per object serves them all. Loaded objects are never
 * modified, so a reading stays true for as long as its object lives.
 */
const problemsByObject = new WeakMap<K8sObject, readonly GatewayObjectProblem[]>();

/** gatewayObjectProblems, read once per object. */
export function gatewayObjectProblemsOnce(object: K8sObject): readonly GatewayObjectProblem[] {
  let problems = problemsByObject.get(object);
  if (problems === undefined) {
    problems = gatewayObjectProblems(object);
    problemsByObject.set(object, problems);
  }
  return problems;
}

/** The API server's refusal of the object, or undefined when it would accept it. */
export function apiServerRefusal(kind: string, namespace: string, name: string, loaded: LoadedObject): ApiServerRefusal | undefined {
  const [first, ...more] = gatewayObjectProblemsOnce(loaded.object);
  return first === undefined ? undefined : { kind, label: `${kind} ${namespace}/${name}`, loaded, path: first.path, problems: 1 + more.length };
}
