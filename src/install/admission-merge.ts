/**
 * `palisade install --admission-config <file>`: kube-apiserver takes a single
 * --admission-control-config-file, so when it already has one (PodSecurity defaults,
 * EventRateLimit, ...) Palisade's file must be that one with the webhook plugins added,
 * never a replacement that drops the other plugins.
 *
 * Read as kube-apiserver reads it (k8s.io/apiserver pkg/admission/config.go): an
 * AdmissionConfiguration in apiserver.config.k8s.io/v1 or apiserver.k8s.io/v1alpha1, YAML or
 * JSON; the first entry of a plugin's name is the one used; a relative `path` is resolved
 * against the file's directory. The webhook plugins read a WebhookAdmissionConfiguration
 * (apiserver.config.k8s.io/v1 or v1alpha1) whose kubeConfigFile must be absolute
 * (pkg/admission/plugin/webhook/config/kubeconfig.go).
 *
 * Every other entry and field is kept as written. The merged file moves to the directory of
 * Palisade's files, so relative paths would then name other files: they are refused. A
 * webhook plugin already pointing at another kubeconfig is a conflict, refused too: the
 * plugin reads one kubeconfig, and replacing it would stop kube-apiserver presenting the
 * credentials it holds for other admission webhooks.
 */
import { isAbsolute } from "node:path";
import { ConfigSource } from "../admission/config-source.js";
import { UserError } from "../errors.js";
import { isRecord } from "../k8s/types.js";
import { jsYaml, kubernetesYamlSchema } from "../k8s/js-yaml-lazy.js";
import { kubernetesYaml } from "../k8s/yaml-out.js";

export const WEBHOOK_PLUGINS = ["ValidatingAdmissionWebhook", "MutatingAdmissionWebhook"] as const;
const ADMISSION_CONFIGURATION_VERSIONS = ["apiserver.config.k8s.io/v1", "apiserver.k8s.io/v1alpha1"];
const WEBHOOK_CONFIGURATION_VERSIONS = ["apiserver.config.k8s.io/v1", "apiserver.config.k8s.io/v1alpha1"];

export interface ExistingAdmissionConfiguration {
  file: string;
  text: string;
}

export interface MergeOptions {
  /** The absolute kubeconfig Palisade's webhook plugins name (admission-webhooks.kubeconfig). */
  kubeConfigFile: string;
  /** Palisade's admission host:port and client certificate files, for the conflict's hint. */
  admissionHost: string;
  clientCertificate: string;
  clientKey: string;
}

/** Palisade's entry for one webhook plugin. */
export function webhookPluginEntry(name: string, kubeConfigFile: string): Record<string, unknown> {
  return { name, configuration: { apiVersion: "apiserver.config.k8s.io/v1", kind: "WebhookAdmissionConfiguration", kubeConfigFile } };
}

/** Values as kube-apiserver reads them (YAML 1.1 scalars: `on` is true), for faithful re-writing. */
function kubernetesValue(file: string, text: string): unknown {
  try {
    return jsYaml().load(text, { schema: kubernetesYamlSchema() });
  } catch (err) {
    throw new UserError(`${file}: cannot read it as kube-apiserver would: ${(err as Error).message.split("\n")[0]}`, { hint: "fix the YAML there" });
  }
}

export function mergeAdmissionConfiguration(existing: ExistingAdmissionConfiguration, options: MergeOptions): string {
  const source: ConfigSource = ConfigSource.parse(existing.file, existing.text);
  if (!isRecord(source.value)) source.fail([], "expected an AdmissionConfiguration mapping", "pass kube-apiserver's --admission-control-config-file");
  const value = kubernetesValue(existing.file, existing.text) as Record<string, unknown>;
  checkHeader(source, value);
  const plugins = value.plugins ?? [];
  if (!Array.isArray(plugins)) source.fail(["plugins"], "expected a list of plugins");
  const merged = plugins.map((entry: unknown, i: number) => {
    if (!isRecord(entry) || typeof entry.name !== "string" || entry.name === "") source.fail(["plugins", i], "expected a plugin entry with a name");
    checkPath(source, entry, i);
    return entry;
  });
  for (const plugin of WEBHOOK_PLUGINS) {
    const i = merged.findIndex((entry) => entry.name === plugin);
    if (i < 0) merged.push(webhookPluginEntry(plugin, options.kubeConfigFile));
    else merged[i] = mergeWebhookEntry(source, merged[i]!, i, options);
  }
  return kubernetesYaml({ ...value, plugins: merged }, { lineWidth: 0 });
}

