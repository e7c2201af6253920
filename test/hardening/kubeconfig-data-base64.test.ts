/**
 * The `*-data` fields of a kubeconfig are []byte in client-go's api/v1 types, decoded by
 * Go's encoding/json with base64.StdEncoding (padding required, only CR and LF skipped). A
 * value Go refuses fails the load of the whole file, so it is a refused entry at medium
 * whichever context uses it, with Go's "illegal base64 data at input byte N" and never the
 * value; and the certificate in it is not judged, as kubectl never reads it.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, issueCertificate } from "../../src/adapters/webhook/certificates.js";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { palisade } from "../support/cli-in-process.js";
import { kubeconfigText } from "../support/kubeconfig-text.js";

const NOW = new Date("2026-12-01T00:00:00Z");
/** Marker values standing for secrets: none may reach any output. */
const TOKEN = "marker-token-0d41b7";
const KEY_TEXT = "marker-key-text-c93e";
/** A key that is base64 as Go reads it (its bytes are a marker, not a key: only its form matters here). */
const KEY_DATA = Buffer.from("marker-key-bytes-51aa").toString("base64");

let caPem = "";
/** Expired at NOW: judged, it draws kubeconfig/certificate-expired. */
let expiredCaPem = "";
let mastersPem = "";

beforeAll(async () => {
  const ca = await createCertificateAuthority("kubernetes", NOW);
  caPem = ca.certPem;
  expiredCaPem = (await createCertificateAuthority("retired-ca", new Date(NOW.getTime() - 400 * 86_400_000), 30)).certPem;
  mastersPem = (await issueCertificate(ca, { commonName: "kubernetes-admin", organization: "system:masters", usage: "client", now: NOW, days: 30 })).certPem;
});

/** The PEM with as many trailing newlines as it takes for its base64 to end in `want` padding characters. */
function paddedBase64(pem: string, want: 1 | 2): string {
  for (let extra = 0; extra < 3; extra++) {
    const text = Buffer.from(pem + "\n".repeat(extra)).toString("base64");
    if (text.length - text.replace(/=+$/, "").length === want) return text;
  }
  throw new Error("unreachable: three lengths in a row cover every remainder");
}

/** The cluster's fields beside its server and the user's fields, unindented, and further users as written. */
const kubeconfig = (clusterFields: string, userFields: string, extraUsers = "") =>
  kubeconfigText({ cluster: clusterFields, userLines: userFields, extraUsers, usersBeforeContexts: true });

const judge = (text: string) => checkKubeconfigs({ ...emptySnapshot(), objects: parseYamlFile("config", text).objects }, { now: NOW });
const refused = (text: string) => judge(text).filter((f) => f.ruleId === "kubeconfig/refused-entry");

