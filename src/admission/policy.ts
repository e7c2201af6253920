/**
 * The policy layer: every admission policy (Pod Security, PSP, NodeRestriction, tenancy,
 * images) is a small object with a name, a mode and pure `validate`/`mutate` functions over
 * an AdmissionContext. The pipeline (pipeline.ts) applies modes and exceptions uniformly, so
 * a policy only says what it finds.
 */
import type { JsonPatchOperation } from "../findings/types.js";
import type { Labels } from "../k8s/labels.js";
import type { K8sObject } from "../k8s/types.js";
import type { AdmissionRequest, StatusDetails } from "./review.js";

/**
 * enforce: violations deny. warn: they become warnings. audit: they become audit
 * annotations. dry-run: they are only logged and counted, the response is unchanged.
 */
export const POLICY_MODES = ["enforce", "warn", "audit", "dry-run"] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

export interface Violation {
  policy: string;
  /** Rule id inside the policy (e.g. PSA check id `privileged`, `node-restriction.other-node`). */
  rule: string;
  message: string;
  container?: string;
}

/** What one policy says about one request, before its mode is applied. */
export interface PolicyVerdict {
  /** Violations that deny the request when the policy enforces. */
  deny: Violation[];
  /** Messages that are warnings whatever the mode (e.g. PSA warn labels on workloads). */
  warn: string[];
  /** Audit annotations (keys without the webhook prefix). */
  audit: Record<string, string>;
  /** Overrides the message of a denial (PSA formats its own aggregate message). */
  denyMessage?: string;
  /** HTTP code of the denial: 403 by default, 422 for invalid labels, 400 for undecodable objects, 500 when a lookup failed. */
  denyCode?: number;
  /** metav1.StatusDetails of the denial (what PSA's Forbidden and Invalid statuses carry). */
  denyDetails?: StatusDetails;
}

export function emptyVerdict(): PolicyVerdict {
  return { deny: [], warn: [], audit: {} };
}

/** What the webhook knows of the cluster: learnt from admission requests and seed manifests. */
export interface ClusterView {
  namespaceLabels(name: string): Labels | undefined;
  /**
   * True when the namespaces known are all there are (listed from the API server): a name
   * missing then is a namespace that does not exist, not one this server has not heard of.
   */
  namespacesComplete?(): boolean;
  podsInNamespace(namespace: string): readonly K8sObject[];
  node(name: string): K8sObject | undefined;
}

export const EMPTY_CLUSTER: ClusterView = {
  namespaceLabels: () => undefined,
  podsInNamespace: () => [],
  node: () => undefined,
};

export interface AdmissionContext {
  request: AdmissionRequest;
  cluster: ClusterView;
  /** True when an exception covers this rule (and container) for this request; records the use. */
  excepted(policy: string, rule: string, container?: string): boolean;
  /**
   * When the API server stops waiting for this request (the ?timeout= of its webhook call),
   * in performance.now() milliseconds; absent when it did not say. Long checks stay within it.
   */
  deadline?: number;
}

export interface AdmissionPolicy {
  readonly name: string;
  readonly mode: PolicyMode;
  /**
   * Optional pre-check, cheap and exact: false only when neither validate nor mutate could
   * say anything about this request, so the pipeline skips the policy altogether.
   */
  appliesTo?(request: AdmissionRequest): boolean;
  /** Patch operations against request.object, applied in order by /mutate. */
  mutate?(context: AdmissionContext): JsonPatchOperation[];
  validate(context: AdmissionContext): PolicyVerdict;
  /**
   * Loads, once when a server starts, what the policy would otherwise load on the first
   * request that needs it, so that request does not wait for it.
   */
  warmUp?(): void;
}
