import { StoredValueError } from "./errors.js";

/**
 * The endpoint forms kube-apiserver accepts for a KMS plugin (spec §8.4): `unix:///path`
 * is a filesystem socket, `unix:///@name` a Linux abstract socket. Returns the gRPC target
 * string (as grpc-go and grpc-js spell it) and, for filesystem sockets, the path.
 */
export function parseKmsEndpoint(endpoint: string): { target: string; path: string | undefined; abstractName: string | undefined } | undefined {
  if (!endpoint.startsWith("unix://")) return undefined;
  const rest = endpoint.slice("unix://".length);
  if (!rest.startsWith("/") || rest.length < 2) return undefined;
  if (rest.startsWith("/@")) {
    const name = rest.slice(2);
    if (name.length === 0) return undefined;
    return { target: `unix-abstract:${name}`, path: undefined, abstractName: name };
  }
  return { target: `unix://${rest}`, path: rest, abstractName: undefined };
}

/**
 * Where a client connects for `endpoint`, as node:net takes it. `unix:///@name` is the Linux
 * abstract socket `@name` (k8s.io/kms util.ParseEndpoint), which kube-apiserver dials and a
 * third-party plugin may serve: Node reaches it as the path "\0name". Palisade's own plugin
 * refuses to serve one (no file mode restricts its callers: adapters/kms-server.ts), but
 * dialling one only reads what it answers.
 */
export function kmsSocketPath(endpoint: string): string {
  const parsed = parseKmsEndpoint(endpoint);
  if (parsed === undefined) {
    throw new StoredValueError(`KMS endpoint ${JSON.stringify(endpoint)} is not a unix socket`, {
      hint: "use unix:///path/to/kms.sock or unix:///@name",
    });
  }
  if (parsed.path !== undefined) return parsed.path;
  if (process.platform !== "linux") {
    throw new StoredValueError(`KMS endpoint ${endpoint} is a Linux abstract socket, which does not exist on ${process.platform}`, {
      hint: "run this where the plugin runs (Linux), or serve the plugin on a filesystem socket such as unix:///var/run/kms.sock",
    });
  }
  return `\0${parsed.abstractName}`;
}
