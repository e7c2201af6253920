import type { Dockerfile, From, Instruction } from "dockerfile-ast";
import { expandWord, type Binding, type Lookup } from "./expand.js";

/**
 * The build stages of a Dockerfile and what each one ends with, as BuildKit builds them:
 * FROM is expanded with the ARGs declared before the first FROM (and the automatic
 * platform ARGs); a stage that names an earlier stage starts from that stage's result,
 * its ENV and USER included, and first runs that stage's ONBUILD triggers; inside a stage
 * an ARG is visible only once declared (a global one only when declared again: until then
 * it expands to nothing), and ENV wins over ARG. Values are the Dockerfile's defaults; undefined means "decided at build
 * time" (an ARG without default, an ENV the base image may set).
 */

/** undefined: an ARG without default (open) or an ENV whose value is decided at build time. */
export type Value = string | undefined;

export interface Stage {
  from: From;
  /** `AS name`, lower-cased as BuildKit stores it (`AS Build` is named `build`). */
  name?: string;
  /** The image word as written, variables unexpanded. */
  rawImage: string;
  /** The image after substitution; undefined when it depends on a build-time value. */
  image: Value;
  /** The earlier stage this one builds on, when FROM names a stage. */
  parent?: Stage;
  instructions: Instruction[];
}

/** A stage's state after its last instruction. */
export interface StageResult {
  env: Map<string, Value>;
  /** ARGs declared so far; a stage built on this one starts with them (BuildKit keeps them in its state). */
  args: Map<string, Value>;
  /** The last USER; `outOfScope`: global ARGs its word names that the stage never redeclared (empty there). */
  user?: { instruction: Instruction; value: Value; outOfScope: string[] };
  /** Every RUN that shaped the stage's filesystem: its parents', their triggers', its own. */
  runs: Instruction[];
}

/** Automatic platform ARGs: in the global scope, so FROM may use them, with build-time values. */
const PLATFORM_ARGS = new Set(["TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"]);

interface Property {
  getName(): string;
  getValue(): string | null;
  getValueRange(): { start: Position; end: Position } | null;
}
export interface Position {
  line: number;
  character: number;
}

export class DockerfileModel {
  readonly escape: string;
  readonly stages: Stage[] = [];
  private readonly globals = new Map<string, Value>();
  private readonly lineStarts: number[] = [0];
  private readonly results = new Map<Stage, StageResult>();

  constructor(
    dockerfile: Dockerfile,
    private readonly text: string,
  ) {
    this.escape = dockerfile.getEscapeCharacter();
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
    for (const instruction of dockerfile.getInstructions()) {
      const keyword = instruction.getKeyword();
      if (keyword === "FROM") this.addStage(instruction as From);
      else if (this.stages.length === 0) {
        if (keyword === "ARG") for (const p of properties(instruction)) this.globals.set(p.getName(), p.getValue() === null ? undefined : this.expand(this.rawValue(p), this.globalLookup));
      } else this.stages.at(-1)?.instructions.push(instruction);
    }
  }

  /** FROM sees only the global ARGs and the platform ones; any other name is empty. */
  private readonly globalLookup: Lookup = (name) => {
    if (this.globals.has(name)) return argBinding(this.globals.get(name));
    return PLATFORM_ARGS.has(name) ? { kind: "unknown" } : { kind: "unset" };
  };

  expand(word: string, lookup: Lookup): Value {
    return expandWord(word, lookup, this.escape);
  }

  private addStage(from: From): void {
    // Flags (--platform) are not arguments; the image is the first word, `AS name` follows.
    const rawImage = (from.getArgumentsContent() ?? "").trim().split(/\s+/)[0] ?? "";
    const image = this.expand(rawImage, this.globalLookup);
    const name = from.getBuildStage()?.toLowerCase();
    // BuildKit's dispatchStates.addState: names are kept lower-cased, the FROM word is looked up
    // as written among the stages before it, and a later stage of a name replaces an earlier one.
    const parent = image === undefined ? undefined : this.stages.findLast((s) => s.name === image);
    this.stages.push({ from, rawImage, image, instructions: [], ...(name ? { name } : {}), ...(parent ? { parent } : {}) });
  }

