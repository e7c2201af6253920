/**
 * The registrations the webhook and caBundle tests judge: one admission webhook, and a CRD
 * whose conversion goes through a webhook. `clientConfig` and `extra` are YAML flow text.
 */
export type AdmissionKind = "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration";

/** One admission webhook for pods; `extra` is lines under it, `annotations` flow-map entries on the configuration. */
export function admissionWebhook(kind: AdmissionKind, clientConfig: string, extra = "", annotations = ""): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ${kind}
metadata: {name: policy${annotations === "" ? "" : `, annotations: {${annotations}}`}}
webhooks:
- name: check.policy.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: ${clientConfig}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
${extra}`;
}

/** A CRD serving v1 and v2, converted by a webhook reached through `clientConfig`. */
export function conversionWebhook(clientConfig: string): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {plural: widgets, singular: widget, kind: Widget}
  scope: Namespaced
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
  - {name: v2, served: true, storage: false, schema: {openAPIV3Schema: {type: object}}}
  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig: ${clientConfig}
`;
}
