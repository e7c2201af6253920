import { afterEach, describe, expect, it, vi } from "vitest";
import { resolve } from "node:path";
import { main } from "../../src/cli/main.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    out.push(String(chunk));
    const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write);
  vi.spyOn(process.stderr, "write").mockImplementation(((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  }) as typeof process.stderr.write);
  return { out, err };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("palisade install / serve command lines", () => {
  it("install prints a JSON List with -o json", async () => {
    const io = capture();
    await main(["node", "palisade", "install", "--apiserver-cidr", "10.0.0.10/32", "-n", "sec", "-o", "json"]);
    expect(process.exitCode ?? 0).toBe(0);
    const list = JSON.parse(io.out.join("")) as { kind: string; items: { kind: string; metadata: { namespace?: string; name: string } }[] };
    expect(list.kind).toBe("List");
    expect(list.items.find((i) => i.kind === "Deployment")?.metadata.namespace).toBe("sec");
  });

  it("install refuses bad input with exit code 2 and one line", async () => {
    const io = capture();
    await main(["node", "palisade", "install", "--apiserver-cidr", "10.0.0.300/32"]);
    expect(process.exitCode).toBe(2);
    expect(io.err.join("")).toMatch(/^palisade: --apiserver-cidr 10\.0\.0\.300\/32: expected a CIDR/);
    io.err.length = 0;
    await main(["node", "palisade", "install", "--apiserver-cidr", "10.0.0.1/32", "--replicas", "1"]);
    expect(io.err.join("")).toContain("expected an integer of at least 2");
  });

  it("install refuses a CIDR with host bits set, naming both readings", async () => {
    const io = capture();
    await main(["node", "palisade", "install", "--apiserver-cidr", "10.0.0.1/8"]);
    expect(process.exitCode).toBe(2);
    expect(io.err.join("")).toContain("palisade: --apiserver-cidr 10.0.0.1/8: 10.0.0.1 is not the first address of its /8, so the NetworkPolicy would admit all of 10.0.0.0/8");
    expect(io.err.join("")).toContain("give 10.0.0.1/32 for the one address, or 10.0.0.0/8 for the whole range");
    io.err.length = 0;
    await main(["node", "palisade", "install", "--apiserver-cidr", "fd00::1/64"]);
    expect(io.err.join("")).toContain("give fd00::1/128 for the one address, or fd00::/64 for the whole range");
    io.err.length = 0;
    process.exitCode = 0;
    // A webhook URL the control plane resolves: without one install warns on stderr.
    await main(["node", "palisade", "install", "--apiserver-cidr", "10.0.0.0/8", "--apiserver-cidr", "fd00::/64", "--webhook-url", "https://palisade.example.internal"]);
    expect(io.err.join("")).toBe("");
    expect(process.exitCode ?? 0).toBe(0);
  });

  it("serve reports configuration errors with file:line:column and exits 2, no stack trace", async () => {
    const io = capture();
    await main(["node", "palisade", "serve", "--config", "test/admission/no-such-config.yaml"]);
    expect(process.exitCode).toBe(2);
    expect(io.err.join("")).toBe(`palisade: cannot read ${resolve("test/admission/no-such-config.yaml")}: the file does not exist\n  hint: a relative path is read from the current directory, ${process.cwd()}\n`);
    expect(io.err.join("")).not.toContain("    at ");
    io.err.length = 0;
    await main(["node", "palisade", "serve", "--config", "/nonexistent-palisade.yaml"]);
    expect(io.err.join("")).toBe("palisade: cannot read /nonexistent-palisade.yaml: the file does not exist\n  hint: check the path\n");
  });
});