  /**
   * Walks a stage as BuildKit dispatches it, telling `visit` each of its own instructions
   * with the variables in scope there; triggers of the parent run first and are not visited.
   */
  result(stage: Stage, visit?: (instruction: Instruction, lookup: Lookup) => void): StageResult {
    const cached = visit ? undefined : this.results.get(stage);
    if (cached) return cached;
    const start = stage.parent ? this.result(stage.parent) : undefined;
    const args = new Map<string, Value>(start?.args);
    const state: StageResult = { env: new Map(start?.env), args, runs: [...(start?.runs ?? [])], ...(start?.user ? { user: start.user } : {}) };
    const outOfScope = new Set<string>();
    const lookup: Lookup = (name) => {
      if (state.env.has(name)) return envBinding(state.env.get(name));
      if (args.has(name)) return argBinding(args.get(name));
      // BuildKit expands a stage's words with the stage's own environment (the base image's
      // ENV, then the stage's ENV and ARGs): a global ARG is not in it until the stage says
      // `ARG NAME`, so the word sees it unset, whatever its default or --build-arg value.
      // (A base image whose config sets an ENV of the same name would fill it; a name the
      // Dockerfile declares as a build argument is taken not to be one.)
      // PATH is the exception: BuildKit always sets it (the base image's or its default).
      if (this.globals.has(name) && name !== "PATH") {
        outOfScope.add(name);
        return { kind: "unset" };
      }
      return { kind: "unknown" };
    };
    const triggers = (stage.parent?.instructions ?? []).flatMap((i) => (i.getKeyword() === "ONBUILD" ? [(i as unknown as { getTriggerInstruction(): Instruction | null }).getTriggerInstruction()] : [])).filter((i): i is Instruction => i !== null);
    const sequence = [...triggers, ...stage.instructions];
    for (const [index, instruction] of sequence.entries()) {
      const keyword = instruction.getKeyword();
      if (keyword === "ARG") {
        for (const p of properties(instruction)) args.set(p.getName(), p.getValue() !== null ? this.expand(this.rawValue(p), lookup) : this.globals.get(p.getName()));
      } else if (keyword === "ENV") {
        for (const p of properties(instruction)) state.env.set(p.getName(), this.expand(this.rawValue(p), lookup));
      } else if (keyword === "USER") {
        outOfScope.clear();
        const value = this.expand(instruction.getArgumentsContent() ?? "", lookup);
        state.user = { instruction, value, outOfScope: [...outOfScope] };
      } else if (keyword === "RUN") state.runs.push(instruction);
      if (visit && index >= triggers.length) visit(instruction, lookup);
    }
    this.results.set(stage, state);
    return state;
  }

  /** A property's value as written (quotes and variables kept), its line continuations joined. */
  private rawValue(property: Property): string {
    const range = property.getValueRange();
    return range ? this.rawText(range.start, range.end) : (property.getValue() ?? "");
  }

  /** The text between two positions as written, its line continuations joined. */
  rawText(start: Position, end: Position): string {
    const offset = (p: Position) => (this.lineStarts[p.line] ?? this.text.length) + p.character;
    const raw = this.text.slice(offset(start), offset(end));
    return raw.split(`${this.escape}\n`).join("").split(`${this.escape}\r\n`).join("");
  }
}

function properties(instruction: Instruction): Property[] {
  return (instruction as unknown as { getProperties(): Property[] }).getProperties();
}

/** A build argument without a default is open: the build may pass it, or leave it unset. */
function argBinding(value: Value): Binding {
  return value === undefined ? { kind: "open" } : { kind: "value", value };
}

function envBinding(value: Value): Binding {
  return value === undefined ? { kind: "unknown" } : { kind: "value", value };
}
