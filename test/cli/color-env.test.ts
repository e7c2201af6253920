/**
 * Every command that colours decides it the same way (`colorFor`): NO_COLOR turns colour off
 * on a terminal, FORCE_COLOR turns it on in a pipe, --no-color wins over both; reports follow
 * stdout, input problems follow stderr.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../support/conformance.js";
import { palisade } from "../support/cli-in-process.js";

const ESC = new RegExp(String.fromCharCode(27) + "\\[");
const ENV = ["NO_COLOR", "FORCE_COLOR", "CI", "TERM"] as const;

let dir: string;
let manifests: string;
let broken: string;
let pki: string;
let tokens: string;
let encryption: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "palisade-color-"));
  manifests = join(dir, "manifests.yaml");
  writeFileSync(
    manifests,
    [
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      privileged: true\n",
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: all\nrules:\n- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n",
      "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\n  namespace: default\nspec:\n  hard:\n    pods: '10'\n",
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: none\n  namespace: default\nspec:\n  podSelector: {matchLabels: {app: nothing}}\n",
    ].join("---\n"),
  );
  // An input problem, which every manifest-reading command reports on stderr.
  broken = join(dir, "broken.yaml");
  writeFileSync(broken, "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n");
  pki = join(dir, "pki");
  mkdirSync(pki);
  // A key readable by everyone: a finding to colour (an empty directory is refused as a wrong path).
  writeFileSync(join(pki, "sa.key"), generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o644 });
  tokens = join(dir, "tokens.csv");
  writeFileSync(tokens, "changeme,bob,2\n");
  encryption = join(dir, "encryption.yaml");
  writeFileSync(encryption, "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - identity: {}\n");
});

/** The commands that colour their report on stdout. */
const reports: Array<[string, () => string[]]> = [
  ["scan", () => ["scan", manifests]],
  ["posture", () => ["posture", manifests]],
  ["rbac risks", () => ["rbac", "risks", manifests]],
  ["quota", () => ["quota", manifests]],
  ["netpol lint", () => ["netpol", "lint", manifests]],
  ["psp check", () => ["psp", "check", "--policy", `${repoRoot}/examples/psp-restricted.yaml`, manifests]],
  ["pki", () => ["pki", pki]],
  ["authn token-file", () => ["authn", "token-file", tokens]],
  ["encryption check", () => ["encryption", "check", encryption]],
];

/** The commands that colour input problems on stderr. */
const problems: Array<[string, () => string[]]> = [
  ["scan", () => ["scan", manifests, broken]],
  ["posture", () => ["posture", manifests, broken]],
  ["rbac risks", () => ["rbac", "risks", manifests, broken]],
  ["quota", () => ["quota", manifests, broken]],
  ["netpol lint", () => ["netpol", "lint", manifests, broken]],
  ["psp check", () => ["psp", "check", "--policy", `${repoRoot}/examples/psp-restricted.yaml`, manifests, broken]],
  ["psp check (policy files)", () => ["psp", "check", "--policy", `${repoRoot}/examples/psp-restricted.yaml`, "--policy", broken, manifests]],
];

describe("colour follows NO_COLOR, FORCE_COLOR and --no-color in every command", () => {
  const savedEnv = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
  const savedTty = { stdout: Object.getOwnPropertyDescriptor(process.stdout, "isTTY"), stderr: Object.getOwnPropertyDescriptor(process.stderr, "isTTY") };
  const terminal = (yes: boolean) => {
    for (const stream of [process.stdout, process.stderr]) Object.defineProperty(stream, "isTTY", { value: yes, configurable: true, writable: true });
  };

  beforeEach(() => {
    for (const k of ENV) delete process.env[k];
    process.env.TERM = "xterm-256color";
  });
  afterEach(() => {
    for (const k of ENV) {
      if (savedEnv[k] === undefined) delete process.env[k];
      else process.env[k] = savedEnv[k];
    }
    for (const [name, descriptor] of Object.entries(savedTty)) {
      const stream = name === "stdout" ? process.stdout : process.stderr;
      if (descriptor) Object.defineProperty(stream, "isTTY", descriptor);
      else delete (stream as { isTTY?: boolean }).isTTY;
    }
  });

  describe.each(reports)("%s (report on stdout)", (_name, args) => {
    it("colours on a terminal, not with NO_COLOR there", async () => {
      terminal(true);
      const plain = await palisade(args());
      expect(plain.stdout).toMatch(ESC);
      process.env.NO_COLOR = "1";
      const run = await palisade(args());
      expect(run.stdout.length).toBeGreaterThan(0);
      expect(run.stdout).not.toMatch(ESC);
      expect(run.stderr).not.toMatch(ESC);
    });

    it("colours into a pipe with FORCE_COLOR (over NO_COLOR), not with --no-color", async () => {
      terminal(false);
      expect((await palisade(args())).stdout).not.toMatch(ESC);
      process.env.FORCE_COLOR = "1";
      process.env.NO_COLOR = "1";
      expect((await palisade(args())).stdout).toMatch(ESC);
      expect((await palisade([...args(), "--no-color"])).stdout).not.toMatch(ESC);
      process.env.FORCE_COLOR = "0";
      delete process.env.NO_COLOR;
      terminal(true);
      expect((await palisade(args())).stdout).not.toMatch(ESC);
    });
  });

  describe.each(problems)("%s (input problems on stderr)", (_name, args) => {
    it("colours problems on a terminal unless NO_COLOR or --no-color; in a pipe only with FORCE_COLOR", async () => {
      terminal(true);
      const tty = await palisade(args());
      expect(tty.stderr).toMatch(/broken\.yaml:\d+:\d+/);
      expect(tty.stderr).toMatch(ESC);
      expect((await palisade([...args(), "--no-color"])).stderr).not.toMatch(ESC);
      process.env.NO_COLOR = "1";
      const off = await palisade(args());
      expect(off.stderr).toMatch(/broken\.yaml:\d+:\d+/);
      expect(off.stderr).not.toMatch(ESC);
      terminal(false);
      delete process.env.NO_COLOR;
      expect((await palisade(args())).stderr).not.toMatch(ESC);
      process.env.FORCE_COLOR = "1";
      expect((await palisade(args())).stderr).toMatch(ESC);
    });
  });
});
