import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as fsPromises from "node:fs/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerFixCommand } from "../../src/cli/fix.js";
import { runCli } from "./run-cli.js";

/** What `palisade fix` does with the bytes of files and with the places it writes to. */

// A disk that fills up halfway through a write, when a test asks for one.
const disk = vi.hoisted(() => ({ full: false }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof fsPromises>();
  const writeFile: typeof real.writeFile = async (path, data, options) => {
    if (!disk.full) return real.writeFile(path, data, options);
    const bytes = Buffer.from(typeof data === "string" ? data : (data as Uint8Array));
    await real.writeFile(path, bytes.subarray(0, bytes.length >> 1), options);
    throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  };
  return { ...real, writeFile };
});

afterEach(() => {
  disk.full = false;
});

const POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p # café\nspec:\n  containers:\n  - name: c\n    image: nginx\n";
const FIXED = `${POD}    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop:\n        - ALL\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile:\n      type: RuntimeDefault\n`;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "palisade-fix-files-"));
}

describe("palisade fix reads and writes a file in its own encoding", () => {
  it("a file that is not UTF-8 (Latin-1) is refused at its first such byte and left byte for byte: read as UTF-8 and written back, é would become U+FFFD", async () => {
    const dir = tempDir();
    const file = join(dir, "latin1.yaml");
    const bytes = Buffer.from(POD, "latin1");
    writeFileSync(file, bytes);
    const r = await runCli(registerFixCommand, ["fix", "--in-place", file]);
    expect(r.code).toBe(2);
    expect(readFileSync(file)).toEqual(bytes);
    expect(r.stderr).toBe(
      `${file}:4:16: not valid UTF-8 (saved in another encoding, such as Latin-1 or Windows-1252): nothing was fixed in it, as writing it back would replace those characters\n` +
        "  hint: save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.new`, then run fix again\n",
    );
  });

  it("UTF-16 (as Windows PowerShell writes) and UTF-8 with a byte-order mark are fixed, and written back as they were encoded", async () => {
    const dir = tempDir();
    const le = join(dir, "le.yaml");
    const be = join(dir, "be.yaml");
    const bom = join(dir, "bom.json");
    const json = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "j" }, spec: { containers: [{ name: "c", image: "nginx" }] } });
    const utf16 = (text: string, big: boolean) => {
      const units = Buffer.from(`\ufeff${text}`, "utf16le");
      return big ? units.swap16() : units;
    };
    writeFileSync(le, utf16(POD.replace(/\n/g, "\r\n"), false));
    writeFileSync(be, utf16(POD, true));
    writeFileSync(bom, `\ufeff${json}\n`);
    const r = await runCli(registerFixCommand, ["fix", "--in-place", le, be, bom]);
    expect(r.stderr).not.toContain("invalid");
    expect(r.code).toBe(0);
    expect(readFileSync(le)).toEqual(utf16(FIXED.replace(/\n/g, "\r\n"), false));
    expect(readFileSync(be)).toEqual(utf16(FIXED, true));
    const written = readFileSync(bom, "utf8");
    expect(written.charCodeAt(0)).toBe(0xfeff);
    expect(JSON.parse(written.slice(1))).toMatchObject({ spec: { securityContext: { runAsNonRoot: true } } });
    // To stdout: the text, in UTF-8.
    const out = await runCli(registerFixCommand, ["fix", be]);
    expect(out.stdout).toBe(FIXED);
  });
});

describe("palisade fix never leaves a file half-written", () => {
  it("a disk that fills up during --in-place leaves the file as it was, and no stray file beside it; the error names the file and the cause", async () => {
    const dir = tempDir();
    const file = join(dir, "pod.yaml");
    writeFileSync(file, POD);
    disk.full = true;
    const r = await runCli(registerFixCommand, ["fix", "--in-place", file]);
    expect(r.code).toBe(2);
    expect(readFileSync(file, "utf8")).toBe(POD);
    expect(readdirSync(dir)).toEqual(["pod.yaml"]);
    expect(r.stderr).toContain(`${file}: cannot write ${file}: no space left on the device (ENOSPC): the fixes above were not saved\n  hint: `);
  });

  it("--output that is a file is refused before anything is written; a directory where a fixed file goes is named, with what is wrong", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "pod.yaml"), POD);
    writeFileSync(join(dir, "taken"), "");
    const asFile = await runCli(registerFixCommand, ["fix", "--output", join(dir, "taken"), join(dir, "pod.yaml")]);
    expect(asFile.code).toBe(2);
    expect(asFile.stderr).toBe(`palisade: --output ${join(dir, "taken")}: not a directory\n  hint: give a directory for the fixed files (it is created when missing)\n`);
    mkdirSync(join(dir, "out", "pod.yaml"), { recursive: true });
    const blocked = await runCli(registerFixCommand, ["fix", "--output", join(dir, "out"), join(dir, "pod.yaml")]);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain(`${join(dir, "pod.yaml")}: cannot write ${join(dir, "out", "pod.yaml")}: a directory is in the way (EISDIR): the fixes above were not saved\n`);
  });

  it("--in-place refuses a pipe before reading anything: the fixed text could not go back into it", async () => {
    const dir = tempDir();
    const fifo = join(dir, "pipe.yaml");
    execFileSync("mkfifo", [fifo]);
    const r = await runCli(registerFixCommand, ["fix", "--in-place", fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`palisade: --in-place: ${fifo} is not a regular file (a pipe or a device), so it cannot be rewritten\n  hint: drop --in-place to get the fixed text on stdout, or give --output DIR\n`);
  });
});
