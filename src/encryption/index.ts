/**
 * Encryption at rest, as kube-apiserver does it: configuration parsing and validation,
 * risk findings, and byte-compatible value transformers. Pure: no file, network or clock.
 */
export type { KmsFactory, KmsProviderEndpoint, KmsV1Service, KmsV2Service } from "./kms-service.js";
export type {
  ConfigProblem,
  EncryptionConfiguration,
  KeyConfig,
  KmsConfig,
  Locator,
  ProviderConfig,
  ProviderType,
  ResourceRule,
} from "./config-types.js";
export {
  checkEncryptionConfigurationObject,
  checkEncryptionConfigurationText,
  configError,
  describeProblem,
  parseEncryptionConfiguration,
  type ConfigCheck,
  type LoadedEncryptionConfiguration,
} from "./config.js";
export {
  providerPrefix,
  readStored,
  readStoredValue,
  transformersFor,
  writeStored,
  type EncryptionTransformers,
  type ProviderChain,
  type StoredRead,
  type TransformerOptions,
} from "./chain.js";
export { StoredValueError } from "./errors.js";
export type { ReadResult, ValueOrigin, ValueTransformer } from "./transformers/transformer.js";
export { decodeEncryptedObject, encodeEncryptedObject, type EncryptedObject } from "./transformers/encrypted-object.js";
export { auditEncryptionConfigurationFile, encryptionFindings } from "./risks.js";
export { ENCRYPTION_RULES } from "./risk-rules.js";
export { encryptionFamily, checkEncryptionConfigurations } from "./scan-family.js";
