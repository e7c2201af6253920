/**
 * A CertificateSigningRequest manifest too large for kube-apiserver to read: MaxRequestBodyBytes
 * (3 MiB) of the body `kubectl create -f` sends, the object as compact JSON and a newline.
 */
import { describe, expect, it } from "vitest";
import { checkCertificateSigningRequests } from "../../../src/hardening/csr/family.js";
import { exceedsRequestBodyLimit, MAX_REQUEST_BODY_BYTES } from "../../../src/hardening/csr/request-body.js";
import { parseYamlFile } from "../../../src/k8s/parse.js";
import { emptySnapshot } from "../../../src/k8s/snapshot.js";
import type { K8sObject, LoadedObject } from "../../../src/k8s/types.js";
import { base64, csrManifest, makeRequest } from "./support.js";

const CLIENT = "kubernetes.io/kube-apiserver-client";

const scan = (objects: LoadedObject[]) => checkCertificateSigningRequests({ ...emptySnapshot(), objects });

/** The smallest limit an object's body fits in. */
function bodyBytes(object: K8sObject): number {
  let low = 1;
  let high = 1;
  while (exceedsRequestBodyLimit(object, high)) high *= 2;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (exceedsRequestBodyLimit(object, mid)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * A system:masters request behind padding that Go's pem.Decode skips (text before the BEGIN
 * line), in a manifest whose body is `size` bytes: for ASCII without <, > or &, encoding/json
 * writes what JSON.stringify does, and the Encoder adds a newline.
 */
async function manifestOfBodySize(size: number): Promise<LoadedObject> {
  const pem = await makeRequest({ subject: "CN=m, O=system:masters", key: "ecdsa" });
  const load = (padding: number, name: string) => parseYamlFile("csr.yaml", csrManifest(name, CLIENT, `${"x".repeat(padding)}\n${pem}`)).objects[0] as LoadedObject;
  const sizeOf = (loaded: LoadedObject) => Buffer.byteLength(JSON.stringify(loaded.object)) + 1;
  // Base64 grows 4 characters per 3 bytes: pad to within 3 bytes, then lengthen the name.
  const base = sizeOf(load(0, "m"));
  let padding = Math.floor(((size - base) / 4) * 3);
  while (sizeOf(load(padding, "m")) > size) padding--;
  const loaded = load(padding, `m${"n".repeat(size - sizeOf(load(padding, "m")))}`);
  expect(sizeOf(loaded)).toBe(size);
  return loaded;
}

describe("a CertificateSigningRequest over kube-apiserver's request body limit", () => {
  it("is judged as usual at exactly the limit, and refused as too large one byte over, without its request being read", async () => {
    const atLimit = await manifestOfBodySize(MAX_REQUEST_BODY_BYTES);
    expect(bodyBytes(atLimit.object)).toBe(MAX_REQUEST_BODY_BYTES);
    expect(scan([atLimit]).map((f) => f.ruleId)).toEqual(["csr/system-masters"]);

    const over = await manifestOfBodySize(MAX_REQUEST_BODY_BYTES + 1);
    const findings = scan([over]);
    expect(findings.map((f) => [f.ruleId, f.fieldPath])).toEqual([["csr/invalid-request", "spec.request"]]);
    const request = (over.object.spec as { request: string }).request;
    expect(findings[0]?.message).toBe(
      `the API server refuses this CertificateSigningRequest: the object is over 3145728 bytes (3 MiB) as JSON, the most kube-apiserver reads of a request body, and it answers 413 "Request entity too large: limit is 3145728"; spec.request alone is ${request.length} characters: put the base64 of the PEM request alone in spec.request (base64 -w0 < request.csr), a few kilobytes`,
    );
  });

  it("is reported once, as too large, whatever else validation would refuse in it", async () => {
    const yaml = csrManifest("huge", CLIENT, "A".repeat(MAX_REQUEST_BODY_BYTES), ["client auth", "client-auth"]).replace("spec:\n", "spec:\n  expirationSeconds: 60\n");
    const findings = scan(parseYamlFile("csr.yaml", yaml).objects);
    expect(findings.map((f) => f.ruleId)).toEqual(["csr/invalid-request"]);
    expect(findings[0]?.message).toContain("Request entity too large");
  });

  it("is refused for its size, not its content, however large and whatever it holds", async () => {
    const [loaded] = parseYamlFile("csr.yaml", csrManifest("huge", CLIENT, await makeRequest({ subject: "CN=alice" }))).objects as [LoadedObject];
    for (const request of ["A".repeat(64 * 1024 * 1024), "not base64! ".repeat(5 * 1024 * 1024), base64("-----BEGIN CERTIFICATE REQUEST-----\n").repeat(100_000)]) {
      const object = { ...loaded.object, spec: { ...(loaded.object.spec as object), request } };
      const findings = scan([{ ...loaded, object }]);
      expect(findings.map((f) => f.ruleId)).toEqual(["csr/invalid-request"]);
      expect(findings[0]?.message).toContain(`spec.request alone is ${request.length} characters: put the base64 of the PEM request alone in spec.request`);
    }
  });

  it("says so when the request is not what makes the object too large", async () => {
    const [loaded] = parseYamlFile("csr.yaml", csrManifest("annotated", CLIENT, await makeRequest({ subject: "CN=m, O=system:masters" }))).objects as [LoadedObject];
    const object = { ...loaded.object, metadata: { name: "annotated", annotations: { notes: "n".repeat(MAX_REQUEST_BODY_BYTES) } } };
    const findings = scan([{ ...loaded, object }]);
    expect(findings.map((f) => f.ruleId)).toEqual(["csr/invalid-request"]);
    expect(findings[0]?.message).toMatch(/Request entity too large: limit is 3145728"; spec\.request is not what makes it large: shrink the rest of the object/);
  });

  it("counts the object as encoding/json writes it: HTML characters and line separators escaped, UTF-8, a newline at the end", () => {
    expect(bodyBytes({ s: "<" })).toBe(`{"s":"\\u003c"}`.length + 1);
    expect(bodyBytes({ s: 'a&b>"' })).toBe(`{"s":"a\\u0026b\\u003e\\""}`.length + 1);
    // \n and \t are two bytes each (spec.request in a YAML block scalar keeps its line breaks), \u0001 six.
    expect(bodyBytes({ s: "a\nb\tc\u0001" })).toBe(`{"s":"a\\nb\\tc\\u0001"}`.length + 1);
    // é is 2 bytes, € 3, 😀 4, U+2028 is escaped (6).
    expect(bodyBytes({ s: "é€😀\u2028" })).toBe(`{"s":""}`.length + 2 + 3 + 4 + 6 + 1);
    const plain = { apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", metadata: { name: "x" }, spec: { request: "QUJD", usages: ["client auth"], expirationSeconds: 600, list: [true, false, null, [], {}] } };
    expect(bodyBytes(plain)).toBe(JSON.stringify(plain).length + 1);
  });
});