function checkHeader(source: ConfigSource, value: Record<string, unknown>): void {
  if ("imagePolicy" in value || "podNodeSelectorPluginConfig" in value) {
    source.fail([], "this is a legacy unversioned plugin configuration, not an AdmissionConfiguration", "move it into an AdmissionConfiguration (apiserver.config.k8s.io/v1) as the configuration of its plugin, then pass that file");
  }
  if (value.kind !== "AdmissionConfiguration") source.fail(["kind"], `expected kind AdmissionConfiguration, found ${JSON.stringify(value.kind ?? null)}`, "pass kube-apiserver's --admission-control-config-file");
  if (!ADMISSION_CONFIGURATION_VERSIONS.includes(String(value.apiVersion))) {
    source.fail(["apiVersion"], `kube-apiserver reads AdmissionConfiguration in ${ADMISSION_CONFIGURATION_VERSIONS.join(" or ")}, not ${JSON.stringify(value.apiVersion ?? null)}`, "set apiVersion: apiserver.config.k8s.io/v1 (the fields are the same)");
  }
}

function checkPath(source: ConfigSource, entry: Record<string, unknown>, i: number): void {
  if (entry.path === undefined || entry.path === "" || entry.configuration !== undefined) return;
  if (typeof entry.path !== "string") source.fail(["plugins", i, "path"], "expected a file path");
  if (!isAbsolute(entry.path)) {
    source.fail(
      ["plugins", i, "path"],
      `${entry.path} is relative: kube-apiserver resolves it against the directory of the AdmissionConfiguration, and the merged file lives in Palisade's directory`,
      "write the absolute path kube-apiserver reads it from, or embed that file's content as the plugin's configuration",
    );
  }
}

/** The first entry of a webhook plugin, which kube-apiserver uses: ours, or a conflict. */
function mergeWebhookEntry(source: ConfigSource, entry: Record<string, unknown>, i: number, options: MergeOptions): Record<string, unknown> {
  const name = entry.name as string;
  const at = ["plugins", i];
  const conflict = (path: (string | number)[], what: string, kubeconfig: string): never =>
    source.fail(
      path,
      `${name} already ${what}; kube-apiserver reads one kubeconfig per webhook plugin, so Palisade's would replace it and kube-apiserver would stop presenting the credentials it holds there for other admission webhooks`,
      `add a user named ${JSON.stringify(options.admissionHost)} with client-certificate: ${options.clientCertificate} and client-key: ${options.clientKey} to ${kubeconfig}, ` +
        "then keep your AdmissionConfiguration as it is: leave out --admission-config and the --admission-control-config-file flag install prints",
    );
  if (entry.configuration === undefined) {
    if (typeof entry.path === "string" && entry.path !== "") conflict([...at, "path"], `reads its configuration from ${entry.path}, which may name another kubeconfig`, "the kubeconfig that file names");
    return webhookPluginEntry(name, options.kubeConfigFile);
  }
  const configuration = entry.configuration;
  if (!isRecord(configuration) || configuration.kind !== "WebhookAdmissionConfiguration" || !WEBHOOK_CONFIGURATION_VERSIONS.includes(String(configuration.apiVersion))) {
    source.fail([...at, "configuration"], `expected a WebhookAdmissionConfiguration (${WEBHOOK_CONFIGURATION_VERSIONS.join(" or ")})`, "this is what kube-apiserver's webhook plugins read; fix or remove the entry");
  }
  const current = configuration.kubeConfigFile;
  if (current === undefined || current === "") return { ...entry, configuration: { ...configuration, kubeConfigFile: options.kubeConfigFile } };
  if (current === options.kubeConfigFile) return entry;
  return conflict([...at, "configuration", "kubeConfigFile"], `names the kubeconfig ${String(current)}`, String(current));
}

/** For errors about the flag itself. */
export function admissionConfigWithoutClientCertificates(): UserError {
  return new UserError("--admission-config is only used when kube-apiserver must present a client certificate to the webhook: with --client-ca cert-manager or server.clientCAFile in --config", {
    hint: "without either, install writes no AdmissionConfiguration and kube-apiserver keeps its own: leave out --admission-config",
  });
}
