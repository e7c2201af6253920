import type { Finding, ObjectRef, Rule, Severity } from "../findings/types.js";
import { formatFieldPath, type FieldPath } from "../k8s/types.js";
import { decodeStdBase64 } from "../k8s/go-base64.js";
import { checkEncryptionConfigurationText, type ConfigCheck } from "./config.js";
import type { EncryptionConfiguration, Locator } from "./config-types.js";
import type { ValidateOptions } from "./config-validate.js";
import { formatGroupResource, groupResourceKey, lookupOrder, parseGroupResource } from "./resources.js";
import {
  AESCBC,
  AESGCM_ROTATION,
  EXAMPLE_KEY,
  IDENTITY_FIRST,
  INVALID_CONFIG,
  KEY_REUSED,
  KMS_V1,
  LOW_ENTROPY_KEY,
  NO_ETCD_KEY_BINDING,
  OVERLAPPING_RULES,
  SECRETS_NOT_ENCRYPTED,
} from "./risk-rules.js";
import { isPublishedExampleKey, lowEntropyReason } from "./well-known-keys.js";

interface Context {
  object: ObjectRef;
  locate: Locator;
  findings: Finding[];
}

function report(ctx: Context, rule: Rule, path: FieldPath, message: string, severity: Severity = rule.severity, properties?: Record<string, unknown>): void {
  const finding: Finding = {
    ruleId: rule.id,
    severity,
    pillar: rule.pillar,
    message,
    object: ctx.object,
    fieldPath: formatFieldPath(path),
    remediation: rule.docs.remediation,
  };
  const position = ctx.locate(path);
  if (position) finding.position = position;
  if (properties) finding.properties = properties;
  ctx.findings.push(finding);
}

/**
 * Findings for one checked config: every reason kube-apiserver would refuse it, or, for a
 * valid config, its risks. Keys are judged but never quoted, not even in part: messages
 * name the provider, the key name and the field.
 */
export function encryptionFindings(check: ConfigCheck, object: ObjectRef): Finding[] {
  const ctx: Context = { object, locate: check.locate, findings: [] };
  if (!check.config || check.problems.length > 0) {
    for (const problem of check.problems) {
      const message = `kube-apiserver refuses this file: ${problem.field === "(document)" ? "" : `${problem.field}: `}${problem.message}`;
      const finding: Finding = {
        ruleId: INVALID_CONFIG.id,
        severity: INVALID_CONFIG.severity,
        pillar: INVALID_CONFIG.pillar,
        message: problem.hint ? `${message} (${problem.hint})` : message,
        object,
        remediation: INVALID_CONFIG.docs.remediation,
      };
      if (problem.field !== "(document)") finding.fieldPath = problem.field;
      if (problem.position) finding.position = problem.position;
      ctx.findings.push(finding);
    }
    return ctx.findings;
  }
  providerRisks(check.config, ctx);
  secretsCoverage(check.config, ctx);
  overlappingRules(check.config, ctx);
  reusedKeys(check.config, ctx);
  return ctx.findings;
}

function providerRisks(config: EncryptionConfiguration, ctx: Context): void {
  for (const [i, entry] of config.resources.entries()) {
    const names = entry.resources.join(", ");
    for (const [j, provider] of entry.providers.entries()) {
      const at: FieldPath = ["resources", i, "providers", j];
      const writer = j === 0;
      switch (provider.type) {
        case "identity":
          if (writer) {
            const only = entry.providers.length === 1;
            // An identity-only entry is the documented way to exclude resources (e.g. events)
            // from a later wildcard: a deliberate choice, reported as info. Secrets in such an
            // entry are reported by secrets-not-encrypted.
            report(
              ctx,
              IDENTITY_FIRST,
              [...at, "identity"],
              only
                ? `${names}: identity is the only provider, so these resources are deliberately stored unencrypted`
                : `${names}: identity is the first provider, so new writes are stored in plaintext; the ${entry.providers.length - 1} provider(s) after it only read`,
              only ? "info" : IDENTITY_FIRST.severity,
            );
          }
          break;
        case "kms":
          if (provider.kms.apiVersion === "v1") {
            report(
              ctx,
              KMS_V1,
              [...at, "kms", provider.kms.apiVersionDefaulted ? "name" : "apiVersion"],
              `${names}: kms provider ${JSON.stringify(provider.kms.name)} uses KMS v1${provider.kms.apiVersionDefaulted ? " (apiVersion omitted, which defaults to v1)" : ""}; kube-apiserver 1.29+ refuses it unless --feature-gates=KMSv1=true`,
            );
          }
          break;
        default: {
          for (const [k, key] of provider.keys.entries()) {
            const bytes = decodeStdBase64(key.secret);
            if (!bytes) continue;
            const keyPath = [...at, provider.type, "keys", k, "secret"];
            if (isPublishedExampleKey(bytes)) {
              report(ctx, EXAMPLE_KEY, keyPath, `${names}: ${provider.type} key ${JSON.stringify(key.name)} is a key published in the Kubernetes documentation or examples`);
            } else {
              const reason = lowEntropyReason(bytes);
              if (reason) report(ctx, LOW_ENTROPY_KEY, keyPath, `${names}: ${provider.type} key ${JSON.stringify(key.name)} is not random: ${reason}`);
            }
          }
          const typePath = [...at, provider.type];
          if (provider.type === "aescbc") {
            report(
              ctx,
              AESCBC,
              typePath,
              writer
                ? `${names}: new writes use aescbc, which has no integrity protection and is padding-oracle prone`
                : `${names}: aescbc is still accepted for reads, so tampered (malleable) aescbc values are accepted`,
              writer ? AESCBC.severity : "low",
            );
          }
          if (writer && provider.type === "aesgcm") {
            report(ctx, AESGCM_ROTATION, typePath, `${names}: new writes use aesgcm; its key must be rotated automatically (docs: every 200,000 writes)`);
          }
          if (writer && (provider.type === "aescbc" || provider.type === "secretbox")) {
            report(ctx, NO_ETCD_KEY_BINDING, typePath, `${names}: ${provider.type} does not bind values to their etcd key, so encrypted values can be moved between objects`);
          }
        }
      }
    }
  }
}

