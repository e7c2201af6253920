/**
 * Compute resource names as the API server classifies them (pkg/apis/core/helper): a native
 * resource has no domain or a kubernetes.io one; natives other than hugepages-* may be
 * overcommitted (a request below its limit). Extended resources such as nvidia.com/gpu and
 * hugepages may not: a limit is required and a request must equal it.
 */
export function isOvercommitAllowed(name: string): boolean {
  const native = !name.includes("/") || name.includes("kubernetes.io/");
  return native && !name.startsWith("hugepages-");
}
