/**
 * Whether kubectl is installed, for the tests that run the real one (`kubectl kustomize`,
 * `kubectl get` against the stand-in API server). In CI it must be: .ci/run installs it
 * (kubernetes-client), and a test that skips there would prove nothing.
 */
import { spawnSync } from "node:child_process";

export const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

if (!hasKubectl && process.env.CI) throw new Error("kubectl is not installed: .ci/run installs it (kubernetes-client) for the tests that run it");
if (!hasKubectl) console.warn("kubectl is not installed: the tests that run it are skipped (apt-get install kubernetes-client)");
