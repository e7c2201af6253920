import type { Rule } from "../findings/types.js";

/** Rule records of the manifest checks: what the API server would refuse before any policy sees it. */
export const STRING_EXPECTED: Rule = {
  id: "manifest/string-expected",
  family: "manifest",
  pillar: "platform",
  severity: "medium",
  title: "A field Kubernetes reads as text holds a boolean, a number or a collection",
  docs: {
    description:
      "kubectl reads YAML as go-yaml v2 does, so an unquoted yes, no, on, off, y or n is a boolean and 1.0 or 8080 is a number. Where the API declares text (names, labels, annotations, container images, arguments and environment values, ConfigMap and Secret data) such a value does not become text: the API server refuses the whole object (\"cannot unmarshal bool into Go struct field ... of type string\"), so the manifest never applies, whatever its other settings.",
    remediation: 'Quote the value so that it stays text: version: "1.0", enabled: "yes", args: ["--port", "8080"]. palisade fix quotes it as written.',
    helpUri: "https://kubernetes.io/docs/reference/kubectl/generated/kubectl_apply/",
  },
};

export const UNKNOWN_FIELD: Rule = {
  id: "manifest/unknown-field",
  family: "manifest",
  pillar: "platform",
  severity: "medium",
  title: "A field the object's Kubernetes type does not have (misspelt or misplaced)",
  docs: {
    description:
      "kubectl apply validates fields strictly by default and refuses an object with a field its type does not have. Other clients (Helm, controllers, kubectl with --validate=false) and the API server itself, unless asked for strict validation, drop such a field without a word: a misspelt readOnlyRootFileSystem or a runAsNonRoot put on the container instead of its securityContext then protects nothing, while the manifest looks as if it did. The fields are those of the Kubernetes API's OpenAPI document for 54 built-in kinds (workloads, Services, RBAC, NetworkPolicy, Ingress, storage, quotas, admission webhooks and policies, CustomResourceDefinitions, APIServices); maps with free keys (labels, annotations, data) are not judged.",
    remediation: "Correct the field's spelling or move it to where the API declares it (the message says which field was most likely meant; palisade fix makes the move when that is certain); kubectl explain TYPE.FIELD shows where a field belongs.",
    helpUri: "https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation",
  },
};

export const WRONG_TYPE: Rule = {
  id: "manifest/wrong-type",
  family: "manifest",
  pillar: "platform",
  severity: "medium",
  title: "A field holds a value of another type than the API declares (a quoted number or boolean, a string for a list)",
  docs: {
    description:
      "The API server decodes an object by its fields' types and refuses it when a value has another type, whatever the validation setting: replicas: \"3\", containerPort: \"8080\" and runAsNonRoot: \"true\" (what a Helm template's | quote writes), command: \"sh -c ...\" where a list is declared, or a list where a mapping is. The manifest never applies, so neither do the settings it carries. Fields that take several forms (IntOrString ports, Quantity sizes) and text fields (see manifest/string-expected) are not judged here.",
    remediation: "Write the value in the declared type: numbers and booleans unquoted (replicas: 3, runAsNonRoot: true; palisade fix unquotes them), lists as lists (command: [sh, -c, ...]); kubectl explain TYPE.FIELD shows a field's type.",
    helpUri: "https://kubernetes.io/docs/reference/kubernetes-api/",
  },
};

export const MANIFEST_RULES: readonly Rule[] = [STRING_EXPECTED, UNKNOWN_FIELD, WRONG_TYPE];
