/**
 * Credentials written into manifests: a Secret's values kept with the manifests, a
 * credential-named env var, command-line flag, ConfigMap key or configuration line given
 * its value inline, and any value of a workload, ConfigMap or annotation in the format of
 * a known credential. A finding names the object, the field and the kind of credential,
 * never the value.
 */
import { findingAt } from "../findings/finding-at.js";
import { controlPlaneContainers } from "../hardening/flags.js";
import type { Finding, Rule } from "../findings/types.js";
import { CONTAINER_PROBES, LIFECYCLE_HOOKS, visitContainers } from "../k8s/containers.js";
import { apiGroupOf } from "../k8s/snapshot.js";
import { isRecord, type FieldPath, type K8sObject, type LoadedObject } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";
import { settingsIn } from "./config-text.js";
import { credentialIn, isLiteralCredential, isLiteralEnvCredential, isReference } from "./credential-formats.js";
import { flagBefore, secretFlag, wordValue } from "./arguments.js";
import { generators } from "./generators.js";
import { readPasswordOptions, type PasswordOptionReading } from "./password-options.js";
import { isCertificateKey, looksLikeSecretName } from "./names.js";
import { SECRET_RULES } from "./rules.js";

/** kubectl's copy of the whole object: what it holds is judged where it is written. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

type Report = (rule: Rule, path: FieldPath, message: string, properties?: Record<string, unknown>) => void;

export function checkSecrets(loaded: LoadedObject): Finding[] {
  const object = loaded.object;
  const core = apiGroupOf(object.apiVersion) === "";
  if (object.kind === "Secret" && core) return secretInManifest(loaded);
  const findings: Finding[] = [];
  const report: Report = (rule, path, message, properties) => {
    const finding = findingAt(rule, loaded, path, message);
    if (properties) finding.properties = properties;
    findings.push(finding);
  };
  annotations(object.metadata?.annotations, ["metadata", "annotations"], report);
  if (object.kind === "ConfigMap" && core) {
    if (isRecord(object.data)) configMapData("data", object.data, report);
    if (isRecord(object.binaryData)) configMapData("binaryData", decodedBinaryData(object.binaryData), report);
  }
  if ((object.kind === "Kustomization" || object.kind === "Component") && apiGroupOf(object.apiVersion) === "kustomize.config.k8s.io") generators(object, kustomizationFile(loaded), report);
  const template = podTemplate(object);
  if (!template) return findings;
  if (template.path.length > 0) annotations(template.pod.metadata.annotations, [...template.path, "metadata", "annotations"], report);
  const booleansByContainer = bareBooleanFlags(object);
  for (const ref of visitContainers(template.pod.spec)) {
    const at = (...rest: FieldPath) => [...template.path, ...ref.path, ...rest];
    const booleans = booleansByContainer.get(JSON.stringify(at())) ?? NO_WORDS;
    const who = `container ${JSON.stringify(ref.name)}`;
    const env = ref.container.env;
    if (Array.isArray(env)) {
      env.forEach((entry: unknown, i) => {
        const value = isRecord(entry) ? scalarText(entry.value) : undefined;
        if (!isRecord(entry) || value === undefined || typeof entry.name !== "string") return;
        const properties = { container: ref.name, env: entry.name };
        const what = credentialIn(value);
        if (what) report(SECRET_RULES.knownCredential, at("env", i, "value"), `${who} env ${entry.name} holds ${what}`, properties);
        else if (looksLikeSecretName(entry.name) && isLiteralEnvCredential(value)) report(SECRET_RULES.inline, at("env", i, "value"), `${who} env ${entry.name} is named as a credential and its value is written in the manifest`, properties);
        else {
          // Options in one variable (JAVA_OPTS="-Djavax.net.ssl.keyStorePassword=..."): each flag as on a command line.
          const flags = value.includes("=") ? value.split(/\s+/).flatMap((token) => secretFlag(token) ?? []) : [];
          if (flags.length > 0) report(SECRET_RULES.inline, at("env", i, "value"), `${who} env ${entry.name} passes ${flags.join(", ")} a value written in the manifest`, properties);
        }
      });
    }
    // One argv, command then args: a program named in command takes the options of args.
    const argv = { command: argvText(ref.container.command), args: argvText(ref.container.args) };
    const options = readPasswordOptions([...argv.command, ...argv.args], false);
    for (const list of ["command", "args"] as const) {
      const offset = list === "command" ? 0 : argv.command.length;
      commandLine(argv[list], at(list), `${who} ${list}`, ref.name, report, booleans, byItem(options, offset, argv[list].length));
    }
    // Probes and hooks run commands and send headers too.
    for (const [hookPath, hook] of handlers(ref.container)) {
      const exec = argvText(isRecord(hook.exec) ? hook.exec.command : undefined);
      commandLine(exec, at(...hookPath, "exec", "command"), `${who} ${hookPath.join(".")} command`, ref.name, report, NO_WORDS, byItem(readPasswordOptions(exec, false), 0, exec.length));
      const headers = isRecord(hook.httpGet) ? hook.httpGet.httpHeaders : undefined;
      if (!Array.isArray(headers)) continue;
      headers.forEach((header: unknown, i) => {
        const what = isRecord(header) && typeof header.value === "string" ? credentialIn(header.value) : undefined;
        if (what) report(SECRET_RULES.knownCredential, at(...hookPath, "httpGet", "httpHeaders", i, "value"), `${who} ${hookPath.join(".")} sends a header holding ${what}`, { container: ref.name });
      });
    }
  }
  return findings;
}

function annotations(values: unknown, path: FieldPath, report: Report): void {
  if (!isRecord(values)) return;
  for (const [key, value] of Object.entries(values)) {
    const what = key === LAST_APPLIED || typeof value !== "string" ? undefined : credentialIn(value);
    if (what) report(SECRET_RULES.knownCredential, [...path, key], `annotation ${key} holds ${what}`);
  }
}

/** A ConfigMap's values: each whole, and, for a configuration file, each of its lines. */
function configMapData(field: "data" | "binaryData", data: Record<string, unknown>, report: Report): void {
  const where = field === "data" ? "ConfigMap key" : "ConfigMap binaryData key";
  for (const [key, written] of Object.entries(data)) {
    const value = scalarText(written);
    if (value === undefined) continue;
    const what = credentialIn(value);
    if (what) {
      report(SECRET_RULES.knownCredential, [field, key], `${where} ${key} holds ${what}`, { key });
      continue;
    }
    if (!value.includes("\n")) {
      if (looksLikeSecretName(key) && isLiteralCredential(value)) report(SECRET_RULES.inline, [field, key], `${where} ${key} is named as a credential and holds its value in plain text, readable by whoever may read ConfigMaps`, { key });
      continue;
    }
    const settings = settingsIn(value, key);
    if (settings.length > 0) report(SECRET_RULES.inline, [field, key], `${where} ${key} sets ${settings.join(", ")} in plain text, readable by whoever may read ConfigMaps`, { key, settings });
  }
}

