/**
 * How a webhook pod stops without refusing admission requests. When a pod is deleted, the
 * EndpointSlice controller, kube-proxy and kube-apiserver's own view of the Service learn it
 * a few seconds later, and until then kube-apiserver may still send it requests, some on
 * keep-alive connections it already holds. The server stops accepting connections on
 * SIGTERM (src/adapters/webhook/server.ts), so the kubelet must wait before sending it: a
 * preStop hook, during which the pod keeps answering while being taken out of the endpoints.
 * The grace period covers that wait plus the server's own drain bound.
 *
 * The image is distroless (deploy/Dockerfile): there is no `sleep` to exec. From 1.30 the
 * kubelet sleeps itself (lifecycle.preStop.sleep); before that the hook runs the image's
 * node, which sits idle for the delay.
 */
import { atLeast, PRESTOP_SLEEP_SINCE, type KubeVersion } from "./kube-version.js";

/** Seconds the pod keeps serving after deletion before SIGTERM: endpoint propagation. */
export const PRESTOP_DELAY_SECONDS = 10;
/**
 * After SIGTERM the primary process kills workers still busy requestTimeoutSeconds + 10 s
 * later (src/adapters/webhook/run.ts); a few more seconds let it exit on its own.
 */
const DRAIN_MARGIN_SECONDS = 10 + 5;
/** Where the shipped image has node (deploy/Dockerfile's ENTRYPOINT). */
export const IMAGE_NODE = "/nodejs/bin/node";

export interface Termination {
  lifecycle: Record<string, unknown>;
  terminationGracePeriodSeconds: number;
}

/** Without a known version the target is a supported Kubernetes: 1.30 or later. */
export function hasPreStopSleep(kubeVersion: KubeVersion | undefined): boolean {
  return kubeVersion === undefined || atLeast(kubeVersion, PRESTOP_SLEEP_SINCE);
}

export function webhookTermination(options: { kubeVersion?: KubeVersion; requestTimeoutSeconds: number }): Termination {
  const preStop = hasPreStopSleep(options.kubeVersion)
    ? { sleep: { seconds: PRESTOP_DELAY_SECONDS } }
    : { exec: { command: [IMAGE_NODE, "-e", `setTimeout(() => {}, ${PRESTOP_DELAY_SECONDS * 1000})`] } };
  return {
    lifecycle: { preStop },
    terminationGracePeriodSeconds: PRESTOP_DELAY_SECONDS + options.requestTimeoutSeconds + DRAIN_MARGIN_SECONDS,
  };
}
