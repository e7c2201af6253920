/**
 * A CertificateSigningRequest (certificates.k8s.io/v1) as the CSR rules see it: its signer,
 * usages, expiry and approval as written, and its request read once (request.ts). Every
 * rule is a small record with a pure check over this (rules.ts lists them).
 */
import type { Pillar, Rule, Severity } from "../../findings/types.js";
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import { readCsrRequest, type CsrReading } from "./request.js";

export const CSR_API_VERSION = "certificates.k8s.io/v1";

export interface CsrObject {
  signerName: unknown;
  usages: unknown;
  expirationSeconds: unknown;
  /** status.conditions holds Approved=True: a signer may already have issued its certificate. */
  approved: boolean;
  request: CsrReading;
}

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

export function readCsrObject(object: K8sObject): CsrObject {
  const spec = isRecord(object.spec) ? object.spec : {};
  const status = isRecord(object.status) ? object.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return {
    signerName: spec.signerName,
    usages: spec.usages,
    expirationSeconds: spec.expirationSeconds,
    approved: conditions.some((c) => isRecord(c) && c.type === "Approved" && c.status === "True"),
    request: readCsrRequest(spec.request),
  };
}

/** The usages as strings (a non-string usage is the API server's to refuse: invalid-spec.ts). */
export function usagesOf(csr: CsrObject): string[] {
  return Array.isArray(csr.usages) ? csr.usages.filter((u): u is string => typeof u === "string") : [];
}

export function csrRule(id: string, title: string, severity: Severity, pillar: Pillar, description: string, remediation: string, check: CsrRule["check"]): CsrRule {
  return { id: `csr/${id}`, title, family: "csr", pillar, severity, docs: { description, remediation, helpUri: "https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/" }, check };
}

export const REQUEST_PATH: FieldPath = ["spec", "request"];
export const USAGES_PATH: FieldPath = ["spec", "usages"];
