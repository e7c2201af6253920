/**
 * kubelet/config-refused: a KubeletConfiguration field of the wrong type fails the kubelet's
 * decoding of the whole file (DecodeKubeletConfiguration's lenient fallback forgives unknown
 * fields, not types), so it exits; the field is not read as unset.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

const CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook: {enabled: true}
  x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
authorization: {mode: Webhook}
protectKernelDefaults: true
rotateCertificates: true
seccompDefault: true
readOnlyPort: 0
`;

function judge(text: string) {
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile("config.yaml", text).objects };
  return checkControlPlane(snapshot).map((f) => `${f.ruleId} ${f.fieldPath} | ${f.message}`);
}
const replace = (from: string, to: string) => {
  if (!CONFIG.includes(from)) throw new Error(`fixture has no ${from}`);
  return CONFIG.replace(from, to);
};

describe("kubelet/config-refused", () => {
  it("a quoted port: the file is refused in the kubelet's words, and the port is not taken for closed", () => {
    expect(judge(CONFIG)).toEqual([]);
    expect(judge(replace("readOnlyPort: 0", 'readOnlyPort: "10255"'))).toEqual([
      "kubelet/config-refused readOnlyPort | readOnlyPort is text where the kubelet takes a whole number (int32): the kubelet cannot load this file and exits, so none of its settings is in force (failed to decode: json: cannot unmarshal string into Go struct field KubeletConfiguration.readOnlyPort of type int32)",
    ]);
  });

  it("several: only the first as the kubelet decodes (sorted keys), and no rule reads a mistyped field as set or unset", () => {
    const text = replace("    enabled: false", '    enabled: "false"').replace("readOnlyPort: 0", 'readOnlyPort: "10255"').replace("rotateCertificates: true", 'rotateCertificates: "true"');
    expect(judge(text)).toEqual([
      "kubelet/config-refused authentication.anonymous.enabled | authentication.anonymous.enabled is text where the kubelet takes a boolean: the kubelet cannot load this file and exits, so none of its settings is in force (failed to decode: json: cannot unmarshal string into Go struct field KubeletAnonymousAuthentication.authentication.anonymous.enabled of type bool)",
    ]);
  });

  it("names a number an int32 cannot hold, and a named string type as Go does", () => {
    expect(judge(replace("readOnlyPort: 0", "readOnlyPort: 1.5"))[0]).toContain("(failed to decode: json: cannot unmarshal number 1.5 into Go struct field KubeletConfiguration.readOnlyPort of type int32)");
    expect(judge(replace("authorization: {mode: Webhook}", "authorization: {mode: 5}"))[0]).toContain("(failed to decode: json: cannot unmarshal number into Go struct field KubeletAuthorization.authorization.mode of type v1beta1.KubeletAuthorizationMode)");
  });

  it("property: any judged boolean written as quoted text refuses the file at that field, and gives no other finding", () => {
    const booleans = ["protectKernelDefaults", "rotateCertificates", "seccompDefault"] as const;
    fc.assert(
      fc.property(fc.constantFrom(...booleans), fc.constantFrom('"true"', '"false"', "1", "[true]"), (field, written) => {
        const found = judge(replace(`${field}: true`, `${field}: ${written}`));
        expect(found).toHaveLength(1);
        expect(found[0]).toMatch(new RegExp(`^kubelet/config-refused ${field} \\| ${field} is `));
      }),
    );
  });
});
