import type { K8sObject } from "../k8s/types.js";
import type { PodTemplate } from "../k8s/workloads.js";
import { checkFields, type FieldCheck } from "./field-check.js";

/**
 * The field check of the pod (template) of a workload whose own kind has no known schema
 * (an extensions/v1beta1 Deployment, an Argo Rollout): a pod template is a core/v1
 * PodTemplateSpec whatever the kind around it, so it is held to the Pod type, and the
 * paths found are given from the object's root.
 */
export function checkTemplate(template: PodTemplate): FieldCheck {
  const check = checkFields({ apiVersion: "v1", kind: "Pod", metadata: template.pod.metadata ?? {}, spec: template.pod.spec } as K8sObject);
  const at = template.path;
  if (at.length === 0) return check;
  return {
    unknown: check.unknown.map((u) => ({ ...u, path: [...at, ...u.path] })),
    wrongTypes: check.wrongTypes.map((w) => ({ ...w, path: [...at, ...w.path] })),
    notText: check.notText.map((t) => ({ ...t, path: [...at, ...t.path] })),
    ...(check.notBase64 ? { notBase64: check.notBase64.map((b) => ({ ...b, path: [...at, ...b.path] })) } : {}),
  };
}
