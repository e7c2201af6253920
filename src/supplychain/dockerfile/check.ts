import { createRequire } from "node:module";
import type * as DockerfileAst from "dockerfile-ast";
import type { Instruction } from "dockerfile-ast";
import type { Finding, Rule, Severity } from "../../findings/types.js";
import { baseImageFacts } from "./base-images.js";
import { parseImageReference } from "../image-reference.js";
import { isRemoteAddSource } from "./add-source.js";
import { parseImageRef, type ImageRef } from "./image-ref.js";
import { DockerfileModel, type Position, type Stage } from "./stages.js";
import { DOCKERFILE_RULES } from "./rules.js";
import { withBuildKitDirectives } from "./directives.js";
import { usersCreatedBy, usersCreatedByArgv } from "./users.js";
import { looksLikeSecretName } from "../../secrets/names.js";
import { isDockerfileName } from "../../k8s/load.js";

// dockerfile-ast takes ~45 ms to load and most scans hold no Dockerfile: it is loaded on the first one.
let dockerfileAst: typeof DockerfileAst | undefined;
const parser = (): typeof DockerfileAst.DockerfileParser => (dockerfileAst ??= createRequire(import.meta.url)("dockerfile-ast") as typeof DockerfileAst).DockerfileParser;

/**
 * Checks of one Dockerfile (or Containerfile): who the final stage runs as, whether that
 * user exists, base image pinning, secrets in ENV/ARG and ADD from URLs. Pure: text in,
 * findings out, positions from dockerfile-ast's parser. Values of suspected secrets are
 * never put into a finding.
 */

/** Paths the scanner treats as Dockerfiles: the loader's test of the base name. */
export function isDockerfilePath(path: string): boolean {
  return isDockerfileName(path.split(/[\\/]/).pop() ?? "");
}

export function checkDockerfile(source: string, file: string): Finding[] {
  const text = withBuildKitDirectives(source);
  const dockerfile = parser().parse(text);
  const findings: Finding[] = [];
  const at = (instruction: { getRange(): { start: { line: number; character: number } } }) => {
    const start = instruction.getRange().start;
    return { file, line: start.line + 1, column: start.character + 1 };
  };
  const report = (rule: Rule, where: { getRange(): { start: { line: number; character: number } } }, message: string, extra: { severity?: Severity; properties?: Record<string, unknown> } = {}) => {
    findings.push({
      ruleId: rule.id,
      severity: extra.severity ?? rule.severity,
      pillar: rule.pillar,
      message,
      object: { kind: "Dockerfile", name: file },
      position: at(where),
      remediation: rule.docs.remediation,
      ...(extra.properties ? { properties: extra.properties } : {}),
    });
  };

  const model = new DockerfileModel(dockerfile, text);
  for (const stage of model.stages) {
    checkBaseImage(stage, report);
    model.result(stage, (instruction, lookup) => {
      if (instruction.getKeyword() === "ADD") checkAdd(instruction, model, (word) => model.expand(word, lookup), report);
    });
  }
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === "ENV" || keyword === "ARG") checkSecrets(instruction, keyword, report);
  }
  const final = model.stages.at(-1);
  if (final) checkFinalUser(final, model, report);
  return findings;
}

type Report = (rule: Rule, where: { getRange(): { start: { line: number; character: number } } }, message: string, extra?: { severity?: Severity; properties?: Record<string, unknown> }) => void;

function checkBaseImage(stage: Stage, report: Report): void {
  if (stage.parent) return; // builds on an earlier stage of this file
  if (stage.image === undefined) {
    report(DOCKERFILE_RULES.baseUnpinned, stage.from, `base image ${JSON.stringify(stage.rawImage)} depends on a build argument without a default, so its pinning cannot be checked`, { severity: "low" });
    return;
  }
  if (stage.image === "scratch") return;
  const parsed = parseImageReference(stage.image);
  if (!parsed.ok) {
    // BuildKit parses FROM with the same reference grammar, so the build stops here.
    const image = stage.image === "" ? `${JSON.stringify(stage.rawImage)} (empty once expanded)` : stage.image;
    report(DOCKERFILE_RULES.baseUnpinned, stage.from, `base image ${image} is not a valid image reference, as ${parsed.reason}: the build fails to pull it, and it pins nothing`, { properties: { image: stage.image } });
    return;
  }
  const { tag, digest } = parsed.reference;
  if (digest === undefined) {
    report(DOCKERFILE_RULES.baseUnpinned, stage.from, `base image ${stage.image} is not pinned by digest`, { properties: { image: stage.image } });
    if (tag === undefined || tag === "latest") {
      report(DOCKERFILE_RULES.baseLatest, stage.from, `base image ${stage.image} ${tag === undefined ? "has no tag, which means latest" : "uses the latest tag"}`, { properties: { image: stage.image } });
    }
  }
}

function checkSecrets(instruction: Instruction, keyword: "ENV" | "ARG", report: Report): void {
  const properties = (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null; getNameRange(): { start: { line: number; character: number } } }[] }).getProperties();
  for (const property of properties) {
    const name = property.getName();
    if (!looksLikeSecretName(name)) continue;
    const hasValue = (property.getValue() ?? "") !== "";
    const where = { getRange: () => ({ start: property.getNameRange().start }) };
    if (keyword === "ENV") {
      report(DOCKERFILE_RULES.secretInEnvOrArg, where, `ENV ${name} looks like a secret; its value is stored in the image configuration for anyone who can pull the image (value not shown)`);
    } else {
      report(
        DOCKERFILE_RULES.secretInEnvOrArg,
        where,
        hasValue
          ? `ARG ${name} looks like a secret and has a default value in the Dockerfile (value not shown); build arguments are recorded in the image history`
          : `ARG ${name} looks like a secret; values passed with --build-arg are recorded in the image history`,
        { severity: hasValue ? "high" : "medium" },
      );
    }
  }
}

