import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { checkSecrets } from "../../src/secrets/check.js";
import { isLiteralCredential } from "../../src/secrets/credential-formats.js";

function judged(yaml: string) {
  const parsed = parseYamlFile("s.yaml", yaml);
  expect(parsed.problems).toEqual([]);
  return parsed.objects.flatMap(checkSecrets).map((f) => `${f.ruleId} ${f.fieldPath}: ${f.message}`);
}

// YAML reads each of these values as a number or a boolean: they are committed all the same.
const SECRET = `apiVersion: v1
kind: Secret
metadata: {name: s2, namespace: default}
stringData:
  password: 987654321012
  pin: 0x1F2E3D
  nested: {a: 55512345}
  flag: yes
data:
  tok2: 99887766
`;
const POD = (quote: (v: string) => string) => `apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: default}
spec:
  containers:
  - name: c
    image: nginx:1.2
    env:
    - {name: DB_PASSWORD, value: ${quote("24681357911")}}
    - {name: MAX_TOKEN_RETRIES, value: ${quote("3")}}
    args: [--password, ${quote("112233445566")}]
`;

describe("credentials YAML reads as numbers or booleans", () => {
  it("are counted among a Secret's values kept with the manifests (a mapping is no value)", () => {
    expect(judged(SECRET)).toEqual(["secrets/secret-in-repository stringData: 4 values in stringData and data (password, pin, flag, tok2) are kept in plain text with the manifests"]);
  });

  it("are reported as inline credentials, as their quoted text is, and never printed", () => {
    const unquoted = judged(POD((v) => v));
    expect(unquoted).toEqual(judged(POD((v) => JSON.stringify(v))));
    expect(unquoted).toEqual([
      'secrets/inline-credential spec.containers[0].env[0].value: container "c" env DB_PASSWORD is named as a credential and its value is written in the manifest',
      'secrets/inline-credential spec.containers[0].args[1]: container "c" args[1] passes --password a value written in the manifest, where every process on the node can read it',
    ]);
    for (const line of unquoted) expect(line).not.toMatch(/24681357911|112233445566/);
  });

  it("tell a long run of digits (a numeric password) from a setting's small number", () => {
    for (const value of ["0", "3", "8080", "86400", "1000000", "-1"]) expect(isLiteralCredential(value), value).toBe(false);
    for (const value of ["24681357911", "99887766", "0123456789"]) expect(isLiteralCredential(value), value).toBe(true);
  });
});
