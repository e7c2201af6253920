/**
 * What a command writes to stderr besides its report (fatal errors, exceptions notes, the
 * --save line) quotes the input too: a namespace, an exception's owner, a context's name.
 * None of it may reach a terminal or a CI log as a control character or a line of its own.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { saveInput } from "../../src/cli/cluster-flags.js";
import { reportFatal } from "../../src/cli/common.js";
import { UserError } from "../../src/errors.js";
import { palisade } from "../support/cli-in-process.js";
import { UNSAFE } from "../report/untrusted.js";

const HOSTILE = "evil\u001b[2J\r\n::error file=a.yaml::forged\u202e";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "palisade-stderr-"));
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Every line palisade writes starts with its own words: none starts a workflow command. */
function expectInert(stderr: string, lines: number): void {
  const shown = stderr.trimEnd().split("\n");
  expect(shown).toHaveLength(lines);
  for (const line of shown) {
    expect(line).not.toMatch(UNSAFE);
    expect(line).not.toMatch(/^\s*::/);
  }
}

function captureStderr(): () => string {
  let text = "";
  vi.spyOn(process.stderr, "write").mockImplementation(((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  }) as typeof process.stderr.write);
  return () => text;
}

describe("stderr outside the report", () => {
  it("a fatal error quotes the input printably: message, position and hint, their own line breaks kept", () => {
    const stderr = captureStderr();
    reportFatal(new UserError(`cannot read ${HOSTILE}`, { position: { file: HOSTILE, line: 1, column: 2 }, hint: `first ${HOSTILE}\n    ${HOSTILE}\n    ^` }), false);
    expect(process.exitCode).toBe(2);
    const text = stderr();
    // The position is one line; line breaks in the message and hint are taken for their own
    // (a list of problems, a caret under a selector; HOSTILE holds one): each line is inert.
    expectInert(text, 7);
    expect(text).toContain("evil\\u001b[2J\\r\\n::error");
    expect(text).toContain("cannot read evil\\u001b[2J\\r\n\\u003a:error file=a.yaml::forged\\u202e");
    // The caret line of a hint is still a line of its own.
    expect(text.trimEnd().split("\n").at(-1)).toBe("    ^");
  });

  it("an internal error's message is printable too", () => {
    const stderr = captureStderr();
    reportFatal(new Error(HOSTILE), false);
    expectInert(stderr(), 2);
  });

  it("-n with a namespace the input lacks lists the input's namespaces printably", async () => {
    const file = join(dir, "namespaces.json");
    const pod = (namespace: string) => JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace }, spec: { containers: [{ name: "c", image: "nginx" }] } });
    writeFileSync(file, [pod(HOSTILE), pod("shop")].join("\n"));
    const r = await palisade(["netpol", "matrix", file, "-n", "shpo"]);
    expect(r.code).toBe(2);
    expectInert(r.stderr, 2);
    expect(r.stderr).toMatch(/did you mean "shop"\?/);
  });

  it("--exceptions notes quote an exception's id and owner printably", async () => {
    const workload = join(dir, "workload.yaml");
    writeFileSync(workload, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: billing}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n");
    const exceptions = join(dir, "exceptions.json");
    const entry = (id: string, expires: string) => ({ id, policy: "pod-security", rule: "hostNamespaces", namespace: "nowhere", owner: HOSTILE, reason: "r", expires });
    writeFileSync(exceptions, JSON.stringify({ apiVersion: "palisade.dev/v1alpha1", kind: "PolicyExceptionList", exceptions: [entry(`old${HOSTILE}`, "2020-01-01"), entry(`unused${HOSTILE}`, "2999-01-01")] }));
    const r = await palisade(["scan", workload, "-o", "json", "--exceptions", exceptions]);
    expect(r.stderr).toMatch(/expired on 2020-01-01/);
    expect(r.stderr).toMatch(/matched no finding/);
    expectInert(r.stderr, 2);
  });

  it("--save's line names the context printably", async () => {
    const save = await saveInput({ save: join(dir, "snapshot") }, true);
    const stderr = captureStderr();
    save.onSaved?.(["a.yaml"], `<cluster ${HOSTILE}>`);
    expectInert(stderr(), 1);
  });
});

describe("commander's usage errors", () => {
  // A value a script took from a manifest: a colour change, then a line a CI runner would obey.
  const FORGED = "\u001b[31m\n::error::forged";

  it("an unknown option is quoted printably, on one line, and exits 2", async () => {
    const r = await palisade(["scan", `--x${FORGED}`]);
    expect(r.code).toBe(2);
    expectInert(r.stderr, 1);
    expect(r.stderr).toBe("error: unknown option '--x\\u001b[31m\\n::error::forged'\n");
  });

  it("an invalid choice is quoted printably, with the allowed choices", async () => {
    for (const args of [["rules", "-o", `json${FORGED}`], ["rules", `--output=json${FORGED}`]]) {
      const r = await palisade(args);
      expect(r.code).toBe(2);
      expectInert(r.stderr, 1);
      expect(r.stderr).toMatch(/argument 'json\\u001b\[31m\\n::error::forged' is invalid\. Allowed choices are text, json, yaml\.\n$/);
    }
  });

  it("an unknown command is quoted printably", async () => {
    const r = await palisade([`sc${FORGED}`]);
    expect(r.code).toBe(2);
    expectInert(r.stderr, 1);
    expect(r.stderr).toContain("error: unknown command 'sc\\u001b[31m\\n::error::forged'");
  });

  it("too many arguments keeps commander's wording and exit code", async () => {
    const r = await palisade(["encryption", "check", "a.yaml", FORGED]);
    expect(r.code).toBe(2);
    expectInert(r.stderr, 1);
    expect(r.stderr).toBe("error: too many arguments for 'check'. Expected 1 argument but got 2.\n");
  });

  it("commander's suggestion stays a line of its own", async () => {
    for (const [args, suggestion] of [[["scan", "--clustr"], "(Did you mean --cluster?)"], [["sacn"], "(Did you mean scan?)"]] as const) {
      const r = await palisade([...args]);
      expect(r.code).toBe(2);
      expectInert(r.stderr, 2);
      expect(r.stderr.trimEnd().split("\n")[1]).toBe(suggestion);
    }
  });
});