describe("a *-data field Go's base64 refuses (kubeconfig/refused-entry)", () => {
  it("an unpadded certificate-authority-data: refused at the start of its last group, and the CA not judged", () => {
    const padded = paddedBase64(expiredCaPem, 2);
    const unpadded = padded.replace(/=+$/, "");
    const findings = judge(kubeconfig(`certificate-authority-data: ${unpadded}`, `token: ${TOKEN}`));
    expect(findings.filter((f) => f.ruleId === "kubeconfig/refused-entry").map((f) => [f.severity, f.fieldPath, f.message])).toEqual([
      [
        "medium",
        "clusters[0].cluster.certificate-authority-data",
        `the certificate-authority-data of cluster prod is not base64 as client-go decodes it (its last group of characters lacks the = padding Go requires): kubectl refuses the whole file (illegal base64 data at input byte ${unpadded.length - 2})`,
      ],
    ]);
    // Node would have read the (expired) certificate anyway; kubectl never does, so nothing else is said of it.
    expect(findings.map((f) => f.ruleId)).not.toContain("kubeconfig/certificate-expired");
    // Padded, it loads and is judged as usual.
    const judged = judge(kubeconfig(`certificate-authority-data: ${padded}`, `token: ${TOKEN}`));
    expect(judged.map((f) => f.ruleId)).toContain("kubeconfig/certificate-expired");
    expect(judged.map((f) => f.ruleId)).not.toContain("kubeconfig/refused-entry");
  });

  it("a base64url client-certificate-data (no padding): refused, and its system:masters certificate not judged", () => {
    const standard = paddedBase64(mastersPem, 1);
    // What base64url (RFC 4648 section 5, as `basenc --base64url` and JWT libraries write it) makes of the same bytes.
    const urlSafe = standard.slice(0, -1).replace(/\+/g, "-").replace(/\//g, "_");
    const findings = judge(kubeconfig("", `client-certificate-data: ${urlSafe}\nclient-key-data: ${KEY_DATA}`));
    // Three characters in its last group and no "=": Go names the group's first character.
    expect(findings.filter((f) => f.ruleId === "kubeconfig/refused-entry").map((f) => [f.severity, f.fieldPath, f.message])).toEqual([
      [
        "medium",
        "users[0].user.client-certificate-data",
        `the client-certificate-data of user admin is not base64 as client-go decodes it (its last group of characters lacks the = padding Go requires): kubectl refuses the whole file (illegal base64 data at input byte ${urlSafe.length - 3})`,
      ],
    ]);
    expect(findings.map((f) => f.ruleId)).not.toContain("kubeconfig/system-masters");
    // The same certificate in standard base64 is judged.
    expect(judge(kubeconfig("", `client-certificate-data: ${standard}\nclient-key-data: ${KEY_DATA}`)).map((f) => f.ruleId)).toContain("kubeconfig/system-masters");
  });

  it("a URL-safe character: refused at it", () => {
    // "+/" and "-_" are the same two digits in the two alphabets; only the first is Go's StdEncoding.
    const [urlSafe] = refused(kubeconfig("", `client-certificate-data: QUJD-_8=\nclient-key-data: ${KEY_DATA}`));
    expect([urlSafe?.fieldPath, urlSafe?.message]).toEqual([
      "users[0].user.client-certificate-data",
      "the client-certificate-data of user admin is not base64 as client-go decodes it (it holds a character outside the standard base64 alphabet, such as a space or URL-safe - or _): kubectl refuses the whole file (illegal base64 data at input byte 4)",
    ]);
    expect(refused(kubeconfig("", `client-certificate-data: QUJD+/8=\nclient-key-data: ${KEY_DATA}`)).map((f) => f.fieldPath)).toEqual([]);
  });

  it("line breaks are skipped as Go skips them; a space (a folded block) is not", () => {
    const padded = paddedBase64(caPem, 1);
    const lines = padded.match(/.{1,64}/g) ?? [];
    const literal = `certificate-authority-data: |\n${lines.map((l) => `  ${l}`).join("\n")}`;
    expect(refused(kubeconfig(literal, `token: ${TOKEN}`))).toEqual([]);
    const folded = literal.replace("certificate-authority-data: |", "certificate-authority-data: >");
    const [space] = refused(kubeconfig(folded, `token: ${TOKEN}`));
    // A folded block joins its lines with spaces: Go stops at the first.
    expect(space?.message).toContain("(illegal base64 data at input byte 64)");
    expect(space?.message).toContain("outside the standard base64 alphabet");
  });

  it("text after the padding, and an = where none can stand", () => {
    const padded = paddedBase64(caPem, 1);
    const [trailing] = refused(kubeconfig(`certificate-authority-data: ${padded}QUJD`, `token: ${TOKEN}`));
    expect(trailing?.message).toContain(`(text follows its = padding): kubectl refuses the whole file (illegal base64 data at input byte ${padded.length})`);
    const [early] = refused(kubeconfig(`certificate-authority-data: Q===`, `token: ${TOKEN}`));
    expect(early?.message).toContain("(it has an = where no padding can stand): kubectl refuses the whole file (illegal base64 data at input byte 1)");
  });

  it("a client-key-data of plain text: refused without a character of it, and the key is still reported as stored in the file", () => {
    const findings = judge(kubeconfig("", `client-certificate-data: ${paddedBase64(mastersPem, 1)}\nclient-key-data: ${KEY_TEXT}`));
    const [key] = findings.filter((f) => f.ruleId === "kubeconfig/refused-entry");
    expect([key?.severity, key?.fieldPath]).toEqual(["medium", "users[0].user.client-key-data"]);
    // "marker" is six characters of the alphabet; Go stops at the "-" after them.
    expect(key?.message).toContain("(illegal base64 data at input byte 6)");
    expect(findings.map((f) => f.ruleId)).toContain("kubeconfig/client-key");
    for (const f of findings) expect(f.message).not.toContain(KEY_TEXT.slice(0, 6));
  });

  it("medium even for a user no context uses: the load of the whole file fails first", () => {
    const other = `- name: ci\n  user:\n    client-key-data: ${KEY_TEXT}\n`;
    expect(refused(kubeconfig("", `token: ${TOKEN}`, other)).map((f) => [f.severity, f.fieldPath])).toEqual([["medium", "users[1].user.client-key-data"]]);
  });

  it("an empty value decodes to nothing, as in Go", () => {
    expect(refused(kubeconfig(`certificate-authority-data: ""`, `token: ${TOKEN}`))).toEqual([]);
  });
});

describe("palisade scan", () => {
  it("prints no character of a refused *-data value, nor the token, in any format", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-data-base64-"));
    const file = join(dir, "config");
    writeFileSync(file, kubeconfig("", `token: ${TOKEN}\nclient-certificate-data: ${KEY_TEXT}\nclient-key-data: ${KEY_TEXT}`));
    let out = "";
    for (const format of ["json", "sarif", "text", "wide", "github", "junit", "yaml"]) {
      const run = await palisade(["scan", file, "-o", format]);
      expect(run.code).toBe(1);
      out += run.stdout + run.stderr;
    }
    expect(out).toContain("illegal base64 data at input byte 6");
    expect(out).not.toContain(KEY_TEXT);
    expect(out).not.toContain("key-text");
    expect(out).not.toContain(TOKEN);
  });
});