/** Larger binaryData is no configuration file: a keystore or an image, whose formats say nothing readable. */
const MAX_DECODED_BYTES = 1 << 20;

/** binaryData's values that decode to text (a PEM file, a .env), as text; the rest left out. */
function decodedBinaryData(binaryData: Record<string, unknown>): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(binaryData)) {
    if (typeof value !== "string" || value.length > (MAX_DECODED_BYTES / 3) * 4 + 4) continue;
    const bytes = Buffer.from(value, "base64");
    if (!bytes.includes(0)) text[key] = bytes.toString("utf8");
  }
  return text;
}

/** The kustomization's own file, when it was read from one (not stdin, a pipe or a rendered kustomization). */
function kustomizationFile(loaded: LoadedObject): string | undefined {
  const file = loaded.source.file;
  return /(?:^|[\\/])(?:kustomization\.ya?ml|Kustomization)$/.test(file) ? file : undefined;
}

const NO_WORDS: ReadonlySet<string> = new Set();

/**
 * The words of each control-plane container's command line that are boolean flags written
 * bare (`--client-cert-auth`), by the container's path. pflag and Go's flag package never take
 * the next word as a boolean's value (`--client-cert-auth x` is the flag set to true and a stray
 * word), so a word after one is no value, whatever the flag's name says: hardening's reading
 * of the command line, which knows each component's booleans, tells which they are.
 */
function bareBooleanFlags(object: K8sObject): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  for (const container of controlPlaneContainers(object)) {
    const bare = [...container.flags.values()].filter((flag) => !/[\s=]/.test(flag.written)).map((flag) => flag.written);
    if (bare.length > 0) out.set(JSON.stringify(container.path), new Set(bare));
  }
  return out;
}

/**
 * A command line's items as text: a number or a boolean by its reading (`--password, 1234`
 * gives the program the digits all the same; manifest/string-expected reports the type), and
 * anything else as no text at all, so that each item keeps its index.
 */
function argvText(items: unknown): string[] {
  return Array.isArray(items) ? items.map((item: unknown) => scalarText(item) ?? "") : [];
}

/**
 * A scalar as text: a string as it is, a number or a boolean YAML read from a plain scalar
 * as its reading. Only its reading is kept (0x1F is 31 here, yes is true), which is enough to
 * tell a credential from a setting; the value itself is never printed.
 */
function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

/** What a whole argv's program options say of one of its lists (command or args), by the list's own index. */
interface ListReading {
  /** The password options whose value is the item. */
  options: ReadonlyMap<number, string[]>;
  /** Items that are a long option taking no value from the next item (`mysql --password db`). */
  valueless: ReadonlySet<number>;
}