function checkAdd(instruction: Instruction, model: DockerfileModel, expand: (word: string) => string | undefined, report: Report): void {
  const flags = (instruction as unknown as { getFlags(): { getName(): string }[] }).getFlags();
  if (flags.some((f) => f.getName() === "checksum")) return; // verified download
  for (const source of addSources(instruction, model)) {
    const value = expand(source);
    if (value !== undefined && isRemoteAddSource(value)) report(DOCKERFILE_RULES.addFromUrl, instruction, `ADD downloads ${redactUrl(value)} without verifying its content`);
  }
}

/** ADD's sources as written: the JSON form's strings, or the words before the destination, heredoc bodies left out. */
function addSources(instruction: Instruction, model: DockerfileModel): string[] {
  const json = jsonForm(instruction, model);
  if (json) return json.slice(0, -1);
  const args = instruction.getArguments();
  // A heredoc's content starts on the line after its `<<NAME`: those words are file content, not sources.
  const heredoc = args.find((a) => a.getValue().startsWith("<<"));
  const header = heredoc ? args.filter((a) => a.getRange().start.line <= heredoc.getRange().start.line) : args;
  return header.map((a) => a.getValue()).filter((v) => !v.startsWith("<<")).slice(0, -1);
}

type Bracket = { getRange(): { start: Position; end: Position } } | null;

/**
 * The strings of an instruction in JSON (exec) form, or undefined for the shell form. Decoded
 * from the text as BuildKit's parseJSON does (a JSON array of strings, else shell form):
 * dockerfile-ast's own JSON values drop the spaces inside a string.
 */
function jsonForm(instruction: Instruction, model: DockerfileModel): string[] | undefined {
  const json = instruction as unknown as { getOpeningBracket?(): Bracket; getClosingBracket?(): Bracket };
  const open = json.getOpeningBracket?.();
  const close = json.getClosingBracket?.();
  if (!open || !close) return undefined;
  try {
    const value: unknown = JSON.parse(model.rawText(open.getRange().start, close.getRange().end));
    return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Drop credentials a URL might carry (`https://user:token@host/...`). */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//***@");
}

function rootImage(stage: Stage): ImageRef | undefined {
  let s = stage;
  while (s.parent) s = s.parent;
  return s.image ? parseImageRef(s.image) : undefined;
}

/** Why a global ARG came out empty in the stage, and the fix. */
function outOfScopeNote(names: readonly string[]): string {
  if (names.length === 0) return "";
  const one = names.length === 1;
  const declare = names.map((n) => `\`ARG ${n}\``).join(" and ");
  return ` (${names.join(", ")} ${one ? "is a global ARG" : "are global ARGs"}, declared before the first FROM, which a stage sees only after declaring ${one ? "it" : "them"} again with ${declare}; unless the base image's ENV sets ${one ? "it, it is" : "them, they are"} empty here)`;
}

function checkFinalUser(final: Stage, model: DockerfileModel, report: Report): void {
  const base = rootImage(final);
  const facts = base ? baseImageFacts(base) : undefined;
  const result = model.result(final);
  const user = result.user;
  if (!user) {
    if (!facts || facts.defaultUid === 0) {
      const image = base ? base.name + (base.tag ? `:${base.tag}` : "") : "its base image";
      report(DOCKERFILE_RULES.userMissing, final.from, `the final stage sets no USER, so it runs as ${facts ? `root, the user ${image} defaults to` : `whatever user ${image} sets (unknown here)`}`);
    }
    return;
  }
  if (user.value === undefined) return; // set by a build argument without a default, or the base image's ENV
  if (user.value.trim() === "") {
    // BuildKit writes the empty user into the image config (no error, only an UndefinedVar
    // lint warning), which runtimes run as UID 0, whatever the base image said.
    report(DOCKERFILE_RULES.userRoot, user.instruction, `USER ${user.instruction.getArgumentsContent() ?? ""} expands to an empty user${outOfScopeNote(user.outOfScope)}, so the final stage runs as root`);
    return;
  }
  const [name = ""] = user.value.split(":");
  if (name === "root" || /^0+$/.test(name)) {
    report(DOCKERFILE_RULES.userRoot, user.instruction, `the final stage runs as root (USER ${user.value})`);
    return;
  }
  if (/^\d+$/.test(name)) return;
  const created = new Map<string, number | undefined>();
  for (const run of result.runs) {
    const argv = jsonForm(run, model);
    for (const u of argv ? usersCreatedByArgv(argv) : usersCreatedBy(run.getArgumentsContent() ?? "")) if (!created.has(u.name)) created.set(u.name, u.uid);
  }
  const uid = created.has(name) ? created.get(name) : facts?.users[name];
  if (uid === 0) {
    report(DOCKERFILE_RULES.userRoot, user.instruction, `USER ${name} has UID 0, so the final stage runs as root`);
    return;
  }
  const hint = uid !== undefined ? `; use USER ${uid}` : "";
  report(DOCKERFILE_RULES.userNotNumeric, user.instruction, `USER ${name} is a name, so the kubelet cannot verify runAsNonRoot${hint}`, uid !== undefined ? { properties: { uid } } : {});
  if (!created.has(name) && facts?.users[name] === undefined) {
    report(DOCKERFILE_RULES.userUnknown, user.instruction, `USER ${name} is not created in this Dockerfile and is not known to exist in ${base ? base.name : "the base image"}`);
  }
}
