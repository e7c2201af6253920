import { jsYaml, kubernetesYamlSchema } from "../k8s/js-yaml-lazy.js";
import { UserError, formatPosition } from "../errors.js";
import type { SourcePosition } from "../findings/types.js";
import { DocumentLocator } from "../k8s/locate.js";
import { isJsonText, parseJsonFile, parseYamlFile } from "../k8s/parse.js";
import { withoutStillScannedNote } from "../k8s/load-problems.js";
import type { FieldPath, LoadedObject } from "../k8s/types.js";
import { decodeEncryptionConfiguration } from "./config-decode.js";
import type { ConfigProblem, EncryptionConfiguration, Locator } from "./config-types.js";
import { validateEncryptionConfiguration, type ValidateOptions } from "./config-validate.js";

/** An EncryptionConfiguration that kube-apiserver would accept, with where each field is. */
export interface LoadedEncryptionConfiguration {
  config: EncryptionConfiguration;
  /** Written as `apiVersion: v1`, `kind: EncryptionConfig` (still decoded upstream). */
  legacy: boolean;
  file: string;
  locate: Locator;
}

/** The outcome of checking one config: either a config, or why kube-apiserver refuses it. */
export interface ConfigCheck {
  file: string;
  locate: Locator;
  config?: EncryptionConfiguration;
  legacy: boolean;
  problems: ConfigProblem[];
  /** The text is not a YAML/JSON document at all (empty, syntax error, several documents). */
  unreadable?: boolean;
}

/** Decode, default and validate an already-parsed object (e.g. from a Snapshot). */
export function checkEncryptionConfigurationObject(
  raw: unknown,
  file: string,
  locate: Locator,
  options: ValidateOptions = {},
): ConfigCheck {
  const decoded = decodeEncryptionConfiguration(raw, locate);
  if (!decoded.config) return { file, locate, legacy: decoded.legacy, problems: decoded.problems };
  const validated = validateEncryptionConfiguration(decoded.config, locate, options);
  return { file, locate, legacy: decoded.legacy, config: validated.config, problems: validated.problems };
}

/**
 * Check the content of an `--encryption-provider-config` file (YAML or JSON). Never
 * throws for bad content: syntax errors become problems with positions. This is the
 * entry point for the control-plane audit, which has the file's path and text.
 */
export function checkEncryptionConfigurationText(text: string, file: string, options: ValidateOptions = {}): ConfigCheck {
  const whole = (): SourcePosition => ({ file, line: 1, column: 1 });
  const fail = (message: string, position: SourcePosition, hint?: string): ConfigCheck => ({
    file,
    locate: whole,
    legacy: false,
    problems: [{ message, field: "(document)", path: [], position, hint }],
    unreadable: true,
  });
  if (text.trim().length === 0) return fail("encryption provider config is empty", whole(), "write an EncryptionConfiguration");
  const parsed = isJsonText(text) ? parseJsonFile(file, text) : parseYamlFile(file, text);
  // kube-apiserver reads one document and stops at a broken one: nothing else is read.
  const syntax = parsed.problems[0] && withoutStillScannedNote(parsed.problems[0]);
  if (syntax) return fail(syntax.message, syntax.position, syntax.hint);
  if (parsed.objects.length > 1) {
    const second = parsed.objects[1] as LoadedObject;
    return fail(
      "expected exactly one EncryptionConfiguration document",
      second.source.position,
      "kube-apiserver reads only the first document; remove the others",
    );
  }
  const object = parsed.objects[0];
  if (object) return checkEncryptionConfigurationObject(object.object, file, (path) => object.source.locate(path), options);
  // Not a Kubernetes-shaped object (no kind or apiVersion): decode it anyway for exact errors.
  let raw: unknown;
  try {
    raw = jsYaml().load(text, { schema: kubernetesYamlSchema() });
  } catch {
    return fail("invalid YAML", whole());
  }
  const locator = new DocumentLocator(text);
  const locate = (path: FieldPath): SourcePosition => {
    const p = locator.locate(path);
    return { file, line: p.line + 1, column: p.column + 1 };
  };
  return checkEncryptionConfigurationObject(raw, file, locate, options);
}


/** One line per problem, `file:line:col: field: message (hint)`, for errors and reports. */
export function describeProblem(problem: ConfigProblem): string {
  const where = problem.position ? `${formatPosition(problem.position)}: ` : "";
  const field = problem.field === "(document)" ? "" : `${problem.field}: `;
  return `${where}${field}${problem.message}${problem.hint ? ` (${problem.hint})` : ""}`;
}

/**
 * Parse a config file as kube-apiserver would load it, or throw a UserError that names
 * the problem at file:line:column, or every problem on a line of its own.
 */
export function parseEncryptionConfiguration(
  text: string,
  file: string,
  options: ValidateOptions = {},
): LoadedEncryptionConfiguration {
  const check = checkEncryptionConfigurationText(text, file, options);
  if (check.config && check.problems.length === 0) {
    return { config: check.config, legacy: check.legacy, file, locate: check.locate };
  }
  throw configError(check.problems);
}

/**
 * Why kube-apiserver refuses a config, as one UserError. One problem: at its position,
 * its hint as the hint. Several: every problem on a line of its own, each with its own
 * file:line:column and hint (`describeProblem`, as `encryption check` lists them).
 */
export function configError(problems: ConfigProblem[]): UserError {
  const [first, ...rest] = problems;
  if (!first) return new UserError("invalid EncryptionConfiguration");
  if (rest.length === 0) {
    const field = first.field === "(document)" ? "" : `${first.field}: `;
    return new UserError(`invalid EncryptionConfiguration: ${field}${first.message}`, { position: first.position, hint: first.hint });
  }
  const file = problems.find((p) => p.position)?.position?.file;
  const lines = problems.map((p) => `\n  ${describeProblem(p)}`).join("");
  return new UserError(`${file ? `${file}: ` : ""}invalid EncryptionConfiguration: ${problems.length} problems:${lines}`, {
    hint: "fix each problem above; kube-apiserver refuses the file until all are fixed",
  });
}
