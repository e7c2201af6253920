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
  it("a fatal error quotes the input printably: message, position and hint, the hint's own line breaks kept", () => {
    const stderr = captureStderr();
    reportFatal(new UserError(`cannot read ${HOSTILE}`, { position: { file: HOSTILE, line: 1, column: 2 }, hint: `first ${HOSTILE}\n    ${HOSTILE}\n    ^` }), false);
    expect(process.exitCode).toBe(2);
    const text = stderr();
    // A hint's line breaks are taken for its own (HOSTILE holds one, twice there): each line is inert.
    expectInert(text, 6);
    expect(text).toContain("evil\\u001b[2J\\r\\n::error");
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
