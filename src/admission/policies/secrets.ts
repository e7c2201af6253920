/**
 * Credentials at admission: a workload or ConfigMap that carries a credential inline is
 * judged by the same check as `palisade scan`'s secrets family (src/secrets/check.ts), so
 * CI and the cluster agree. Secrets themselves are where credentials belong: not judged.
 * Messages never hold the value (the API server shows them to the client and logs them).
 * An update is refused only for credentials it adds or changes: one that carries an object
 * written before the policy (a label, a finalizer removed, a debug container) goes through.
 */
import type { Finding } from "../../findings/types.js";
import { valueAt, type FieldPath, type K8sObject, type LoadedObject } from "../../k8s/types.js";
import { checkSecrets } from "../../secrets/check.js";
import { emptyVerdict, type AdmissionPolicy, type PolicyMode, type PolicyVerdict } from "../policy.js";
import type { AdmissionRequest } from "../review.js";

export const SECRETS_POLICY = "secrets";

const AT = { file: "<admission>", line: 1, column: 1 };

function appliesTo(request: AdmissionRequest): boolean {
  return (request.operation === "CREATE" || request.operation === "UPDATE") && (request.subResource === "" || request.subResource === "ephemeralcontainers") && request.kind.kind !== "Secret";
}

/**
 * The request's object's findings, each with the value of the field it points at: an
 * admission request has no file to point into, so every finding's position is a fresh
 * object that remembers the path it was asked for.
 */
function findingsWithValues(object: K8sObject): Array<{ finding: Finding; value: unknown }> {
  const paths = new Map<object, FieldPath>();
  const loaded: LoadedObject = {
    object,
    source: {
      file: AT.file,
      documentIndex: 0,
      position: AT,
      locate(path) {
        const position = { ...AT };
        paths.set(position, path);
        return position;
      },
    },
  };
  return checkSecrets(loaded).map((finding) => {
    const path = finding.position ? paths.get(finding.position) : undefined;
    return { finding, value: path === undefined ? undefined : valueAt(object, path) };
  });
}

/** What makes a finding the same as an earlier one: what it says, and the value it is about (held here, never shown). */
const identity = (finding: Finding, value: unknown) => `${finding.message}\u0000${JSON.stringify(value) ?? ""}`;

export function secretsPolicy(mode: PolicyMode): AdmissionPolicy {
  return {
    name: SECRETS_POLICY,
    mode,
    appliesTo,
    validate(context): PolicyVerdict {
      const verdict = emptyVerdict();
      const { object, oldObject } = context.request;
      if (!appliesTo(context.request) || object === null) return verdict;
      // The old object's findings, by what they say and the value they are about: a credential
      // replaced by another in the same place is new material, refused as an added one is.
      const before = new Map<string, number>();
      if (context.request.operation === "UPDATE" && oldObject !== null) {
        for (const { finding, value } of findingsWithValues(oldObject)) before.set(identity(finding, value), (before.get(identity(finding, value)) ?? 0) + 1);
      }
      for (const { finding, value } of findingsWithValues(object)) {
        const key = identity(finding, value);
        const known = before.get(key) ?? 0;
        if (known > 0) {
          before.set(key, known - 1);
          continue;
        }
        const container = finding.properties?.container;
        verdict.deny.push({
          policy: SECRETS_POLICY,
          rule: finding.ruleId.slice(finding.ruleId.indexOf("/") + 1),
          message: `${finding.message}: keep it in a Secret and refer to it`,
          ...(typeof container === "string" ? { container } : {}),
        });
      }
      return verdict;
    },
  };
}
