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
      "kubectl reads YAML as go-yaml v2 does, so an unquoted yes, no, on, off, y or n is a boolean and 1.0 or 8080 is a number. Where the API declares text (names, labels, annotations, container images, arguments and environment values, ConfigMap and Secret data) such a value does not become text: the API server refuses the whole object (\"cannot unmarshal bool into Go struct field ... of type string\"), so the manifest never applies, whatever its other settings. Every text field of a built-in kind is read (volume, port and container names alike), and the pod template of any workload. A finding says what kind of value Kubernetes read (a number, a boolean), never the value: it may be a password or a token.",
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
      "kubectl apply validates fields strictly by default and refuses an object with a field its type does not have. Other clients (Helm, controllers, kubectl with --validate=false) and the API server itself, unless asked for strict validation, drop such a field without a word: a misspelt readOnlyRootFileSystem or a runAsNonRoot put on the container instead of its securityContext then protects nothing, while the manifest looks as if it did. The fields are those of the Kubernetes API's OpenAPI document for 54 built-in kinds (workloads, Services, RBAC, NetworkPolicy, Ingress, storage, quotas, admission webhooks and policies, CustomResourceDefinitions, APIServices), and of the AdminNetworkPolicy and BaselineAdminNetworkPolicy CRDs (network-policy-api v0.1.7, whose unknown fields the API server prunes as silently); maps with free keys (labels, annotations, data) are not judged.",
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

export const INVALID_BASE64: Rule = {
  id: "manifest/invalid-base64",
  family: "manifest",
  pillar: "platform",
  severity: "medium",
  title: "A bytes field (Secret data, ConfigMap binaryData, a caBundle, a CSR's request) that is not base64 as the API server decodes it",
  docs: {
    description:
      "Fields of Go type []byte are written as base64 text: a Secret's data, a ConfigMap's binaryData, a CertificateSigningRequest's spec.request, the caBundle of an admission webhook's clientConfig, of an APIService and of a CustomResourceDefinition's conversion webhook. The API server decodes them with Go's encoding/json, which takes only padded standard base64 (A-Z, a-z, 0-9, + and /, ending in = or == to make groups of four) and skips line breaks, so a value written over several lines of a YAML block scalar is fine. Anything else (unpadded or URL-safe base64, spaces such as a folded > block leaves, plain text put under data instead of stringData) makes it refuse the whole object (\"illegal base64 data at input byte N\"), whatever the validation setting: the manifest never applies. The finding gives N and the value's length, never the value.",
    remediation:
      "Encode the value with `base64 -w0` (or keep the line breaks of a | block), padded with = to a multiple of four characters; convert URL-safe base64 (- and _) to the standard alphabet. For a Secret, plain text belongs under stringData, which the API server encodes itself.",
    helpUri: "https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/",
  },
};

export const REMOVED_API: Rule = {
  id: "manifest/removed-api",
  family: "manifest",
  pillar: "platform",
  // As the family's other rules: the API server refuses the object, so none of the
  // controls it carries (a NetworkPolicy, a PodDisruptionBudget, RBAC) exist.
  severity: "medium",
  title: "An object of an API version Kubernetes no longer serves (extensions/v1beta1, batch/v1beta1, policy/v1beta1...)",
  docs: {
    description:
      "Kubernetes removes beta API versions once their stable successor has been served long enough: extensions/v1beta1 and apps/v1beta1/v1beta2 workloads in v1.16; admissionregistration, apiextensions, apiregistration, authentication, authorization, certificates, coordination, networking (Ingress, IngressClass), rbac, scheduling and storage v1beta1 in v1.22; batch/v1beta1 CronJob, autoscaling/v2beta1, policy/v1beta1 (PodDisruptionBudget and PodSecurityPolicy, which has no successor), discovery, events and node v1beta1 in v1.25; flowcontrol v1beta1 and autoscaling/v2beta2 in v1.26, CSIStorageCapacity v1beta1 in v1.27, flowcontrol v1beta2 in v1.29 and v1beta3 in v1.32. kubectl apply refuses such an object (\"no matches for kind\"), so the policy, workload or binding it describes does not exist in the cluster. Palisade still judges the rest of it as written (a workload's pod template under Pod Security, for one), as it will be once ported.",
    remediation:
      "Write the apiVersion the finding names and port the fields that changed between versions (the migration guide lists them per kind; kubectl-convert rewrites a file). PodSecurityPolicy has no successor: label namespaces for Pod Security Admission instead (palisade psp migrate proposes the labels).",
    helpUri: "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
  },
};

export const NAMESPACE_MISMATCH: Rule = {
  id: "manifest/namespace-mismatch",
  family: "manifest",
  pillar: "platform",
  severity: "medium",
  title: "An object whose namespace is not the one -n names",
  docs: {
    description:
      "`palisade scan -n NS` reads manifests as `kubectl apply -n NS` would apply them: objects that name no namespace land in NS, and kubectl refuses one that names another (\"the namespace from the provided object does not match the namespace\"), so it is never applied. Palisade judges it in the namespace it names, as it would be applied without -n.",
    remediation: "Apply it without -n, or with -n set to its namespace; or change metadata.namespace to the namespace it belongs in.",
    helpUri: "https://kubernetes.io/docs/reference/kubectl/generated/kubectl_apply/",
  },
};

