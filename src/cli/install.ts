/**
 * `palisade install`: print the manifests that run Palisade's webhooks in a cluster
 * (src/install/manifests.ts), as a YAML stream for `kubectl apply -f -` or as a JSON List.
 */
import { readFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { ipaddr } from "../network/ipaddr.js";
import { kubernetesYaml } from "../k8s/yaml-out.js";
import { parseWebhookConfig } from "../admission/config.js";
import { SECRETS_POLICY } from "../admission/policies/secrets.js";
import { UserError } from "../errors.js";
import { defaultPsaConfig, defaultServerConfig, installManifests, type InstallOptions } from "../install/manifests.js";
import { packageVersion } from "../version.js";
import { writeStdout, repeatable } from "./common.js";

interface InstallFlags {
  namespace: string;
  image?: string;
  replicas: string;
  apiserverCidr: string[];
  caBundle?: string;
  webhookUrl?: string;
  config?: string;
  output: "yaml" | "json";
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new UserError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function registerInstallCommand(program: Command): void {
  program
    .command("install")
    .description("print the manifests that run Palisade's webhooks in a cluster (kubectl apply -f -)")
    .requiredOption("--apiserver-cidr <cidr>", "address range the API server connects from; the NetworkPolicy admits only these (repeatable)", repeatable, [])
    .option("-n, --namespace <namespace>", "namespace to install into", "palisade-system")
    .option("--image <image>", "Palisade image, ideally pinned by digest (default: ghcr.io/palisade-dev/palisade:<version>)")
    .option("--replicas <n>", "webhook replicas (at least 2)", "2")
    .option("--ca-bundle <file>", "PEM CA of the serving certificate for caBundle (default: cert-manager issues and injects it)")
    .option("--webhook-url <url>", "base URL kube-apiserver uses for /authenticate and /authorize")
    .option("--config <file>", "webhook server configuration to ship (default: Pod Security, NodeRestriction, images in warn mode)")
    .addOption(new Option("-o, --output <format>", "output format").choices(["yaml", "json"]).default("yaml"))
    .action(async (flags: InstallFlags) => {
      const replicas = Number(flags.replicas);
      if (!Number.isInteger(replicas) || replicas < 2) throw new UserError(`--replicas ${flags.replicas}: expected an integer of at least 2`, { hint: "one replica makes every rollout an admission outage" });
      for (const cidr of flags.apiserverCidr) {
        if (!ipaddr.isValidCIDR(cidr)) throw new UserError(`--apiserver-cidr ${cidr}: expected a CIDR such as 10.0.0.10/32`);
      }
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(flags.namespace) || flags.namespace.length > 63) throw new UserError(`--namespace ${flags.namespace}: not a valid namespace name`);
      let configYaml = defaultServerConfig();
      let judgesConfigMaps = false;
      if (flags.config) {
        configYaml = readText(flags.config, "configuration");
        // Validate what we ship, with the shipped PSA file standing in for referenced files.
        const config = parseWebhookConfig(flags.config, configYaml, (path, relativeTo) => ({ file: `${relativeTo}:${path}`, text: defaultPsaConfig(flags.namespace) }));
        judgesConfigMaps = config.policies.some((policy) => policy.name === SECRETS_POLICY);
      }
      const options: InstallOptions = {
        namespace: flags.namespace,
        image: flags.image ?? `ghcr.io/palisade-dev/palisade:${packageVersion()}`,
        replicas,
        apiserverCidrs: flags.apiserverCidr,
        configYaml,
        psaYaml: defaultPsaConfig(flags.namespace),
        judgesConfigMaps,
      };
      if (flags.caBundle) options.caBundlePem = readText(flags.caBundle, "CA bundle");
      if (flags.webhookUrl) options.webhookUrl = flags.webhookUrl;
      const objects = installManifests(options);
      if (flags.output === "json") await writeStdout(JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2) + "\n");
      else await writeStdout(objects.map((o) => kubernetesYaml(o, { lineWidth: 0 })).join("---\n"));
    });
}
