/**
 * What an etcd call's failure means for a run over many keys: the connection or the whole
 * store failed (every later call would fail too: stop, and say how to reach etcd), or etcd
 * answered and refused this one request (the value is too large for --max-request-bytes,
 * the etcd role may not write this key): record it against the key and carry on, as
 * kube-apiserver fails only the update of that object (storage/etcd3/store.go,
 * GuaranteedUpdate) and a storage migration goes on with the others.
 */
import { status } from "@grpc/grpc-js";

/** gRPC codes that no other key would escape: the transport, or the whole store refusing writes. */
const RUN_WIDE = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.CANCELLED,
  // The client's etcd user or token: the same for every key.
  status.UNAUTHENTICATED,
  // "mvcc: database space exceeded" (the NOSPACE alarm) and "too many requests": store-wide.
  status.RESOURCE_EXHAUSTED,
]);

/** Codes that mean etcd was never reached (or never answered in time). */
const UNREACHED = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

interface GrpcFailure {
  code: number;
  details: string;
}

/** The gRPC status of a grpc-js call error; undefined for anything else. */
function grpcFailure(err: unknown): GrpcFailure | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const { code, details } = err as { code?: unknown; details?: unknown };
  if (typeof code !== "number" || code === status.OK) return undefined;
  return { code, details: typeof details === "string" && details !== "" ? details : (status[code] ?? `gRPC status ${code}`) };
}

/**
 * Why etcd refused this one request (etcd's own words, e.g. "etcdserver: request is too
 * large"), or undefined when the failure is not the key's own and the run must stop.
 * etcd's messages name no key and carry no value.
 */
export function perKeyRefusal(err: unknown): string | undefined {
  const failure = grpcFailure(err);
  if (failure === undefined || RUN_WIDE.has(failure.code)) return undefined;
  return failure.details.split("\n")[0];
}

/** True when etcd itself answered the call with an error status (it was reached: no connectivity hint). */
export function etcdAnswered(err: unknown): boolean {
  const failure = grpcFailure(err);
  return failure !== undefined && !UNREACHED.has(failure.code);
}
