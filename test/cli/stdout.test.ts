import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The report writer, in a real child process writing to a real pipe: large output goes
 * out in pieces through one buffer, byte for byte; a reader that stops early (`| head`)
 * ends the output quietly and the exit code is still the command's.
 */
const STDOUT_MODULE = new URL("../../dist/src/cli/stdout.js", import.meta.url);

function child(body: string, readBytes?: number): Promise<{ stdout: Buffer; stderr: string; code: number | null }> {
  if (!existsSync(STDOUT_MODULE)) throw new Error(`${STDOUT_MODULE.pathname} is missing: run npm run build first`);
  const script = `import { writeStdout } from ${JSON.stringify(STDOUT_MODULE.href)};\n${body}\nprocess.exitCode = 3;\n`;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let received = 0;
    let stderr = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (readBytes !== undefined && received >= readBytes) proc.stdout.destroy();
    });
    proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    proc.once("error", reject);
    proc.once("close", (code) => resolve({ stdout: Buffer.concat(chunks), stderr, code }));
  });
}

describe("writing reports to stdout", () => {
  it("writes large output in pieces, byte for byte, without splitting a surrogate pair", async () => {
    // Pieces whose lengths put emoji (surrogate pairs) and multi-byte characters across every slice boundary.
    const body = `
      function* pieces() {
        for (let i = 0; i < 40; i++) yield "a".repeat(21844 + (i % 3)) + "😀é✓" + "b".repeat(i * 101);
        yield "😀".repeat(70000);
      }
      await writeStdout(pieces());
      await writeStdout("tail\\n");`;
    const expected = Buffer.from(
      Array.from({ length: 40 }, (_, i) => "a".repeat(21844 + (i % 3)) + "😀é✓" + "b".repeat(i * 101)).join("") + "😀".repeat(70000) + "tail\n",
    );
    const run = await child(body);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(3);
    expect(run.stdout.length).toBe(expected.length);
    expect(run.stdout.equals(expected)).toBe(true);
  });

  it("joins many short pieces (a matrix's rows) into the same bytes, a short piece or a long one next", async () => {
    // Short pieces with surrogate pairs and multi-byte characters, pieces past the joining size between them.
    const body = `
      function* pieces() {
        for (let i = 0; i < 300000; i++) yield i % 50000 === 49999 ? "L".repeat(9000 + i % 7) + "😀" : "r" + i + (i % 3 === 0 ? "😀" : "é") + "\\n";
      }
      await writeStdout(pieces());`;
    const expected = Buffer.from(Array.from({ length: 300000 }, (_, i) => (i % 50000 === 49999 ? "L".repeat(9000 + (i % 7)) + "😀" : "r" + i + (i % 3 === 0 ? "😀" : "é") + "\n")).join(""));
    const run = await child(body);
    expect(run.stderr).toBe("");
    expect(run.stdout.equals(expected)).toBe(true);
  });

  it.each([
    ["a large report (written in pieces)", 'await writeStdout((function* () { for (let i = 0; i < 200; i++) yield "x".repeat(50000); })());'],
    ["a smaller one (written through process.stdout)", 'await writeStdout("y".repeat(900000));'],
  ])("stops quietly when the reader closes the pipe early: %s", async (_, body) => {
    const run = await child(body, 100);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(3);
  });
});
