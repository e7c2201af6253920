/**
 * A CertificateSigningRequest (certificates.k8s.io/v1) as the CSR rules see it: its signer,
 * usages, expiry and approval as written, and its request read once (request.ts). Every
 * rule is a small record with a pure check over this (rules.ts lists them).
 */
import type { Pillar, Rule, Severity } from "../../findings/types.js";
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import { exceedsRequestBodyLimit, tooLargeToSend } from "./request-body.js";
import { readCsrRequest, type CsrReading } from "./request.js";

export const CSR_API_VERSION = "certificates.k8s.io/v1";

export interface CsrObject {
  signerName: unknown;
  usages: unknown;
  expirationSeconds: unknown;
  /** Where the request stands (status, as read from a cluster; a manifest's status is dropped on create). */
  state: CsrState;
  request: CsrReading;
  /**
   * Read from a live cluster: the API server stored it, so it read the request body and ran
   * ParseCSR and CheckSignature on spec.request (pkg/apis/certificates/validation validateCSR)
   * at create, and again at every update, /status and /approval included, which keep the
   * spec unchanged. What it checked is not checked again.
   */
  fromCluster: boolean;
}

/**
 * issued: status.certificate is set. denied: a Denied condition (it can never be approved:
 * Approved and Denied exclude each other). failed: a Failed condition (the signer skips it
 * for good). approved: Approved, not yet signed. pending: none of these.
 */
export type CsrState = "pending" | "approved" | "issued" | "denied" | "failed";

export interface CsrVerdict {
  path: FieldPath;
  message: string;
}

export interface CsrRule extends Rule {
  check(csr: CsrObject): CsrVerdict[];
}

export function isCertificateSigningRequest(object: K8sObject): boolean {
  return object.kind === "CertificateSigningRequest" && object.apiVersion === CSR_API_VERSION;
}

export function readCsrObject(object: K8sObject, fromCluster = false): CsrObject {
  const spec = isRecord(object.spec) ? object.spec : {};
  const status = isRecord(object.status) ? object.status : {};
  return {
    signerName: spec.signerName,
    usages: spec.usages,
    expirationSeconds: spec.expirationSeconds,
    state: stateOf(status),
    // A manifest too large to send is never decoded: its request is not read either, which keeps a huge one cheap.
    request: !fromCluster && exceedsRequestBodyLimit(object) ? tooLargeToSend(spec.request) : readCsrRequest(spec.request),
    fromCluster,
  };
}

function stateOf(status: Record<string, unknown>): CsrState {
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  const holds = (type: string) => conditions.some((c) => isRecord(c) && c.type === type && c.status === "True");
  if (typeof status.certificate === "string" && status.certificate !== "") return "issued";
  if (holds("Denied")) return "denied";
  if (holds("Failed")) return "failed";
  return holds("Approved") ? "approved" : "pending";
}

/**
 * The usages when they are a list of strings; undefined otherwise (the API server cannot
 * decode the object, which invalid-spec.ts reports: no signer ever sees it).
 */
export function usagesOf(csr: CsrObject): string[] | undefined {
  if (csr.usages === undefined || csr.usages === null) return [];
  return Array.isArray(csr.usages) && csr.usages.every((u) => typeof u === "string") ? (csr.usages as string[]) : undefined;
}

export function csrRule(id: string, title: string, severity: Severity, pillar: Pillar, description: string, remediation: string, check: CsrRule["check"]): CsrRule {
  return { id: `csr/${id}`, title, family: "csr", pillar, severity, docs: { description, remediation, helpUri: "https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/" }, check };
}

export const REQUEST_PATH: FieldPath = ["spec", "request"];
export const USAGES_PATH: FieldPath = ["spec", "usages"];