export const REQUEST_ABOVE_LIMIT: Rule = {
  id: "manifest/request-above-limit",
  family: "manifest",
  pillar: "platform",
  severity: "medium",
  title: "A container requests more than its limit, or overcommits a resource that cannot be",
  docs: {
    description:
      "The API server validates each container's resources before any admission plugin runs: a request above its limit is refused (\"must be less than or equal to cpu limit of 1\"), and a resource that cannot be overcommitted (an extended resource such as nvidia.com/gpu, or hugepages-*) needs a limit and a request equal to it. The workload never applies, so neither do the settings it carries. A limit with no request is fine: the request defaults to the limit.",
    remediation: "Lower the request to at most the limit (or raise the limit); for extended resources and hugepages, set the limit and make the request equal to it.",
    helpUri: "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits",
  },
};

export const NOT_APPLIED: Rule = {
  id: "manifest/not-applied-by-kubectl",
  family: "manifest",
  pillar: "platform",
  // Nothing is refused: the object is silently missing from the cluster, as is what it protects.
  severity: "low",
  title: "An object kubectl apply never sends: its document follows a `...` line, not a `---` line",
  docs: {
    description:
      "kubectl cuts a YAML file into parts only at `---` lines, and reads only the first document of each part (apimachinery's YAMLReader, then go-yaml's Unmarshal). A document that follows a `...` (document end) line with no `---` between them is dropped without a word: the NetworkPolicy, Role or workload it describes never exists, while the file looks as if it did. Palisade still judges it as written, since a tool that splits the file otherwise (kustomize, Helm, Argo CD) or a later `---` applies it.",
    remediation: "Put a `---` line before the document (a `...` line is never needed in a manifest), or remove the document if it is not meant to be applied.",
    helpUri: "https://kubernetes.io/docs/concepts/cluster-administration/manage-deployment/#organizing-resource-configurations",
  },
};

export const FAILS_VALIDATION: Rule = {
  id: "manifest/fails-validation",
  family: "manifest",
  pillar: "platform",
  // As the family's other refusals: the object never exists, nor do the controls it carries.
  severity: "medium",
  title: "An object the API server's validation refuses: a selector its template does not match, a container without a name or image, a bad name, label, annotation or port, a seccomp annotation its field contradicts, a Service spec ValidateService refuses",
  docs: {
    description:
      "After decoding and defaulting, the API server validates an object and refuses the whole of it on the first error list, before any admission policy runs, so the manifest never applies and its other findings are moot. Judged as upstream does (pkg/apis/core/validation, pkg/apis/apps/validation, pkg/apis/batch/validation): an apps/v1 Deployment, ReplicaSet or StatefulSet needs a non-empty spec.selector (apps/v1 defaults none), and the pod template's labels must match it (\"`selector` does not match template `labels`\"), as for a DaemonSet, a ReplicationController (whose selector defaults to its template's labels) and a Job with manualSelector: true. Every container of a Pod or of a Pod template (PodTemplate, ReplicationController, Deployment, ReplicaSet, DaemonSet, Job, CronJob; upstream leaves a StatefulSet's pod spec to its Pods) needs an image and a name that is a DNS-1123 label, unique among regular, init and ephemeral containers; a port's name is an IANA service name (at most 15 characters) unique in its container, its containerPort is in 1-65535 and its protocol TCP, UDP or SCTP. A legacy seccomp annotation (seccomp.security.alpha.kubernetes.io/pod, container.seccomp.security.alpha.kubernetes.io/NAME) holds runtime/default, docker/default, unconfined or localhost/ and a relative path, and names the same profile as the securityContext.seccompProfile field beside it, the pod's or that container's (\"seccomp type in annotation and field must match\"; a StatefulSet's template is spared the comparison, its Pods are not). Label keys and annotation keys are qualified names, label values at most 63 characters, annotations together at most 256 KiB, and names of the form the kind needs: a DNS-1123 subdomain for most, a DNS-1123 label for a Namespace or StatefulSet, a DNS-1035 label for a Service, at most 52 characters for a CronJob. A Service's spec is validated as ValidateService does after the v1 defaults (ports and their names, protocols, target ports and node ports, the type and the fields only some types take, cluster IPs and IP families, external IPs, source ranges, session affinity, traffic policies); its cluster IPs are refused first, as the Service storage refuses them while allocating. Errors are worded as Kubernetes up to v1.33 words them, at the field that holds the value.",
    remediation: "Change the field the finding points at as its message says: make the selector's labels a subset of the template's, name and image every container, keep names, label keys and values and port names in the forms given, and remove a legacy seccomp annotation that the seccompProfile field contradicts.",
    helpUri: "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set",
  },
};

export const MANIFEST_RULES: readonly Rule[] = [STRING_EXPECTED, UNKNOWN_FIELD, WRONG_TYPE, INVALID_BASE64, REMOVED_API, NAMESPACE_MISMATCH, REQUEST_ABOVE_LIMIT, NOT_APPLIED, FAILS_VALIDATION];
