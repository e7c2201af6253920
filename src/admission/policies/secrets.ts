/**
 * Credentials at admission: a workload or ConfigMap that carries a credential inline is
 * judged by the same check as `palisade scan`'s secrets family (src/secrets/check.ts), so
 * CI and the cluster agree. Secrets themselves are where credentials belong: not judged.
 * Messages never hold the value (the API server shows them to the client and logs them).
 * An update is refused only for credentials it adds: one that carries an object written
 * before the policy (a label, a finalizer removed, a debug container) goes through.
 */
import type { K8sObject, LoadedObject } from "../../k8s/types.js";
import { checkSecrets } from "../../secrets/check.js";
import { emptyVerdict, type AdmissionPolicy, type PolicyMode, type PolicyVerdict } from "../policy.js";
import type { AdmissionRequest } from "../review.js";

export const SECRETS_POLICY = "secrets";

const AT = { file: "<admission>", line: 1, column: 1 };

function appliesTo(request: AdmissionRequest): boolean {
  return (request.operation === "CREATE" || request.operation === "UPDATE") && (request.subResource === "" || request.subResource === "ephemeralcontainers") && request.kind.kind !== "Secret";
}

/** The request's object as the scan's checks take it; an admission request has no file to point into. */
function asLoaded(object: K8sObject): LoadedObject {
  return { object, source: { file: AT.file, documentIndex: 0, position: AT, locate: () => AT } };
}

export function secretsPolicy(mode: PolicyMode): AdmissionPolicy {
  return {
    name: SECRETS_POLICY,
    mode,
    appliesTo,
    validate(context): PolicyVerdict {
      const verdict = emptyVerdict();
      const { object, oldObject } = context.request;
      if (!appliesTo(context.request) || object === null) return verdict;
      // The old object's findings, by message (which names container, variable and kind, never the value).
      const before = new Map<string, number>();
      if (context.request.operation === "UPDATE" && oldObject !== null) {
        for (const finding of checkSecrets(asLoaded(oldObject))) before.set(finding.message, (before.get(finding.message) ?? 0) + 1);
      }
      for (const finding of checkSecrets(asLoaded(object))) {
        const known = before.get(finding.message) ?? 0;
        if (known > 0) {
          before.set(finding.message, known - 1);
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
