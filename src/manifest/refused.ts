/**
 * The API server's validation of a built-in object after defaulting, for the refusals hand
 * written manifests meet most (manifest/fails-validation): its metadata, a workload's
 * selector against its template, its pod's containers and legacy seccomp annotations
 * (refused-seccomp.ts), and a Service's spec (refused-service.ts). Each refusal is given as
 * upstream words it, at the field the manifest holds it in.
 *
 * Which kinds' pod specs are validated follows upstream: ValidatePodTemplateSpec for Pods'
 * specs, PodTemplates, ReplicationControllers, Deployments, ReplicaSets, DaemonSets, Jobs and
 * CronJobs; a StatefulSet's template has only its labels and annotations validated
 * (ValidatePodTemplateSpecForStatefulSet leaves the pod spec to the Pods it creates).
 */
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";
import { rootTypeOf } from "./api-schema.js";
import type { ApiFieldError } from "./api-field-errors.js";
import { nameFormatOf } from "./api-name-formats.js";
import { containerRefusals } from "./refused-containers.js";
import { objectMetaRefusals, templateMetaRefusals } from "./refused-metadata.js";
import { seccompRefusals } from "./refused-seccomp.js";
import { serviceAllocationRefusals, serviceRefusals } from "./refused-service.js";
import { selectorRefusals } from "./refused-selector.js";

/** The kinds whose pod template upstream validates, and whether it validates the template's pod spec. */
const TEMPLATES: ReadonlyMap<string, { podSpec: boolean }> = new Map<string, { podSpec: boolean }>([
  ...["v1/PodTemplate", "v1/ReplicationController", "apps/v1/Deployment", "apps/v1/ReplicaSet", "apps/v1/DaemonSet", "batch/v1/Job", "batch/v1/CronJob"].map((key) => [key, { podSpec: true }] as const),
  ["apps/v1/StatefulSet", { podSpec: false }],
]);

export function refusalsOf(object: K8sObject): ApiFieldError[] {
  if (rootTypeOf(object) === undefined) return [];
  const key = `${object.apiVersion}/${object.kind}`;
  const isService = key === "v1/Service";
  if (isService) {
    // The Service storage refuses bad cluster IPs while allocating, before any validation runs.
    const allocation = serviceAllocationRefusals(object);
    if (allocation.length > 0) return allocation;
  }
  const out = objectMetaRefusals(object.metadata, nameFormatOf(key));
  if (isService) {
    out.push(...serviceRefusals(object));
    return out;
  }
  out.push(...selectorRefusals(object));
  if (key === "v1/Pod") {
    if (isRecord(object.spec)) out.push(...containerRefusals(object.spec, ["spec"], "spec", true));
    out.push(...seccompRefusals(object.metadata, object.spec, { at: [], annotationsApiPath: "metadata.annotations", specApiPath: "spec" }, true));
    return out;
  }
  const template = TEMPLATES.get(key);
  if (template === undefined) return out;
  const found = podTemplate(object);
  if (found === undefined) return out;
  const at: FieldPath = found.path;
  const apiPath = at.join(".");
  out.push(...templateMetaRefusals(found.pod.metadata, at, apiPath));
  if (template.podSpec && isRecord(found.pod.spec)) out.push(...containerRefusals(found.pod.spec, [...at, "spec"], `${apiPath}.spec`));
  out.push(...seccompRefusals(found.pod.metadata, found.pod.spec, { at, annotationsApiPath: `${apiPath}.annotations`, specApiPath: `${apiPath}.spec` }, template.podSpec));
  return out;
}
