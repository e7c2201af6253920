import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import fc from "fast-check";
import jsYaml from "js-yaml";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { parseJsonFile, parseYamlFile, splitDocuments } from "../../src/k8s/parse.js";
import { hasKubectl } from "../support/kubectl.js";


function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "palisade-load-"));
}

const POD = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: x\n`;

describe("loading manifests", () => {
  it("reads multi-document YAML, keeps each object's file position, and skips non-Kubernetes documents", () => {
    const text = `# leading comment\n${POD("a")}---\n${POD("b")}---\njust: data\n---\n\n...\n`;
    const parsed = parseYamlFile("m.yaml", text);
    expect(parsed.objects.map((o) => o.object.metadata?.name)).toEqual(["a", "b"]);
    expect(parsed.objects[0]?.source.position).toEqual({ file: "m.yaml", line: 2, column: 1 });
    expect(parsed.objects[1]?.source.locate(["spec", "containers", 0, "image"])).toEqual({ file: "m.yaml", line: 18, column: 5 });
    expect(parsed.skippedNonKubernetes).toBe(1);
  });

  it("hands each document's objects on before it reads the next document, so a long stream is never held whole", () => {
    const text = `${POD("a")}---\n${POD("b")}---\nbroken: [\n---\n${POD("c")}`;
    const events: string[] = [];
    const parsed = parseYamlFile(
      "s.yaml",
      text,
      undefined,
      (document) => (events.push(`read ${/name: (\w+)/.exec(document)?.[1] ?? "?"}`), true),
      (loaded) => events.push(`got ${loaded.object.metadata?.name} at line ${loaded.source.position.line}`),
    );
    expect(events).toEqual(["read a", "got a at line 1", "read b", "got b at line 10", "read ?", "read c", "got c at line 21"]);
    expect(parsed.objects).toEqual([]);
    expect(parsed.documents).toBe(4);
    expect(parsed.problems.map((p) => p.position.line)).toEqual([20]);
  });

  it("reads scalars as Kubernetes does (YAML 1.1's yes/no/on/off, Go's octal), by the block reader and by js-yaml alike", () => {
    const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {created: 2024-01-01}\nspec:\n  hostNetwork: yes\n  hostPID: On\n  hostIPC: n\n  containers:\n  - name: c\n    image: x\n    securityContext: {privileged: Y, runAsNonRoot: off}\n  volumes:\n  - name: v\n    secret: {secretName: s, defaultMode: 0644}\n";
    // An anchor sends the same document to js-yaml: both readers must agree.
    for (const text of [pod, pod.replace("metadata:\n", "metadata: &meta\n")]) {
      const object = parseYamlFile("p.yaml", text).objects[0]?.object as unknown as { metadata: { annotations: unknown }; spec: Record<string, unknown> & { containers: Array<{ securityContext: unknown }>; volumes: Array<{ secret: unknown }> } };
      expect(object.spec).toMatchObject({ hostNetwork: true, hostPID: true, hostIPC: false });
      expect(object.spec.containers[0]?.securityContext).toEqual({ privileged: true, runAsNonRoot: false });
      expect(object.spec.volumes[0]?.secret).toEqual({ secretName: "s", defaultMode: 420 });
      // go-yaml v2 leaves a timestamp as the text it is.
      expect(object.metadata.annotations).toEqual({ created: "2024-01-01" });
    }
  });

  it("expands kind: List and *List items with positions inside the list", () => {
    const text = `apiVersion: v1\nkind: PodList\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: x\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: z\n`;
    const parsed = parseYamlFile("l.yaml", text);
    expect(parsed.objects.map((o) => o.object.metadata?.name)).toEqual(["x", "z"]);
    expect(parsed.objects[1]?.source.locate(["metadata", "name"])).toEqual({ file: "l.yaml", line: 11, column: 5 });
  });

  it("gives the items of a typed list (PodList) the list's kind and apiVersion when they omit them", () => {
    const text = "apiVersion: v1\nkind: PodList\nitems:\n- metadata:\n    name: a\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: b\n";
    const parsed = parseYamlFile("typed.yaml", text);
    expect(parsed.objects.map((o) => [o.object.kind, o.object.apiVersion, o.object.metadata?.name])).toEqual([["Pod", "v1", "a"], ["Pod", "v1", "b"]]);
    const plain = parseYamlFile("plain.yaml", text.replace("kind: PodList", "kind: List"));
    expect(plain.objects.map((o) => o.object.metadata?.name)).toEqual(["b"]);
    expect(plain.skippedNonKubernetes).toBe(1);
  });

  it("reads JSON with positions, and reports a JSON syntax error with its line", () => {
    const json = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "j" }, spec: { hostPID: true } }, null, 2);
    const parsed = parseJsonFile("p.json", json);
    expect(parsed.objects[0]?.source.locate(["spec", "hostPID"])).toEqual({ file: "p.json", line: 8, column: 5 });
    const bad = parseJsonFile("bad.json", '{\n  "apiVersion": "v1",\n  "kind": \n}');
    expect(bad.objects).toEqual([]);
    expect(bad.problems[0]?.kind).toBe("parse-error");
    expect(bad.problems[0]?.position.line).toBe(4);
  });

  it("refuses a JSON object with a key twice, as it refuses such YAML, at the second key (JSON.parse silently kept the last)", () => {
    const pod = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"},\n "spec": {"containers": [{"name": "c", "image": "x",\n  "securityContext": {"privileged": false, "privileged": true}}]}}';
    const parsed = parseJsonFile("dup.json", pod);
    expect(parsed.objects).toEqual([]);
    expect(parsed.problems.map((p) => [p.kind, p.position.line, p.message])).toEqual([["parse-error", 3, expect.stringContaining("a key appears twice in one object")]]);
    // In a stream of documents, only the one with the duplicate is refused, at its own line.
    const stream = parseJsonFile("s.json", `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ok"}}\n${pod}`);
    expect(stream.objects.map((o) => o.object.metadata?.name)).toEqual(["ok"]);
    expect(stream.problems.map((p) => p.position.line)).toEqual([4]);
    // The same key in different objects is no duplicate.
    expect(parseJsonFile("ok.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "labels": {"name": "x"}}}').problems).toEqual([]);
  });

  it("property: a JSON syntax error's message never quotes the text near it (a Secret's value)", () => {
    // V8 quotes up to ten characters either side of an unexpected token; the secret's alphabet is in none of its own words.
    const secret = fc.stringMatching(/^[QXZ789]{8,40}$/);
    fc.assert(
      fc.property(secret, fc.nat(), fc.constantFrom(",", "}", "]", "x", ":", '"', "\\", "\n"), (value, at, bad) => {
        const json = JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { password: value, token: value } });
        // Near the value, where V8's quote of the text would hold some of it.
        const start = json.indexOf(value) - 12;
        const cut = Math.max(0, start + (at % (value.length + 24)));
        const problem = parseJsonFile("s.json", json.slice(0, cut) + bad + json.slice(cut)).problems[0];
        if (problem === undefined) return; // still valid JSON (e.g. whitespace-like insertions)
        for (let i = 0; i + 2 <= value.length; i++) expect(problem.message).not.toContain(value.slice(i, i + 2));
        expect(problem.message).toMatch(/^invalid JSON: /);
      }),
    );
  });

  it("reports malformed YAML at file:line:column and still loads the other documents", () => {
    const text = `${POD("first")}---\nmetadata:\n  name: [unclosed\n  other: x\n---\n${POD("last")}`;
    const parsed = parseYamlFile("broken.yaml", text);
    expect(parsed.objects.map((o) => o.object.metadata?.name)).toEqual(["first", "last"]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]?.kind).toBe("parse-error");
    expect(parsed.problems[0]?.position.line).toBeGreaterThanOrEqual(10);
    expect(parsed.problems[0]?.position.line).toBeLessThanOrEqual(13);
    expect(parsed.problems[0]?.message).toMatch(/^invalid YAML: /);
  });

  it("says to render a Helm template first when a document that fails to parse holds template actions", () => {
    const template = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "web.fullname" . }}\n  labels:\n    {{- include "web.labels" . | nindent 4 }}\n';
    const parsed = parseYamlFile("templates/deploy.yaml", `${template}---\nmetadata:\n  name: [unclosed\n`);
    expect(parsed.problems.map((p) => p.hint)).toEqual([
      "this looks like a Helm or Go template ({{ ... }}): scan what it renders, e.g. `helm template CHART | palisade scan -`; the other documents were still scanned",
      "fix the YAML syntax at that position; the other documents were still scanned",
    ]);
  });

  it("refuses a billion-laughs alias bomb quickly, with a clear problem", () => {
    const bomb = ["apiVersion: v1", "kind: ConfigMap", "a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const parsed = parseYamlFile("bomb.yaml", bomb.join("\n") + "\n");
    expect(parsed.objects).toEqual([]);
    expect(parsed.problems[0]?.kind).toBe("alias-limit");
    expect(parsed.problems[0]?.position).toEqual({ file: "bomb.yaml", line: 1, column: 1 });
  });

  it("accepts a few ordinary anchors", () => {
    const text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: &l {app: x}\n  annotations: *l\n";
    const parsed = parseYamlFile("anchors.yaml", text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects[0]?.object.metadata?.annotations).toEqual({ app: "x" });
  });

  it("refuses very deep nesting (flow and block) without a stack overflow", () => {
    const flow = "apiVersion: v1\nkind: ConfigMap\ndata: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
    const deepFlow = parseYamlFile("deep.yaml", flow);
    expect(deepFlow.objects).toEqual([]);
    expect(deepFlow.problems[0]?.kind).toBe("too-deep");
    const block = ["apiVersion: v1", "kind: ConfigMap", "data:"];
    for (let i = 0; i < 300; i++) block.push(`${"  ".repeat(i + 1)}k${i}:`);
    block.push(`${"  ".repeat(301)}v: 1`);
    const deepBlock = parseYamlFile("deep2.yaml", block.join("\n"));
    expect(deepBlock.problems[0]?.kind).toBe("too-deep");
  });

  it("splits documents only at markers in column 0", () => {
    const chunks = splitDocuments("a: 1\n---\nb: |\n  ---\n  text\n--- # c\nc: 3\n");
    expect(chunks.map((c) => c.startLine)).toEqual([0, 1, 5]);
  });

  it("splits where kubectl splits: `---#comment` starts a document (apimachinery's YAMLReader), though YAML alone would read it as text", () => {
    const parsed = parseYamlFile("s.yaml", `${POD("a")}---#next
${POD("b")}`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects.map((o) => [o.object.metadata?.name, o.source.position.line])).toEqual([["a", 1], ["b", 10]]);
    expect(parsed.objects[1]?.source.locate(["spec", "containers", 0, "image"])).toEqual({ file: "s.yaml", line: 17, column: 5 });
  });

  it("walks directories recursively, skips binary and unrelated files, refuses oversized files, reads stdin", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "nested", "node_modules"), { recursive: true });
    writeFileSync(join(dir, "a.yaml"), POD("a"));
    writeFileSync(join(dir, "nested", "b.yml"), POD("b"));
    writeFileSync(join(dir, "nested", "node_modules", "c.yaml"), POD("c"));
    writeFileSync(join(dir, "nested", "README.md"), "# not a manifest");
    writeFileSync(join(dir, "image.yaml"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    writeFileSync(join(dir, "huge.yaml"), POD("h") + "#".repeat(5000));
    const snapshot = await loadSnapshot({ paths: [dir, "-"], stdinText: POD("from-stdin"), maxFileBytes: 4096 });
    expect(snapshot.objects.map((o) => o.object.metadata?.name).sort()).toEqual(["a", "b", "from-stdin"]);
    expect(snapshot.problems.map((p) => p.kind).sort()).toEqual(["binary", "too-large"]);
    expect(snapshot.stats.skippedFiles).toBe(2);
  });

  it("reads files of every size whole, through one reused buffer, in any order", async () => {
    const dir = tempDir();
    // Over the 1 MiB read buffer, so it grows; the small file after it must not see its bytes.
    const many = Array.from({ length: 6000 }, (_, i) => POD(`big-${i}`) + "# " + "x".repeat(100) + "\n").join("---\n");
    expect(Buffer.byteLength(many)).toBeGreaterThan(1 << 20);
    writeFileSync(join(dir, "a-big.yaml"), many);
    writeFileSync(join(dir, "b-small.yaml"), POD("small"));
    writeFileSync(join(dir, "c-utf8.yaml"), POD("ünïcødé-☸"));
    writeFileSync(join(dir, "d-empty.yaml"), "");
    const snapshot = await loadSnapshot({ paths: [dir] });
    const names = snapshot.objects.map((o) => o.object.metadata?.name);
    expect(names.length).toBe(6002);
    expect(names.slice(-2)).toEqual(["small", "ünïcødé-☸"]);
    expect(snapshot.problems).toEqual([]);
  });

  it("reads manifests saved as UTF-16 with a byte-order mark (Windows PowerShell's >), little- and big-endian, instead of skipping them as binary", async () => {
    const dir = tempDir();
    const text = POD("wïn-☸") + "  hostPID: true\n";
    const bigEndian = Buffer.from(text, "utf16le").swap16();
    writeFileSync(join(dir, "le.yaml"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    writeFileSync(join(dir, "be.yaml"), Buffer.concat([Buffer.from([0xfe, 0xff]), bigEndian]));
    const snapshot = await loadSnapshot({ paths: [dir] });
    expect(snapshot.problems).toEqual([]);
    expect(snapshot.objects.map((o) => [o.object.metadata?.name, (o.object.spec as { hostPID?: boolean } | undefined)?.hostPID, o.source.locate(["spec", "hostPID"]).line])).toEqual([
      ["wïn-☸", true, 9],
      ["wïn-☸", true, 9],
    ]);
  });

  it("reports a file that is not UTF-8 at its first bad byte (kubectl and kustomize refuse it), and still scans it", async () => {
    const dir = tempDir();
    // A real U+FFFD and a UTF-8 byte-order mark before the bad byte must not move the position.
    const before = Buffer.from("\ufeffapiVersion: v1\r\nkind: Pod\nmetadata:\n  name: ok-\ufffd\n  annotations: {note: caf", "utf8");
    const after = Buffer.from("}\nspec:\n  hostPID: true\n  containers: [{name: c, image: x}]\n", "utf8");
    writeFileSync(join(dir, "latin1.yaml"), Buffer.concat([before, Buffer.from([0xe9]), after]));
    const snapshot = await loadSnapshot({ paths: [join(dir, "latin1.yaml")] });
    expect(snapshot.problems.map((p) => [p.kind, p.position.line, p.position.column, p.hint])).toEqual([["encoding", 5, 26, "save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.new`"]]);
    expect(snapshot.problems[0]?.message).toMatch(/^not valid UTF-8 .*kubectl and kustomize refuse the file/);
    expect(snapshot.objects.map((o) => [o.object.metadata?.name, (o.object.spec as { hostPID?: boolean }).hostPID])).toEqual([["ok-\ufffd", true]]);
    // Through a pipe (`<(iconv ...)`), where the empty-input check also runs.
    const pipe = join(dir, "pipe");
    execFileSync("mkfifo", [pipe]);
    const writer = spawn("sh", ["-c", 'cat "$2" > "$1"', "sh", pipe, join(dir, "latin1.yaml")], { stdio: "ignore" });
    const fromPipe = await loadSnapshot({ paths: [pipe] });
    await new Promise((resolve) => writer.once("close", resolve));
    expect(fromPipe.problems.map((p) => [p.kind, p.position.line, p.position.column])).toEqual([["encoding", 5, 26]]);
  });

  it("reads files saved with Windows line breaks to the same values, lines and columns as with \\n", async () => {
    const dir = tempDir();
    const text = [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: crlf",
      "data:",
      "  literal: |",
      "    one",
      "",
      "    two",
      "  folded: >-",
      "    a",
      "    b",
      '  double: "x',
      '    y"',
      "  single: 'p",
      "",
      "    q'",
      "  plain: first",
      "    second",
      "",
    ].join("\n");
    writeFileSync(join(dir, "lf.yaml"), text);
    writeFileSync(join(dir, "windows.yaml"), text.replace(/\n/g, "\r\n"));
    const [lf, windows] = (await loadSnapshot({ paths: [dir] })).objects;
    // js-yaml reads the \r\n text itself to these values: the line breaks were only line breaks.
    expect(windows?.object).toEqual(jsYaml.load(text.replace(/\n/g, "\r\n")));
    expect(windows?.object).toEqual(lf?.object);
    for (const key of ["literal", "folded", "double", "single", "plain"]) expect(windows?.source.locate(["data", key])).toEqual({ ...lf?.source.locate(["data", key]), file: join(dir, "windows.yaml") });
  });

  it("reads a directory in code-unit order, as kubectl apply -f walks it, whatever the locale", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "Zeta"));
    for (const name of ["c.yaml", "B.yaml", "a.yaml", "ä.yaml", "Zeta/inner.yaml", "_x.yaml", "10.yaml", "9.yaml"]) writeFileSync(join(dir, name), POD(name.replace(/[^a-z0-9]/gi, "-").toLowerCase()));
    const snapshot = await loadSnapshot({ paths: [dir] });
    const files = snapshot.objects.map((o) => o.source.file.slice(dir.length + 1));
    // Upper case before lower case, digits by character, non-ASCII last: not a locale's order.
    expect(files).toEqual(["10.yaml", "9.yaml", "B.yaml", "Zeta/inner.yaml", "_x.yaml", "a.yaml", "c.yaml", "ä.yaml"]);
  });

  it("reads symbolic links to files in a walked directory (a mounted ConfigMap's files are links), reports broken ones, and does not walk linked directories", async () => {
    const dir = tempDir();
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, "real.yaml"), POD("linked"));
    mkdirSync(join(elsewhere, "sub"));
    writeFileSync(join(elsewhere, "sub", "inner.yaml"), POD("behind-a-linked-directory"));
    symlinkSync(join(elsewhere, "real.yaml"), join(dir, "a-link.yaml"));
    symlinkSync(join(elsewhere, "gone.yaml"), join(dir, "b-broken.yaml"));
    symlinkSync(join(elsewhere, "sub"), join(dir, "c-dir"));
    symlinkSync(dir, join(dir, "d-loop"));
    symlinkSync(join(elsewhere, "real.yaml"), join(dir, "e-notes.txt"));
    const snapshot = await loadSnapshot({ paths: [dir] });
    expect(snapshot.objects.map((o) => [o.object.metadata?.name, o.source.file])).toEqual([["linked", join(dir, "a-link.yaml")]]);
    expect(snapshot.problems.map((p) => [p.kind, p.position.file, p.message, p.hint])).toEqual([["unreadable", join(dir, "b-broken.yaml"), "cannot read: ENOENT", "the file is gone, or it is a symbolic link to nothing"]]);
    expect(snapshot.stats.skippedFiles).toBe(3);
  });

  it("reads a pipe named on the command line to its end (palisade scan <(helm template .)), JSON or YAML by its text", async () => {
    const dir = tempDir();
    for (const [name, text] of [
      ["yaml-pipe", POD("through-a-pipe")],
      ["json-pipe", JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "json-item" }, spec: { hostPID: true } }] }, null, 2)],
    ] as const) {
      const pipe = join(dir, name);
      execFileSync("mkfifo", [pipe]);
      // The writer waits for this process to open the pipe, as a shell's <(...) does.
      const writer = spawn("sh", ["-c", 'cat > "$1"', "sh", pipe], { stdio: ["pipe", "ignore", "ignore"] });
      writer.stdin.end(text);
      const snapshot = await loadSnapshot({ paths: [pipe] });
      expect(snapshot.problems).toEqual([]);
      expect(snapshot.objects.map((o) => o.object.metadata?.name)).toEqual([name === "yaml-pipe" ? "through-a-pipe" : "json-item"]);
      if (name === "json-pipe") expect(snapshot.objects[0]?.source.locate(["spec", "hostPID"])).toEqual({ file: pipe, line: 12, column: 9 });
      await new Promise((resolve) => writer.once("close", resolve));
    }
  });

  it("reads JSON saved under a YAML name as JSON (kubectl get -o json > pods.yaml), and flow-style YAML as YAML", async () => {
    const dir = tempDir();
    const json = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "json-in-yaml" }, spec: { hostPID: true } }, null, 2);
    writeFileSync(join(dir, "a.yaml"), json);
    writeFileSync(join(dir, "b.yaml"), "{apiVersion: v1, kind: Pod, metadata: {name: flow-yaml}, spec: {hostIPC: yes}}\n");
    const snapshot = await loadSnapshot({ paths: [dir, "-"], stdinText: "[\n]\n---\n{apiVersion: v1, kind: Pod, metadata: {name: flow-stdin}}\n" });
    expect(snapshot.problems).toEqual([]);
    expect(snapshot.objects.map((o) => o.object.metadata?.name)).toEqual(["json-in-yaml", "flow-yaml", "flow-stdin"]);
    expect(snapshot.objects[0]?.source.locate(["spec", "hostPID"])).toEqual({ file: join(dir, "a.yaml"), line: 8, column: 5 });
    expect((snapshot.objects[1]?.object.spec as { hostIPC?: unknown }).hostIPC).toBe(true);
  });

  it("leaves out of a directory walk the files a kustomization names as patches (parts of objects), but not a patch named on the command line", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "base"));
    mkdirSync(join(dir, "overlays", "prod"), { recursive: true });
    writeFileSync(join(dir, "base", "kustomization.yaml"), "resources: [pod.yaml]\n");
    writeFileSync(join(dir, "base", "pod.yaml"), POD("whole"));
    writeFileSync(
      join(dir, "overlays", "prod", "kustomization.yaml"),
      "resources: [../../base]\npatches:\n- path: replicas.yaml\n- patch: |\n    kind: Pod\npatchesJson6902:\n- {target: {kind: Pod, name: whole}, path: json6902.yaml}\npatchesStrategicMerge:\n- strategic.yaml\n- |\n  apiVersion: v1\n  kind: Pod\n",
    );
    for (const name of ["replicas.yaml", "strategic.yaml"]) writeFileSync(join(dir, "overlays", "prod", name), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: part\nspec:\n  hostPID: true\n");
    writeFileSync(join(dir, "overlays", "prod", "json6902.yaml"), "- {op: add, path: /spec/hostIPC, value: true}\n");
    writeFileSync(join(dir, "overlays", "prod", "extra.yaml"), POD("not-a-patch"));
    const walked = await loadSnapshot({ paths: [dir] });
    // The kustomization files are read too, as Kustomizations (kustomize takes apiVersion and kind as optional).
    expect(walked.objects.map((o) => o.object.kind)).toEqual(["Kustomization", "Pod", "Pod", "Kustomization"]);
    expect(walked.objects.filter((o) => o.object.kind === "Pod").map((o) => o.object.metadata?.name)).toEqual(["whole", "not-a-patch"]);
    expect(walked.stats.skippedPatches).toBe(3);
    expect(walked.problems).toEqual([]);
    const named = await loadSnapshot({ paths: [join(dir, "overlays", "prod", "replicas.yaml")] });
    expect(named.objects.map((o) => o.object.metadata?.name)).toEqual(["part"]);
    // A kustomization that cannot be read names no patches: the walk goes on as before.
    writeFileSync(join(dir, "overlays", "prod", "kustomization.yaml"), "patches: [unclosed\n");
    expect((await loadSnapshot({ paths: [dir] })).stats.skippedPatches).toBeUndefined();
  });

  it("leaves a Helm chart's templates and subcharts out of a directory walk, counted, until they are rendered", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "web", "templates"), { recursive: true });
    mkdirSync(join(dir, "web", "charts", "db", "templates"), { recursive: true });
    writeFileSync(join(dir, "web", "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 0.1.0\n");
    // Parses as YAML, and still is not what reaches the cluster.
    writeFileSync(join(dir, "web", "templates", "pod.yaml"), POD("{{ .Release.Name }}"));
    writeFileSync(join(dir, "web", "charts", "db", "templates", "db.yaml"), POD("db"));
    writeFileSync(join(dir, "plain.yaml"), POD("plain"));
    const walked = await loadSnapshot({ paths: [dir] });
    expect(walked.objects.map((o) => o.object.metadata?.name)).toEqual(["plain"]);
    expect(walked.stats.skippedTemplates).toBe(2);
    // Named on the command line, a template directory is read (and a failing template gets the Helm hint).
    expect((await loadSnapshot({ paths: [join(dir, "web", "templates")] })).objects).toHaveLength(1);
  });

  it("calls empty standard input or an empty pipe an input problem (a failed helm template upstream), and an empty file nothing", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "empty.yaml"), "");
    const fromStdin = await loadSnapshot({ paths: ["-", dir], stdinText: "  \n\n" });
    expect(fromStdin.problems.map((p) => [p.kind, p.position.file, p.message])).toEqual([["empty-input", "<stdin>", "standard input was empty: nothing was scanned"]]);
    const pipe = join(dir, "pipe");
    execFileSync("mkfifo", [pipe]);
    const writer = spawn("sh", ["-c", ': > "$1"', "sh", pipe], { stdio: "ignore" });
    const fromPipe = await loadSnapshot({ paths: [pipe] });
    await new Promise((resolve) => writer.once("close", resolve));
    expect(fromPipe.problems.map((p) => [p.kind, p.message, p.hint])).toEqual([["empty-input", "the pipe was empty: nothing was scanned", "check the command that feeds it; with `set -o pipefail` its failure stops the pipeline"]]);
  });

  it("says clearly when a path is neither a file, a directory nor a pipe", async () => {
    const dir = tempDir();
    const server = createServer().listen(join(dir, "api.sock"));
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      await expect(loadSnapshot({ paths: [join(dir, "api.sock")] })).rejects.toThrow(/cannot read .*api\.sock: it is not a file, a directory or a pipe/);
    } finally {
      server.close();
    }
  });

  it("names a loop of symbolic links as one, in a walked directory and as a path given", async () => {
    const dir = tempDir();
    symlinkSync("b.yaml", join(dir, "a.yaml"));
    symlinkSync("a.yaml", join(dir, "b.yaml"));
    const walked = await loadSnapshot({ paths: [dir] });
    expect(walked.problems.map((p) => [p.message, p.hint])).toEqual([
      ["cannot read: a loop of symbolic links (ELOOP)", "the link leads back to itself through other links: point it at a file, or remove it"],
      ["cannot read: a loop of symbolic links (ELOOP)", "the link leads back to itself through other links: point it at a file, or remove it"],
    ]);
    await expect(loadSnapshot({ paths: [join(dir, "a.yaml")] })).rejects.toThrow(/a\.yaml: a loop of symbolic links/);
  });

  it("says clearly when a path does not exist", async () => {
    await expect(loadSnapshot({ paths: ["/no/such/place"] })).rejects.toThrow(/cannot read \/no\/such\/place/);
  });

  it.skipIf(!hasKubectl)("says clearly why kustomize could not render a kustomization", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "kustomization.yaml"), "resources: [missing.yaml]\n");
    await expect(loadSnapshot({ paths: [], kustomizeDirs: [dir] })).rejects.toThrow(/kustomize could not render .*missing\.yaml/);
  });

  it("says clearly how to render a kustomization when kubectl and kustomize are missing", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "kustomization.yaml"), "resources: []\n");
    const previous = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      await expect(loadSnapshot({ paths: [], kustomizeDirs: [dir] })).rejects.toThrow(/neither kubectl nor kustomize is installed/);
    } finally {
      process.env.PATH = previous;
    }
  });
});
