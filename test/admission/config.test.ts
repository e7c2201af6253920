import { describe, expect, it } from "vitest";
import { parseExceptions, parseWebhookConfig } from "../../src/admission/config.js";
import { ConfigSource } from "../../src/admission/config-source.js";
import { parsePodSecurityConfiguration } from "../../src/admission/psa-config.js";
import { UserError } from "../../src/errors.js";

const noFiles = (path: string): { file: string; text: string } => {
  throw new Error(`ENOENT ${path}`);
};

function errorOf(text: string, readFile = noFiles): string {
  try {
    parseWebhookConfig("cfg.yaml", text, readFile);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).describe();
  }
  throw new Error("expected a UserError");
}

const HEAD = "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\n";

describe("webhook configuration errors name file:line:column, what was expected and a hint", () => {
  it("unknown fields, with the allowed ones", () => {
    expect(errorOf(`${HEAD}policies:\n  podSecurty: {mode: enforce}\n`)).toMatch(/^cfg\.yaml:4:3: policies\.podSecurty: unknown field "podSecurty"\n {2}hint: expected one of: podSecurity, /);
  });

  it("invalid modes", () => {
    expect(errorOf(`${HEAD}policies:\n  images:\n    mode: block\n`)).toMatch(/^cfg\.yaml:5:11: policies\.images\.mode: invalid value "block"\n {2}hint: expected one of: enforce, warn, audit, dry-run/);
  });

  it("wrong types and ranges", () => {
    expect(errorOf(`${HEAD}server:\n  port: 99999\n`)).toMatch(/^cfg\.yaml:4:9: server\.port: expected an integer from 0 to 65535, found number 99999/);
    expect(errorOf(`${HEAD}server:\n  clusterState: ns.yaml\n`)).toMatch(/^cfg\.yaml:4:17: server\.clusterState: expected a list of strings/);
  });

  it("tenant node labels outside node-restriction.kubernetes.io/", () => {
    const text = `${HEAD}policies:\n  tenancy:\n    mode: enforce\n    tenants:\n      - name: blue\n        taint: {key: t}\n        nodeLabel: {key: example.com/tenant}\n`;
    expect(errorOf(text)).toMatch(/^cfg\.yaml:9:26: policies\.tenancy\.tenants\[0\]\.nodeLabel\.key: tenant node label "example\.com\/tenant" is not under node-restriction\.kubernetes\.io\/\n {2}hint: kubelets can set/);
  });

  it("YAML syntax and unreadable referenced files", () => {
    expect(errorOf(`${HEAD}policies: [\n`)).toMatch(/^cfg\.yaml:\d+:\d+: invalid YAML/);
    expect(errorOf(`${HEAD}exceptionsFile: missing.yaml\n`)).toMatch(/^cfg\.yaml:3:17: exceptionsFile: cannot read "missing\.yaml": ENOENT/);
  });

  it("hostile YAML is refused as the input's fault, not an internal error: an alias bomb, nesting past the parser's stack", () => {
    const levels = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    const bomb = levels.map((name, i) => `${name}: &${name} [${Array(9).fill(i === 0 ? '"lol"' : `*${levels[i - 1]}`).join(",")}]`).join("\n") + "\n";
    expect(errorOf(bomb)).toMatch(/^cfg\.yaml:1:1: refused: the document uses more YAML aliases than a configuration needs \(an alias bomb\)\n {2}hint: expand the anchors by hand/);
    const deep = `${"[".repeat(10000)}${"]".repeat(10000)}\n`;
    expect(errorOf(deep)).toMatch(/^cfg\.yaml:1:\d+: refused: the document nests too deeply to read\n {2}hint: configuration files nest a few levels/);
  });

  it("quotes a value of the wrong type only in part: a binary file read as one string does not flood the terminal", () => {
    const message = errorOf(`${"x".repeat(100000)}\n`);
    expect(message).toMatch(/^cfg\.yaml:1:1: expected a mapping, found string "x{60}…" \(100000 characters\)$/);
  });

  it("errors inside referenced files point into those files", () => {
    const text = `${HEAD}policies:\n  podSecurity: {mode: enforce, configurationFile: psa.yaml}\n`;
    const psa = "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: strict\n";
    expect(errorOf(text, () => ({ file: "psa.yaml", text: psa }))).toMatch(/^psa\.yaml:4:12: defaults\.enforce: invalid level "strict"/);
  });

  it("accepts the documented example shape", () => {
    const config = parseWebhookConfig("cfg.yaml", `${HEAD}server: {port: 9443, workers: 2}\npolicies:\n  nodeRestriction: {mode: audit}\n`, noFiles);
    expect(config.server).toMatchObject({ port: 9443, workers: 2, address: "0.0.0.0", maxBodyBytes: 8388608, requestTimeoutSeconds: 10 });
    expect(config.policies.map((p) => [p.name, p.mode])).toEqual([["node-restriction", "audit"]]);
  });
});

describe("PSA's own configuration formats", () => {
  it("reads PodSecurityConfiguration inside an AdmissionConfiguration", () => {
    const text = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      defaults: {enforce: baseline, enforce-version: v1.30, warn: restricted}
      exemptions: {namespaces: [kube-system], usernames: [admin], runtimeClasses: [kata]}
`;
    const settings = parsePodSecurityConfiguration(ConfigSource.parse("adm.yaml", text));
    expect(settings.defaults.enforce).toEqual({ level: "baseline", version: { latest: false, minor: 30 } });
    expect(settings.defaults.warn.level).toBe("restricted");
    expect(settings.defaults.audit.level).toBe("privileged");
    expect(settings.exemptions).toEqual({ namespaces: ["kube-system"], usernames: ["admin"], runtimeClasses: ["kata"] });
  });

  it("refuses duplicate exemptions as PSA's validation does", () => {
    const text = "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\nexemptions:\n  namespaces: [a, a]\n";
    expect(() => parsePodSecurityConfiguration(ConfigSource.parse("psa.yaml", text))).toThrow(/duplicate value "a"/);
  });
});

describe("exceptions file", () => {
  it("requires an owner, a reason and an expiry, and reads dates", () => {
    const ok = parseExceptions(
      ConfigSource.parse("ex.yaml", "apiVersion: palisade.dev/v1alpha1\nkind: PolicyExceptionList\nexceptions:\n  - {id: a, policy: images, rule: digest, namespace: ci, owner: me, reason: mirror pending, expires: 2027-01-01}\n"),
    );
    expect(ok[0]!.expires.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    try {
      parseExceptions(ConfigSource.parse("ex.yaml", "apiVersion: palisade.dev/v1alpha1\nkind: PolicyExceptionList\nexceptions:\n  - {id: a, policy: images, rule: digest, namespace: ci, owner: me, reason: x}\n"));
      expect.unreachable();
    } catch (err) {
      expect((err as UserError).describe()).toMatch(/^ex\.yaml:4:5: exceptions\[0\]\.expires: is required/);
    }
    // A blank owner is no owner: nobody answers for the exception.
    expect(() => parseExceptions(ConfigSource.parse("ex.yaml", "apiVersion: palisade.dev/v1alpha1\nkind: PolicyExceptionList\nexceptions:\n  - {id: a, policy: images, rule: digest, namespace: ci, owner: \"  \", reason: x, expires: 2027-01-01}\n"))).toThrow(
      /exceptions\[0\]\.owner: must name who answers for the exception/,
    );
  });
});
