/**
 * Fields that api-fields.generated.ts encodes as "" (text) but whose Go type takes other
 * JSON values too, so a number or a mapping there is no error: every other "" field is a
 * Go string (or []byte, metav1.Time: JSON text only), where the API server refuses a
 * boolean, a number or a collection ("cannot unmarshal number into Go struct field ... of
 * type string"). The generator's source (@kubernetes/client-node's models) calls a
 * Quantity a string, so these are listed here by hand, from kubernetes-types' declarations
 * (Quantity, IntOrString, JSON, RawExtension) and the client's `any`. When the table is
 * regenerated for a newer release, its new "" fields must be checked against this list:
 * a Quantity missing here turns `cpu: 1`-style values into false findings.
 * (test/manifest/text-fields.test.ts holds every entry to the table.)
 */
export const SEVERAL_FORMS: ReadonlySet<string> = new Set([
  // resource.Quantity: `sizeLimit: 1` and `sizeLimit: 1Gi` are both accepted.
  "V1CSIStorageCapacity.capacity",
  "V1CSIStorageCapacity.maximumVolumeSize",
  "V1EmptyDirVolumeSource.sizeLimit",
  "V1ResourceFieldSelector.divisor",
  "V2HPAScalingRules.tolerance",
  "V2MetricTarget.averageValue",
  "V2MetricTarget.value",
  "V2MetricValueStatus.averageValue",
  "V2MetricValueStatus.value",
  // Maps of resource name to Quantity.
  "V1CapacityRequirements.requests",
  "V1ContainerStatus.allocatedResources",
  "V1DeviceRequestAllocationResult.consumedCapacity",
  "V1LimitRangeItem.default",
  "V1LimitRangeItem.defaultRequest",
  "V1LimitRangeItem.max",
  "V1LimitRangeItem.maxLimitRequestRatio",
  "V1LimitRangeItem.min",
  "V1NodeAllocatableResourceClaimStatus.resources",
  "V1Overhead.podFixed",
  "V1PersistentVolumeClaimStatus.allocatedResources",
  "V1PersistentVolumeClaimStatus.capacity",
  "V1PersistentVolumeSpec.capacity",
  "V1PodSpec.overhead",
  "V1PodStatus.allocatedResources",
  "V1ResourceQuotaSpec.hard",
  "V1ResourceQuotaStatus.hard",
  "V1ResourceQuotaStatus.used",
  "V1ResourceRequirements.limits",
  "V1ResourceRequirements.requests",
  "V1VolumeResourceRequirements.limits",
  "V1VolumeResourceRequirements.requests",
  // intstr.IntOrString: `targetPort: 8080` or `targetPort: http`.
  "V1HTTPGetAction.port",
  "V1NetworkPolicyPort.port",
  "V1PodDisruptionBudgetSpec.maxUnavailable",
  "V1PodDisruptionBudgetSpec.minAvailable",
  "V1RollingUpdateDaemonSet.maxSurge",
  "V1RollingUpdateDaemonSet.maxUnavailable",
  "V1RollingUpdateDeployment.maxSurge",
  "V1RollingUpdateDeployment.maxUnavailable",
  "V1RollingUpdateStatefulSetStrategy.maxUnavailable",
  "V1ServicePort.targetPort",
  "V1TCPSocketAction.port",
  // Raw JSON (JSON, RawExtension, FieldsV1, JSONSchemaProps' unions): any value.
  "V1AllocatedDeviceStatus.data",
  "V1ControllerRevision.data",
  "V1CustomResourceSubresources.status",
  "V1JSONSchemaProps.additionalItems",
  "V1JSONSchemaProps.additionalProperties",
  "V1JSONSchemaProps.default",
  "V1JSONSchemaProps.dependencies",
  "V1JSONSchemaProps.enum",
  "V1JSONSchemaProps.example",
  "V1JSONSchemaProps.items",
  "V1ManagedFieldsEntry.fieldsV1",
  "V1OpaqueDeviceConfiguration.parameters",
]);
