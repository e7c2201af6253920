import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { decodeStdBase64, stdBase64ErrorOffset } from "../../src/k8s/go-base64.js";
import { parseJsonFile, parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { apiTypes } from "../../src/manifest/api-schema.js";
import { notBase64Reason } from "../../src/manifest/describe-base64.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { runScan } from "../../src/scan/run.js";
import { palisade } from "../support/cli-in-process.js";
import { goBase64OracleUnavailable, goDecodeBytes } from "../support/go-base64-oracle.js";

const RULE = "manifest/invalid-base64";

function manifestFindings(objects: ReturnType<typeof parseYamlFile>["objects"]): Finding[] {
  return manifestFamily.check({ ...emptySnapshot(), objects }, {}).filter((f) => f.ruleId === RULE);
}
const yamlFindings = (yaml: string) => manifestFindings(parseYamlFile("m.yaml", yaml).objects);
const secret = (data: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n${data}\n`;

/** Go's offset from its error, or undefined for a value it decodes. */
function goOffset(answer: string): number | undefined {
  if (answer.startsWith("ok ")) return undefined;
  const m = /^illegal base64 data at input byte (\d+)$/.exec(answer);
  if (!m) throw new Error(`unexpected answer from Go: ${answer}`);
  return Number(m[1]);
}

describe("Go's base64.StdEncoding as encoding/json decodes a []byte field", () => {
  // Each with what Go answers (worked out from decodeQuantum, and held to Go itself below).
  const CASES: Array<[string, number | undefined]> = [
    ["", undefined],
    ["QUJD", undefined],
    ["QQ==", undefined],
    ["QUI=", undefined],
    ["QR==", undefined], // StdEncoding is not Strict: stray low bits are accepted
    ["QUJD\nREVG\n", undefined],
    ["QUJD\r\nREVG\r\n\n", undefined],
    ["Q\nU\nJ\nD", undefined],
    ["QQ=\n=", undefined],
    ["QQ==\n\n", undefined],
    ["QQ", 0], // unpadded: the last group is refused at its start
    ["QUJ", 0],
    ["QUJDQQ", 4],
    ["aGVsbG8", 4],
    ["hunter2", 4],
    ["Q", 0],
    ["QU\nJ", 1], // Go counts back the group's digits from the end, line breaks aside
    ["Q\n\nUJ", 2],
    ["QQ=", 3], // one `=` of two: refused at the end
    ["QQ=A", 2],
    ["QQ=\nA", 3],
    ["=QQQ", 0],
    ["Q===", 1],
    ["QUJD=", 4],
    ["QQ==QQ==", 4], // nothing may follow the padding
    ["QUI=\nQ", 5],
    ["QUJD REVG", 4],
    ["QUJD\tREVG", 4],
    ["a-_b", 1], // URL-safe base64
    ["QUJDé", 4],
    ["éQUJD", 0],
  ];

  it.each(CASES)("%j: %s", (text, offset) => {
    expect(stdBase64ErrorOffset(text)).toBe(offset);
    // The project's decoder agrees on which texts decode.
    expect(decodeStdBase64(text) !== undefined).toBe(offset === undefined);
  });

  it.skipIf(goBase64OracleUnavailable)("names the byte Go names, for the cases above and for random text over base64's characters, line breaks and others (Go oracle)", () => {
    const characters = fc.constantFrom("A", "Q", "z", "0", "+", "/", "=", "=", "\n", "\r", " ", "-", "_", "é", "\u{1F600}");
    const near = fc.array(characters, { maxLength: 14 }).map((c) => c.join(""));
    // Valid base64 with one character changed, dropped or added: the mistakes people make.
    const damaged = fc
      .tuple(fc.uint8Array({ maxLength: 20 }), fc.nat(), characters, fc.constantFrom("replace", "drop", "insert", "wrap"))
      .map(([bytes, at, c, how]) => {
        const text = Buffer.from(bytes).toString("base64");
        const i = text.length === 0 ? 0 : at % text.length;
        if (how === "replace") return text.slice(0, i) + c + text.slice(i + 1);
        if (how === "drop") return text.slice(0, i) + text.slice(i + 1);
        if (how === "insert") return text.slice(0, i) + c + text.slice(i);
        return text.replace(/.{1,5}/g, "$&\n");
      });
    const texts = [...CASES.map(([text]) => text), ...fc.sample(fc.oneof(near, damaged, fc.string({ maxLength: 12 })), 4000)];
    const answers = goDecodeBytes(texts);
    const differ = texts.flatMap((text, i) => {
      const go = goOffset(answers[i] as string);
      const ours = stdBase64ErrorOffset(text);
      return go === ours ? [] : [{ text, go, ours }];
    });
    expect(differ).toEqual([]);
    // Not vacuous: both answers come up often.
    const refused = answers.filter((a) => !a.startsWith("ok ")).length;
    expect(refused).toBeGreaterThan(texts.length / 4);
    expect(texts.length - refused).toBeGreaterThan(texts.length / 10);
    // And the length of what decodes is Go's too (the validity the loader's !!binary relies on).
    texts.forEach((text, i) => {
      const answer = answers[i] as string;
      if (answer.startsWith("ok ")) expect(decodeStdBase64(text)?.length, JSON.stringify(text)).toBe(Number(answer.slice(3)));
    });
  });

  it("classifies why Go stopped without keeping the text", () => {
    const reason = (text: string) => notBase64Reason(text, stdBase64ErrorOffset(text) as number);
    expect(["QUJD REVG", "a-_b", "QUJDé"].map(reason)).toEqual(["character", "character", "character"]);
    expect(["QQ", "hunter2", "QQ=", "Q\n\nUJ", "QU\nJ"].map(reason)).toEqual(["unpadded", "unpadded", "unpadded", "unpadded", "unpadded"]);
    expect(["=QQQ", "Q===", "QQ=A", "QQ=\nA", "QUJD="].map(reason)).toEqual(["padding", "padding", "padding", "padding", "padding"]);
    expect(["QQ==QQ==", "QUI=\nQ"].map(reason)).toEqual(["trailing", "trailing"]);
  });

  it("knows every []byte field of the API table: the OpenAPI strings of format byte", () => {
    const bytesFields = Object.entries(apiTypes()).flatMap(([model, fields]) => Object.entries(fields).filter(([, encoded]) => encoded.replace(/^(\[\]|\{\})+/, "") === "64").map(([field]) => `${model}.${field}`));
    expect(bytesFields.sort()).toEqual([
      "AdmissionregistrationV1WebhookClientConfig.caBundle",
      "ApiextensionsV1WebhookClientConfig.caBundle",
      "V1APIServiceSpec.caBundle",
      "V1CertificateSigningRequestSpec.request",
      "V1CertificateSigningRequestStatus.certificate",
      "V1ConfigMap.binaryData",
      "V1Secret.data",
    ]);
  });
});

describe("manifest/invalid-base64", () => {
  it("reports a Secret's data value that is not base64 at its key, with Go's offset and the value's length, never the value", () => {
    const yaml = secret("  username: YWRtaW4=\n  password: hunter2");
    const findings = yamlFindings(yaml);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: RULE,
      severity: "medium",
      fieldPath: "data.password",
      position: { file: "m.yaml", line: 6, column: 3 },
      properties: { offset: 4, length: 7 },
      message:
        'data.password is not base64 as the API server decodes it ("illegal base64 data at input byte 4" in a value of 7 bytes: its last group of characters lacks the = padding that Go\'s StdEncoding requires), so it refuses this object; plain text belongs under stringData',
    });
    expect(JSON.stringify(findings)).not.toMatch(/hunt|unte|nter|ter2/);
  });

  it("accepts padded base64, base64 over several lines of a | block, an empty value and null", () => {
    const yaml = secret("  a: aHVudGVyMg==\n  b: |\n    LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1J\n    SUJrVENCK3dJSkFLSFwKLS0tLS1FTkQgQ0VSVElG\n    SUNBVEUtLS0tLQo=\n  c: ''\n  d: null\n  e: aHVudGVyMjA=");
    expect(yamlFindings(yaml)).toEqual([]);
  });

  it("refuses unpadded base64, as Go's StdEncoding does (base64 -w0 pads; some encoders do not)", () => {
    const findings = yamlFindings(secret("  token: aHVudGVyMg"));
    expect(findings.map((f) => [f.fieldPath, f.properties])).toEqual([["data.token", { offset: 8, length: 10 }]]);
  });

  it("judges a block scalar as the text kubectl sends: a folded > block turns its line breaks into spaces, which Go refuses", () => {
    const folded = yamlFindings(secret("  cert: >\n    LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1J\n    SUJrVENCK3dJSkFLSFwKLS0tLS1FTkQgQ0VSVElG\n    SUNBVEUtLS0tLQo="));
    expect(folded.map((f) => [f.fieldPath, f.properties, f.message.includes("a character outside the standard base64 alphabet")])).toEqual([["data.cert", { offset: 40, length: 99 }, true]]);
    // A literal block with a blank line in it, and its final line break kept (|+): line breaks only.
    expect(yamlFindings(secret("  cert: |+\n    QUJD\n\n    REVG\n\n"))).toEqual([]);
  });

  it("judges !!binary as kubectl does: sigs.k8s.io/yaml decodes it once, and the API server decodes the result again", () => {
    // base64("QUJD") is base64 of base64: what is sent is "QUJD", which decodes.
    expect(yamlFindings(secret("  twice: !!binary UVVKRA=="))).toEqual([]);
    // base64("hello"): what is sent is "hello", which is not base64.
    expect(yamlFindings(secret("  once: !!binary aGVsbG8=")).map((f) => [f.fieldPath, f.properties])).toEqual([["data.once", { offset: 4, length: 5 }]]);
  });

  it("reads JSON input's escapes first: \\n in a JSON string is a line break, which Go skips; \\t is not", () => {
    const json = (value: string) => `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},\n "data": {"k": ${value}}}`;
    expect(manifestFindings(parseJsonFile("s.json", json(String.raw`"QUJD\nREVG"`)).objects)).toEqual([]);
    const findings = manifestFindings(parseJsonFile("s.json", json(String.raw`"QUJD\tREVG"`)).objects);
    expect(findings.map((f) => [f.fieldPath, f.properties, f.position?.line])).toEqual([["data.k", { offset: 4, length: 9 }, 2]]);
  });

  it("reports every []byte field: ConfigMap binaryData, webhook, APIService and CRD conversion caBundles, a CSR's request", () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {plain: not base64 at all}
binaryData: {blob: "AAEC AwQF"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: v}
webhooks:
- name: a.example.com
  clientConfig: {caBundle: LS0tLS1CRUdJTg==, service: {name: s, namespace: n}}
  sideEffects: None
  admissionReviewVersions: [v1]
- name: b.example.com
  clientConfig:
    caBundle: LS0tLS1CRUdJTg
  sideEffects: None
  admissionReviewVersions: [v1]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: m}
webhooks:
- name: c.example.com
  clientConfig: {caBundle: "LS0t_LS1", url: "https://example.com"}
  sideEffects: None
  admissionReviewVersions: [v1]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
spec: {group: example.com, version: v1, groupPriorityMinimum: 1, versionPriority: 1, caBundle: "Zm9v=="}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  group: example.com
  names: {kind: Thing, plural: things}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig: {caBundle: "QQ=", url: "https://example.com"}
---
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: csr}
spec:
  signerName: example.com/signer
  usages: [digital signature]
  request: -----BEGIN CERTIFICATE REQUEST-----
`;
    const findings = yamlFindings(yaml);
    expect(findings.map((f) => [f.object?.kind, f.fieldPath, f.properties, f.position?.line])).toEqual([
      ["ConfigMap", "binaryData.blob", { offset: 4, length: 9 }, 5],
      ["ValidatingWebhookConfiguration", "webhooks[1].clientConfig.caBundle", { offset: 12, length: 14 }, 17],
      ["MutatingWebhookConfiguration", "webhooks[0].clientConfig.caBundle", { offset: 4, length: 8 }, 26],
      ["APIService", "spec.caBundle", { offset: 4, length: 6 }, 33],
      ["CustomResourceDefinition", "spec.conversion.webhook.clientConfig.caBundle", { offset: 3, length: 3 }, 47],
      ["CertificateSigningRequest", "spec.request", { offset: 0, length: 35 }, 55],
    ]);
    expect(findings[0]?.message).toMatch(/; plain text belongs under data$/);
    expect(findings[1]?.message).toMatch(/: it holds the base64 of the PEM CA certificates \(base64 -w0 < ca\.crt\)$/);
    expect(findings[5]?.message).toMatch(/: it holds the base64 of the PEM request \(base64 -w0 < request\.csr\)$/);
  });

  it("is the one report of a CSR request that is not base64: the CSR family leaves the decode error to it", () => {
    const yaml = `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: csr}
spec:
  signerName: kubernetes.io/kube-apiserver-client
  usages: [client auth]
  request: "-----BEGIN CERTIFICATE REQUEST-----\\nMIIB\\n-----END CERTIFICATE REQUEST-----\\n"
`;
    const findings = runScan({ ...emptySnapshot(), objects: parseYamlFile("csr.yaml", yaml).objects }, {}).findings.filter((f) => f.fieldPath === "spec.request");
    expect(findings.map((f) => f.ruleId)).toEqual([RULE]);
  });

  it("leaves the values SOPS encrypted (ENC[...]) to SOPS, which puts the base64 back before apply; a value it left as written is judged", () => {
    const yaml = `apiVersion: v1
kind: Secret
metadata: {name: s}
data:
  password: ENC[AES256_GCM,data:q0x1Zw==,iv:3Yk9q7Ow0YyR6YtQpxYl0A==,tag:Xk1b3S0mR2q8r1YbQ8s9dw==,type:str]
  plain_unencrypted: hunter2
sops:
  mac: ENC[AES256_GCM,data:abc,type:str]
  version: 3.8.1
`;
    expect(yamlFindings(yaml).map((f) => f.fieldPath)).toEqual(["data.plain_unencrypted"]);
    // Without SOPS' metadata, ENC[...] is what kubectl sends, and Go refuses its [.
    expect(yamlFindings(yaml.replace(/^sops:[\s\S]*/m, "")).map((f) => [f.fieldPath, f.properties?.offset])).toEqual([
      ["data.password", 3],
      ["data.plain_unencrypted", 4],
    ]);
  });

  it("is listed and documented by palisade rules", async () => {
    const { stdout } = await palisade(["rules", RULE]);
    expect(stdout).toContain(`${RULE}  [medium, platform]`);
    expect(stdout).toContain("Remediation: Encode the value with `base64 -w0`");
  });

  it("leaves fields that are text, not bytes, alone: stringData, ConfigMap data, annotations", () => {
    const yaml = `apiVersion: v1
kind: Secret
metadata: {name: s, annotations: {note: "not base64!"}}
stringData: {password: "hunter2!"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {password: "hunter2!"}
`;
    expect(yamlFindings(yaml)).toEqual([]);
  });

  it("is not the report of a value that is not text at all (manifest/string-expected's)", () => {
    const findings = manifestFamily.check({ ...emptySnapshot(), objects: parseYamlFile("m.yaml", secret("  num: 1234\n  flag: true")).objects }, {});
    expect(findings.map((f) => [f.ruleId, f.fieldPath])).toEqual([
      ["manifest/string-expected", "data.num"],
      ["manifest/string-expected", "data.flag"],
    ]);
  });
});