function byItem(reading: PasswordOptionReading, offset: number, length: number): ListReading {
  const inList = (index: number) => index >= offset && index < offset + length;
  const options = new Map<number, string[]>();
  for (const { index, named } of reading.uses) if (inList(index)) options.set(index - offset, [...(options.get(index - offset) ?? []), named]);
  return { options, valueless: new Set([...reading.valueless].filter(inList).map((index) => index - offset)) };
}

/** A command line's arguments: credentials by their format, and flags named as credentials given their value. */
function commandLine(items: readonly string[], path: FieldPath, where: string, container: string, report: Report, booleans: ReadonlySet<string>, argv: ListReading): void {
  items.forEach((item, i) => {
    if (item === "") return;
    const what = credentialIn(item);
    if (what) {
      report(SECRET_RULES.knownCredential, [...path, i], `${where}[${i}] holds ${what}`, { container });
      return;
    }
    // One argument, or a shell script in one (sh -c "PGPASSWORD=x pg_dump --password=y -passout pass:z ..."): each word, and each flag with the word after it.
    // A line break ends a shell command as `;` does: a program named on one line lends its options to none on the next.
    const words = item.replace(/\n/g, " ; ").split(/\s+/);
    // Passwords given by a program's own short option (mysql -pX, redis-cli -a X), in the argv or in the script.
    const script = words.length > 1 ? readPasswordOptions(words, true) : NOTHING_READ;
    const named = words.flatMap((word, j) => secretFlag(word) ?? secretAssignment(word) ?? (j > 0 && !script.valueless.has(j - 1) ? flagBefore(words[j - 1] as string, word, booleans) : undefined) ?? []);
    named.push(...(argv.options.get(i) ?? []), ...script.uses.map((use) => use.named));
    const previous = items[i - 1];
    const before = named.length === 0 && previous !== undefined && previous !== "" && !argv.valueless.has(i - 1) ? flagBefore(previous, item, booleans) : undefined;
    if (before !== undefined) named.push(before);
    if (named.length > 0) report(SECRET_RULES.inline, [...path, i], `${where}[${i}] passes ${named.join(", ")} a value written in the manifest, where every process on the node can read it`, { container, flag: named[0] });
  });
}

const NOTHING_READ: PasswordOptionReading = { uses: [], valueless: new Set() };

/** The variable of a shell assignment `PGPASSWORD=x` when it is named as a credential and given one. */
function secretAssignment(word: string): string | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(word);
  return m && looksLikeSecretName(m[1] as string) && isLiteralCredential(wordValue(m[2] as string)) ? (m[1] as string) : undefined;
}

/** The container's probes and lifecycle hooks, with their paths. */
function handlers(container: Record<string, unknown>): Array<[FieldPath, Record<string, unknown>]> {
  const found: Array<[FieldPath, Record<string, unknown>]> = [];
  for (const probe of CONTAINER_PROBES) {
    const value = container[probe];
    if (isRecord(value)) found.push([[probe], value]);
  }
  const lifecycle = container.lifecycle;
  if (isRecord(lifecycle)) {
    for (const hook of LIFECYCLE_HOOKS) {
      const value = lifecycle[hook];
      if (isRecord(value)) found.push([["lifecycle", hook], value]);
    }
  }
  return found;
}

/** A Secret with values among the manifests, unless SOPS encrypted them. */
function secretInManifest(loaded: LoadedObject): Finding[] {
  const object = loaded.object as LoadedObject["object"] & { data?: unknown; stringData?: unknown; sops?: unknown };
  if (object.sops !== undefined) return [];
  const held = (["stringData", "data"] as const).map((field) => {
    const values = object[field];
    const keys = isRecord(values)
      ? Object.keys(values).filter((key) => {
          // A number or a boolean (refused as manifest/string-expected) is committed all the same.
          const value = scalarText(values[key]);
          return value !== undefined && value !== "" && !isReference(value) && !isCertificateKey(key);
        })
      : [];
    return { field, keys };
  });
  const keys = held.flatMap((h) => h.keys);
  const first = held.find((h) => h.keys.length > 0);
  if (!first) return [];
  const listed = keys.length > 5 ? `${keys.slice(0, 5).join(", ")} and ${keys.length - 5} more` : keys.join(", ");
  const fields = held.filter((h) => h.keys.length > 0).map((h) => h.field).join(" and ");
  const count = keys.length === 1 ? "1 value" : `${keys.length} values`;
  return [findingAt(SECRET_RULES.secretInManifest, loaded, [first.field], `${count} in ${fields} (${listed}) ${keys.length === 1 ? "is" : "are"} kept in plain text with the manifests`)];
}
