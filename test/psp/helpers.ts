import { readPodSecurityPolicy, type PodSecurityPolicy } from "../../src/psp/policy.js";
import type { PodJson } from "../../src/psp/pod.js";

/** A permissive base policy; tests override the fields they are about. */
export function policy(spec: Record<string, unknown> = {}, name = "test", annotations: Record<string, string> = {}): PodSecurityPolicy {
  const { policy, errors } = readPodSecurityPolicy({
    apiVersion: "policy/v1beta1",
    kind: "PodSecurityPolicy",
    metadata: { name, annotations },
    spec: {
      seLinux: { rule: "RunAsAny" },
      runAsUser: { rule: "RunAsAny" },
      supplementalGroups: { rule: "RunAsAny" },
      fsGroup: { rule: "RunAsAny" },
      volumes: ["*"],
      ...spec,
    },
  });
  if (errors.length > 0) throw new Error(`bad test policy: ${JSON.stringify(errors)}`);
  return policy;
}

export function pod(spec: Record<string, unknown> = {}, annotations?: Record<string, string>): PodJson {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "ns", ...(annotations ? { annotations } : {}) },
    spec: { containers: [{ name: "app", image: "nginx" }], ...spec },
  } as PodJson;
}