describe("manifest/invalid-base64 never prints the value", () => {
  // Values no message could hold by chance: capital letters and digits mixed, each with one flaw.
  const VALUES = ["Zx9QkW7mR3tY5p2Lv8N-c4Hj", "Pq7VwX2bK9dM4nT6", "Jy3RfG8sL1hQ"];
  const MANIFEST = `apiVersion: v1
kind: Secret
metadata: {name: db}
data:
  password: ${VALUES[0]}
  api-token: |
    ${VALUES[1]}
    ${VALUES[2]}=
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
binaryData: {keystore: "${VALUES[1]}_"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: v}
webhooks:
- name: a.example.com
  clientConfig: {caBundle: "${VALUES[2]}!", url: "https://example.com"}
  sideEffects: None
  admissionReviewVersions: [v1]
`;
  /** Every four characters in a row of any value. */
  const PARTS = VALUES.flatMap((v) => Array.from({ length: v.length - 3 }, (_, i) => v.slice(i, i + 4)));

  it.each(["text", "wide", "json", "yaml", "sarif", "junit", "github"])("in %s output, with every family's findings", async (format) => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-base64-"));
    writeFileSync(join(dir, "m.yaml"), MANIFEST);
    const { stdout, stderr } = await palisade(["scan", join(dir, "m.yaml"), "-o", format, "--no-color"]);
    expect(stdout).toContain("manifest/invalid-base64");
    expect(stdout).toContain("illegal base64 data at input byte");
    const leaked = PARTS.filter((part) => stdout.includes(part) || stderr.includes(part));
    expect(leaked).toEqual([]);
  });
});
