/**
 * spec.request that the API server refuses: in an object too large for it to read at all
 * (request-body.ts), then as validation has it (pkg/apis/certificates/validation validateCSR):
 * no PEM CERTIFICATE REQUEST block first, a block that does not parse, or a
 * signature that does not verify with the request's own key. The object is never stored.
 * The signature of an object read from a live cluster is not checked again: the API server
 * verified it before storing it, and at every update since (model.ts, fromCluster).
 * Messages say what is wrong with the field, never its content.
 */
import { csrRule, REQUEST_PATH } from "./model.js";
import { signatureProblem } from "./signature.js";

export const invalidRequestRule = csrRule(
  "invalid-request",
  "A certificate request the API server cannot read or verify",
  "medium",
  "platform",
  "The API server admits a CertificateSigningRequest only when spec.request is the base64 of a PEM CERTIFICATE REQUEST block (the first block in it) that parses as PKCS#10 and whose signature verifies with the key it carries (proof that the requester holds the private key). Otherwise it refuses the object (spec.request: Invalid value), and the manifest never applies. Before any of that, it reads at most 3 MiB of a request body: an object larger than that as JSON (in practice, a spec.request of megabytes) is refused whole (413 Request entity too large).",
  "Put the base64 of the PEM request alone in spec.request (base64 -w0 < request.csr): a certificate request is a few kilobytes, so megabytes there are something else encoded by mistake. Regenerate the request (openssl req -new -key KEY) if it was edited after signing.",
  (csr) => {
    if ("problem" in csr.request) {
      // Not text at all, or text that is not base64: encoding/json refuses it before validation,
      // and manifest/string-expected or manifest/invalid-base64 reports it, as for every []byte field.
      if (csr.request.stage === "type" || csr.request.stage === "base64") return [];
      const what = csr.request.stage === "too-large" ? csr.request.problem : `spec.request: Invalid value: ${csr.request.problem}`;
      return [{ path: REQUEST_PATH, message: `the API server refuses this CertificateSigningRequest: ${what}` }];
    }
    if (csr.fromCluster) return [];
    const problem = signatureProblem(csr.request.facts.signedParts);
    return problem ? [{ path: REQUEST_PATH, message: `the API server refuses this CertificateSigningRequest: spec.request: Invalid value: the request's signature does not verify: ${problem}` }] : [];
  },
);
