/**
 * `palisade pki --client-ca-file FILE` reads FILE without first knowing its size: it may be a pipe
 * (`--client-ca-file <(kubectl get cm ...)`). A device that never ends (/dev/zero) or a file far
 * larger than any CA bundle must end in a usage error, not a read that runs until memory does.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readClientCaFile } from "../../src/cli/pki-files.js";
import { UserError } from "../../src/errors.js";

const thrown = (run: () => unknown): unknown => {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe("--client-ca-file with endless or oversized input", () => {
  it.skipIf(!existsSync("/dev/zero"))("stops reading /dev/zero and says it is too large", () => {
    const err = thrown(() => readClientCaFile("/dev/zero"));
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe("--client-ca-file /dev/zero holds more than 1 MiB, which no CA bundle does");
  }, 10_000);

  it("refuses a regular file over the limit, and still reads a small one", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-client-ca-"));
    writeFileSync(join(dir, "big.crt"), "x".repeat(1024 * 1024 + 1));
    expect((thrown(() => readClientCaFile(join(dir, "big.crt"))) as Error).message).toMatch(/holds more than 1 MiB/);
    writeFileSync(join(dir, "small.crt"), "not a certificate\n");
    expect((thrown(() => readClientCaFile(join(dir, "small.crt"))) as Error).message).toMatch(/holds no PEM certificate/);
  });
});