/** Which entry's providers Secrets get, exactly as the transformer lookup does. */
function secretsCoverage(config: EncryptionConfiguration, ctx: Context): void {
  for (const candidate of lookupOrder(parseGroupResource("secrets"))) {
    const key = groupResourceKey(candidate);
    for (const [i, entry] of config.resources.entries()) {
      const j = entry.resources.findIndex((r) => groupResourceKey(parseGroupResource(r)) === key);
      if (j < 0) continue;
      const first = entry.providers[0];
      if (first?.type === "identity") {
        report(
          ctx,
          SECRETS_NOT_ENCRYPTED,
          ["resources", i, "providers", 0],
          `Secrets match ${JSON.stringify(formatGroupResource(candidate))} in resources[${i}], whose first provider is identity: Secrets are written in plaintext`,
        );
      }
      return;
    }
  }
  report(ctx, SECRETS_NOT_ENCRYPTED, ["resources"], "no entry covers Secrets (secrets, *. or *.*), so they are stored in plaintext");
}

function overlappingRules(config: EncryptionConfiguration, ctx: Context): void {
  const firstEntry = new Map<string, number>();
  for (const [i, entry] of config.resources.entries()) {
    for (const [j, resource] of entry.resources.entries()) {
      const key = groupResourceKey(parseGroupResource(resource));
      const earlier = firstEntry.get(key);
      if (earlier === undefined) {
        firstEntry.set(key, i);
        continue;
      }
      if (earlier === i) continue;
      report(
        ctx,
        OVERLAPPING_RULES,
        ["resources", i, "resources", j],
        `${JSON.stringify(resource)} is already named in resources[${earlier}]: this entry's providers are only appended to that list for reads, and never write`,
      );
    }
  }
}

/** The same key bytes under more than one (entry, provider, key) place; compared decoded, never printed. */
function reusedKeys(config: EncryptionConfiguration, ctx: Context): void {
  const firstPlace = new Map<string, string>();
  for (const [i, entry] of config.resources.entries()) {
    for (const [j, provider] of entry.providers.entries()) {
      if (provider.type === "identity" || provider.type === "kms") continue;
      for (const [k, key] of provider.keys.entries()) {
        const bytes = decodeStdBase64(key.secret);
        if (!bytes) continue;
        const id = Buffer.from(bytes).toString("hex");
        const place = `resources[${i}].providers[${j}].${provider.type}.keys[${k}] (${JSON.stringify(key.name)})`;
        const earlier = firstPlace.get(id);
        if (earlier === undefined) {
          firstPlace.set(id, place);
          continue;
        }
        report(ctx, KEY_REUSED, ["resources", i, "providers", j, provider.type, "keys", k, "secret"], `${provider.type} key ${JSON.stringify(key.name)} is the same key as ${earlier}`);
      }
    }
  }
}

/**
 * For the control-plane audit: findings for the content of an --encryption-provider-config
 * file. Invalid content yields `encryption/invalid-config` findings, never an exception.
 */
export function auditEncryptionConfigurationFile(text: string, file: string, options: ValidateOptions = {}): Finding[] {
  const check = checkEncryptionConfigurationText(text, file, options);
  return encryptionFindings(check, { apiVersion: "apiserver.config.k8s.io/v1", kind: "EncryptionConfiguration", name: file });
}
