/**
 * What the KMS v1 and v2 plugin clients share: the channel kube-apiserver would open
 * (plaintext gRPC on the unix socket, `:authority` localhost, spec §8.4), their default
 * deadline, and how a failed call reads to the operator.
 */
import { StoredValueError } from "./errors.js";
import { GrpcH2Channel } from "./grpc-h2-client.js";
import { GrpcError, GrpcStatus, statusName } from "./grpc-h2-status.js";
import { kmsSocketPath } from "./kms-endpoint.js";

/** kube-apiserver's own default when a provider sets no timeout. */
export const DEFAULT_KMS_TIMEOUT_MS = 3_000;

/** kube-apiserver sends :authority localhost; plugins (the upstream mock among them) may check it. */
export function kmsChannel(endpoint: string): GrpcH2Channel {
  return new GrpcH2Channel({ socketPath: kmsSocketPath(endpoint), authority: "localhost" });
}

/** `KMS v2 plugin "name" (unix:///...)`, or `KMS v1 plugin at unix:///...` for a provider without a name. */
export function kmsClientLabel(apiVersion: "v1" | "v2", endpoint: string, name: string | undefined): string {
  return name ? `KMS ${apiVersion} plugin "${name}" (${endpoint})` : `KMS ${apiVersion} plugin at ${endpoint}`;
}

/** A response the client cannot decode, as the status a malformed answer deserves. */
export function undecodableResponse(message: string): GrpcError {
  return new GrpcError(GrpcStatus.INTERNAL, `cannot decode the response: ${message}`);
}

/**
 * A failed call in words an operator acts on. The plugin's details never hold key material
 * (Palisade's own plugin's do not) and are the operator's best clue.
 */
export function kmsCallFailure(label: string, method: string, error: GrpcError): StoredValueError {
  return new StoredValueError(`${label} ${method} failed: ${statusName(error.code)}${error.details ? `: ${error.details}` : ""}`, {
    hint: error.code === GrpcStatus.UNAVAILABLE || error.code === GrpcStatus.DEADLINE_EXCEEDED ? "is the plugin running and is the socket path right?" : undefined,
  });
}
