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
