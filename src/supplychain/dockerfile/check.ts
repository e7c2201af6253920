import { createRequire } from "node:module";
import type * as DockerfileAst from "dockerfile-ast";
import type { From, Instruction } from "dockerfile-ast";
import type { Finding, Rule, Severity } from "../../findings/types.js";
import { baseImageFacts } from "./base-images.js";
import { parseImageRef, type ImageRef } from "./image-ref.js";
import { DOCKERFILE_RULES } from "./rules.js";
import { usersCreatedBy } from "./users.js";
import { looksLikeSecretName } from "../../secrets/names.js";

// dockerfile-ast takes ~45 ms to load and most scans hold no Dockerfile: it is loaded on the first one.
let dockerfileAst: typeof DockerfileAst | undefined;
const parser = (): typeof DockerfileAst.DockerfileParser => (dockerfileAst ??= createRequire(import.meta.url)("dockerfile-ast") as typeof DockerfileAst).DockerfileParser;

/**
 * Checks of one Dockerfile (or Containerfile): who the final stage runs as, whether that
 * user exists, base image pinning, secrets in ENV/ARG and ADD from URLs. Pure: text in,
 * findings out, positions from dockerfile-ast's parser. Values of suspected secrets are
 * never put into a finding.
 */

interface Stage {
  from: From;
  /** `AS name`, lower-cased (stage names are case-insensitive). */
  name?: string;
  /** The expanded image reference, or undefined when a build argument has no value. */
  image?: string;
  /** The earlier stage this one builds on, when FROM names a stage. */
  parent?: Stage;
  instructions: Instruction[];
}

/** Basenames the scanner treats as Dockerfiles. */
export function isDockerfilePath(path: string): boolean {
  const base = path.split(/[\\/]/).pop() ?? "";
  return base === "Dockerfile" || base === "Containerfile" || base.endsWith(".Dockerfile") || base.endsWith(".dockerfile") || base.startsWith("Dockerfile.") || base.startsWith("Containerfile.");
}

export function checkDockerfile(text: string, file: string): Finding[] {
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

  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === "FROM") {
      const from = instruction as From;
      const image = from.getExpandedArguments()[0]?.getValue();
      const name = from.getBuildStage()?.toLowerCase();
      const parent = image ? stages.find((s) => s.name !== undefined && s.name === image.toLowerCase()) : undefined;
      stages.push({ from, instructions: [], ...(name ? { name } : {}), ...(image && !image.includes("$") ? { image } : {}), ...(parent ? { parent } : {}) });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }

  for (const stage of stages) checkBaseImage(stage, report);
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === "ENV" || keyword === "ARG") checkSecrets(instruction, keyword, report);
    if (keyword === "ADD") checkAdd(instruction, report);
  }
  const final = stages.at(-1);
  if (final) checkFinalUser(final, report);
  return findings;
}

type Report = (rule: Rule, where: { getRange(): { start: { line: number; character: number } } }, message: string, extra?: { severity?: Severity; properties?: Record<string, unknown> }) => void;

function checkBaseImage(stage: Stage, report: Report): void {
  if (stage.parent) return; // builds on an earlier stage of this file
  const raw = stage.from.getArgumentsContent() ?? "";
  if (!stage.image) {
    const variable = stage.from.getExpandedArguments()[0]?.getValue() ?? raw;
    report(DOCKERFILE_RULES.baseUnpinned, stage.from, `base image ${JSON.stringify(variable)} depends on a build argument without a default, so its pinning cannot be checked`, { severity: "low" });
    return;
  }
  if (stage.image === "scratch") return;
  const ref = parseImageRef(stage.image);
  if (ref.digest === undefined) {
    report(DOCKERFILE_RULES.baseUnpinned, stage.from, `base image ${stage.image} is not pinned by digest`, { properties: { image: stage.image } });
    if (ref.tag === undefined || ref.tag === "latest") {
      report(DOCKERFILE_RULES.baseLatest, stage.from, `base image ${stage.image} ${ref.tag === undefined ? "has no tag, which means latest" : "uses the latest tag"}`, { properties: { image: stage.image } });
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

function checkAdd(instruction: Instruction, report: Report): void {
  const flags = (instruction as unknown as { getFlags(): { getName(): string }[] }).getFlags();
  if (flags.some((f) => f.getName() === "checksum")) return; // verified download
  const args = instruction.getExpandedArguments();
  for (const source of args.slice(0, -1)) {
    const value = source.getValue();
    if (/^(https?|ftp):\/\//i.test(value) || /^git@/.test(value) || /\.git(#.*)?$/.test(value)) {
      report(DOCKERFILE_RULES.addFromUrl, instruction, `ADD downloads ${redactUrl(value)} without verifying its content`);
    }
  }
}

/** Drop credentials a URL might carry (`https://user:token@host/...`). */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//***@");
}

function lastUser(stage: Stage): { instruction: Instruction; value: string; stage: Stage } | undefined {
  for (let s: Stage | undefined = stage; s; s = s.parent) {
    const users = s.instructions.filter((i) => i.getKeyword() === "USER");
    const last = users.at(-1);
    if (last) return { instruction: last, value: last.getExpandedArguments()[0]?.getValue() ?? "", stage: s };
  }
  return undefined;
}

function rootImage(stage: Stage): ImageRef | undefined {
  let s = stage;
  while (s.parent) s = s.parent;
  return s.image ? parseImageRef(s.image) : undefined;
}

function checkFinalUser(final: Stage, report: Report): void {
  const base = rootImage(final);
  const facts = base ? baseImageFacts(base) : undefined;
  const user = lastUser(final);
  if (!user) {
    if (!facts || facts.defaultUid === 0) {
      const image = base ? base.name + (base.tag ? `:${base.tag}` : "") : "its base image";
      report(DOCKERFILE_RULES.userMissing, final.from, `the final stage sets no USER, so it runs as ${facts ? "root" : "whatever user"} ${image} ${facts ? "defaults to" : "sets (unknown)"}`);
    }
    return;
  }
  const [name = ""] = user.value.split(":");
  if (name.includes("$")) return; // a build argument without a value: nothing to check
  if (name === "root" || /^0+$/.test(name)) {
    report(DOCKERFILE_RULES.userRoot, user.instruction, `the final stage runs as root (USER ${user.value})`);
    return;
  }
  if (/^\d+$/.test(name)) return;
  const created = new Map<string, number | undefined>();
  for (let s: Stage | undefined = final; s; s = s.parent) {
    for (const run of s.instructions.filter((i) => i.getKeyword() === "RUN")) {
      for (const u of usersCreatedBy(run.getArgumentsContent() ?? "")) if (!created.has(u.name)) created.set(u.name, u.uid);
    }
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
