/**
 * Single-dash words and malformed long flags on a Kubernetes component's command line, as
 * spf13/pflag reads them (parseShortArg, parseSingleShortArg, parseLongArg): only -v and -h are
 * registered shorthands, so `-anonymous-auth=false` stops the component at its 'a'.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { controlPlaneContainers } from "../../src/hardening/flags.js";
import { readShorthands } from "../../src/hardening/pflag-shorthands.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

const pod = (command: string[]) => ["apiVersion: v1", "kind: Pod", "metadata: {name: cp, namespace: kube-system}", "spec:", "  containers:", "  - name: cp", "    command:", ...command.map((a) => `    - ${JSON.stringify(a)}`), ""].join("\n");
const judge = (command: string[]) => checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile("cp.yaml", pod(command)).objects });
const refusals = (command: string[]) => judge(command).filter((f) => f.ruleId.endsWith("/refuses-to-start")).map((f) => f.message);
const container = (command: string[]) => controlPlaneContainers(parseYamlFile("cp.yaml", pod(command)).objects[0]?.object as never)[0];

describe("single-dash words on pflag command lines", () => {
  it("refuses a long flag written with one dash, at its first letter, for each pflag component", () => {
    expect(refusals(["kube-apiserver", "--authorization-mode=Node,RBAC", "-anonymous-auth=false"])).toEqual(["kube-apiserver refuses to start: unknown shorthand flag: 'a' in -anonymous-auth=false"]);
    expect(refusals(["kube-controller-manager", "-profiling=false"])).toEqual(["kube-controller-manager refuses to start: unknown shorthand flag: 'p' in -profiling=false"]);
    expect(refusals(["kube-scheduler", "-x"])).toEqual(["kube-scheduler refuses to start: unknown shorthand flag: 'x' in -x"]);
    // The kubelet parses the same way; its refusals have no rule, but no flag after the error is read.
    const kubelet = container(["kubelet", "-anonymous-auth=false", "--read-only-port=10255"]);
    expect(kubelet?.refusals.map((r) => r.message)).toEqual(["kubelet refuses to start: unknown shorthand flag: 'a' in -anonymous-auth=false"]);
    expect(kubelet?.flags.has("read-only-port")).toBe(false);
  });

  it("reads -v with its value in the same word or the next, and nothing after it as a flag of its own", () => {
    for (const words of [["-v", "4"], ["-v=4"], ["-v4"]]) {
      const c = container(["kube-apiserver", ...words, "--anonymous-auth=false"]);
      expect(c?.refusals, words.join(" ")).toEqual([]);
      expect(c?.flags.get("v")?.value, words.join(" ")).toBe("4");
      expect(c?.flags.get("anonymous-auth")?.value, words.join(" ")).toBe("false");
    }
    expect(refusals(["kube-apiserver", "--authorization-mode=Node,RBAC", "-v"])).toEqual(["kube-apiserver refuses to start: flag needs an argument: 'v' in -v"]);
  });

  it("-h asks for the usage (a registered boolean): the component prints it and exits, unless a parse error comes first", () => {
    expect(refusals(["kube-apiserver", "--authorization-mode=Node,RBAC", "-h"])).toEqual(["kube-apiserver refuses to start: -h prints the usage and exits"]);
    expect(refusals(["kube-apiserver", "--authorization-mode=Node,RBAC", "-h=false"])).toEqual([]);
    expect(refusals(["kube-apiserver", "--authorization-mode=Node,RBAC", "--help=false"])).toEqual([]);
    expect(refusals(["kube-apiserver", "--authorization-mode=Node,RBAC", "--help"])).toEqual(["kube-apiserver refuses to start: --help prints the usage and exits"]);
    // -hx: h is a boolean shorthand, then x is read as the next shorthand, which is unknown.
    expect(refusals(["kube-apiserver", "--authorization-mode=Node,RBAC", "-hx"])).toEqual(["kube-apiserver refuses to start: unknown shorthand flag: 'x' in -x"]);
    expect(refusals(["kube-apiserver", "-h=maybe"])).toEqual(['kube-apiserver refuses to start: invalid argument "maybe" for "-h, --help" flag: strconv.ParseBool: parsing "maybe": invalid syntax']);
  });

  it("reads every other single-dash word as pflag does (property)", () => {
    const letter = fc.constantFrom(..."abcdefgijklmnopqrstuwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.".split(""));
    fc.assert(
      fc.property(letter, fc.stringMatching(/^[a-z0-9=_-]{0,12}$/), (first, rest) => {
        const word = `-${first}${rest}`;
        const read = readShorthands(word, "next");
        if (word.startsWith("-test.")) expect(read.error).toBeUndefined();
        else expect(read.error).toBe(`unknown shorthand flag: '${first}' in ${word}`);
        expect(read.tookNext).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("quotes a non-ASCII shorthand as Go's %q quotes its first byte, and skips -test.* words", () => {
    expect(readShorthands("-é", undefined).error).toBe("unknown shorthand flag: 'Ã' in -é");
    expect(readShorthands("-\u00a0", undefined).error).toBe("unknown shorthand flag: 'Â' in -\u00a0");
    expect(readShorthands("-\u0001", undefined).error).toBe("unknown shorthand flag: '\\x01' in -\u0001");
    expect(readShorthands("-'", undefined).error).toBe("unknown shorthand flag: '\\'' in -'");
    expect(readShorthands("-test.v", undefined)).toEqual({ tookNext: false });
  });
});

describe("long flags no component registers", () => {
  it("refuses a flag whose name holds a space, before reading a value: the next word is not swallowed", () => {
    const c = container(["kube-apiserver", "--anonymous-auth false", "--profiling=false"]);
    expect(c?.refusals.map((r) => r.message)).toEqual(["kube-apiserver refuses to start: unknown flag: --anonymous-auth false"]);
    // As the last word, pflag's lookup fails first: "unknown flag", not "flag needs an argument".
    expect(refusals(["kube-apiserver", "--authorization-mode=Node,RBAC", "--anonymous-auth false"])).toEqual(["kube-apiserver refuses to start: unknown flag: --anonymous-auth false"]);
  });

  it("still gives a well-formed value flag the next word, even one starting with -- (pflag's '--flag arg')", () => {
    const c = container(["kube-apiserver", "--token-auth-file", "--profiling=false"]);
    expect(c?.refusals).toEqual([]);
    expect(c?.flags.get("token-auth-file")?.value).toBe("--profiling=false");
  });
});
