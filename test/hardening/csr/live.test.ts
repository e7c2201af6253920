/**
 * CertificateSigningRequests read from a live cluster (`palisade scan --cluster`): the API
 * server ran ParseCSR and CheckSignature on every stored request, at create and at every
 * update since, so the signature is not verified again; everything else is judged as for a
 * manifest.
 */
import { describe, expect, it } from "vitest";
import type { Finding } from "../../../src/findings/types.js";
import { checkCertificateSigningRequests } from "../../../src/hardening/csr/family.js";
import { parseYamlFile } from "../../../src/k8s/parse.js";
import { emptySnapshot } from "../../../src/k8s/snapshot.js";
import { liveSourceName } from "../../../src/k8s/types.js";
import { csrManifest, makeRequest, withBadSignature } from "./support.js";

const CLIENT = "kubernetes.io/kube-apiserver-client";

function scanAs(file: string, yaml: string): Array<[string, string]> {
  const findings: Finding[] = checkCertificateSigningRequests({ ...emptySnapshot(), objects: parseYamlFile(file, yaml).objects });
  return findings.map((f) => [f.ruleId, f.message]);
}

describe("CertificateSigningRequests read from a live cluster", () => {
  it.each(["rsa", "ecdsa"] as const)("do not have their %s signature verified again, where a manifest does", async (key) => {
    const yaml = csrManifest("tampered", CLIENT, withBadSignature(await makeRequest({ subject: "CN=alice", key })));
    expect(scanAs("csr.yaml", yaml).map(([ruleId]) => ruleId)).toEqual(["csr/invalid-request"]);
    expect(scanAs(liveSourceName("prod"), yaml)).toEqual([]);
    expect(scanAs(liveSourceName(undefined), yaml)).toEqual([]);
  });

  it("are still read and judged: a system:masters request is reported whatever its signature", async () => {
    const yaml = csrManifest("break-glass", CLIENT, withBadSignature(await makeRequest({ subject: "CN=m, O=system:masters", key: "ecdsa" })));
    expect(scanAs(liveSourceName("prod"), yaml).map(([ruleId]) => ruleId)).toEqual(["csr/system-masters"]);
    expect(scanAs("csr.yaml", yaml).map(([ruleId]) => ruleId)).toEqual(["csr/system-masters", "csr/invalid-request"]);
  });

  it("are not measured against the request body limit: the API server has stored them", async () => {
    const pem = await makeRequest({ subject: "CN=m, O=system:masters", key: "ecdsa" });
    const yaml = csrManifest("huge", CLIENT, `${"x".repeat(3 * 1024 * 1024)}\n${pem}`);
    expect(scanAs(liveSourceName("prod"), yaml).map(([ruleId]) => ruleId)).toEqual(["csr/system-masters"]);
    expect(scanAs("csr.yaml", yaml).map(([ruleId]) => ruleId)).toEqual(["csr/invalid-request"]);
  });
});
