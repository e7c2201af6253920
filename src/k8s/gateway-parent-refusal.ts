/**
 * Whether the API server would refuse a Gateway or ListenerSet, as gateway/invalid-object
 * reports it (network/gateway/validate.ts): such a parent never exists, so gateway-api.ts
 * attaches no route through it and lets it take no part in listener conflicts.
 */
import { gatewayObjectProblems } from "../network/gateway/validate.js";
import type { FieldPath, LoadedObject } from "./types.js";

/** Why a Gateway or ListenerSet never exists: the object the API server refuses, and where its first problem is. */
export interface ApiServerRefusal {
  /** `Gateway infra/edge`: the parent itself, or the Gateway a ListenerSet joins. */
  label: string;
  loaded: LoadedObject;
  /** The field of its first problem: where gateway/invalid-object reports it. */
  path: FieldPath;
  /** How many problems gateway/invalid-object reports for it. */
  problems: number;
}

/** The API server's refusal of the object labelled `label`, or undefined when it would accept it. */
export function apiServerRefusal(label: string, loaded: LoadedObject): ApiServerRefusal | undefined {
  const [first, ...more] = gatewayObjectProblems(loaded.object);
  return first === undefined ? undefined : { label, loaded, path: first.path, problems: 1 + more.length };
}
