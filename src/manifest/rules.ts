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
    remediation: 'Quote the value so that it stays text: version: "1.0", enabled: "yes", args: ["--port", "8080"].',
    helpUri: "https://kubernetes.io/docs/reference/kubectl/generated/kubectl_apply/",
  },
};

export const MANIFEST_RULES: readonly Rule[] = [STRING_EXPECTED];
